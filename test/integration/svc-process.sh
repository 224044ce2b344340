#!/bin/bash
# The process a service gets: no fd beyond 0-2 (even when tend was started
# with more open), stdin /dev/null, `directory`, `umask`, `limit_nofile`,
# its own session and process group; stdout/stderr null, a file (appended),
# stderr = stdout, and stdout = tagged ("NAME: line" on tend's stdout).
. "$TOP_SRCDIR/test/lib.sh"
. "$TOP_SRCDIR/test/integration/svc-lib.sh"

mkdir "$T/wd"
echo "old line" >"$T/file.out"
cat >"$T/tend.ini" <<EOT
[service:proc]
command = sh -c 'echo \$\$\$\$ > $T/proc.pid; exec sleep 1000'
directory = $T/wd
umask = 027
limit_nofile = 1234:2345

[service:plain]
command = sh -c 'echo \$\$\$\$ > $T/plain.pid; exec sleep 1000'

[service:tofile]
command = sh -c 'echo to-stdout; echo to-stderr >&2; exec sleep 1000'
stdout = $T/file.out
stderr = stdout

[service:errfile]
command = sh -c 'echo err-out; echo err-err >&2; exec sleep 1000'
stdout = null
stderr = $T/err.out

[service:tagged]
command = sh -c 'echo first line; printf "no newline yet"; sleep 0.2; echo " - now"; echo tagged-err >&2; exec sleep 1000'
stdout = tagged
stderr = stdout

[service:quiet]
command = sh -c 'echo quiet-out; echo quiet-err >&2; exec sleep 1000'
stdout = null
stderr = null
EOT

# tend itself holds fd 7 (not close-on-exec) and fd 9 open when it starts.
exec 7>"$T/leak7" 9<"$T/tend.ini"
tend_start "$T/tend.ini"
exec 7>&- 9<&-
wait_file 10 "$T/proc.pid" || die "no start: $(cat "$LOG")"
wait_file 10 "$T/plain.pid" || die "no start: $(cat "$LOG")"
PID=$(svc_pid "$T/proc.pid")
PPID_=$(svc_pid "$T/plain.pid")
wait_until 5 grep -qx sleep "/proc/$PID/comm"
wait_until 5 grep -qx sleep "/proc/$PPID_/comm"

check "tend itself had fd 7 open" test -e "/proc/$TEND_PID/fd/7"
check_eq "service fds: only 0 1 2" "0 1 2" "$(ls "/proc/$PID/fd" | sort -n | xargs)"
check_eq "second service fds: only 0 1 2" "0 1 2" "$(ls "/proc/$PPID_/fd" | sort -n | xargs)"
check_eq "stdin is /dev/null" /dev/null "$(readlink "/proc/$PID/fd/0")"
check_eq "directory" "$T/wd" "$(readlink "/proc/$PID/cwd")"
check_eq "default directory is the one tend was started in" "$(pwd -P)" "$(readlink "/proc/$PPID_/cwd")"
check_eq "tend itself left it for / (not PID 1 either: it pins no mount)" / "$(readlink "/proc/$TEND_PID/cwd")"
check_eq "umask" 0027 "$(proc_status "$PID" Umask)"
check_eq "limit_nofile soft:hard" "1234 2345" \
	"$(awk '/^Max open files/ {print $4, $5}' "/proc/$PID/limits")"
check_eq "default limit_nofile is tend's" \
	"$(awk '/^Max open files/ {print $4, $5}' "/proc/$TEND_PID/limits")" \
	"$(awk '/^Max open files/ {print $4, $5}' "/proc/$PPID_/limits")"
# Own session and process group: session id and pgid are its own pid.
read -r sid pgid < <(awk '{ sub(/.*\) /, ""); print $4, $3 }' "/proc/$PID/stat")
check_eq "own session" "$PID" "$sid"
check_eq "own process group" "$PID" "$pgid"

wait_until 10 grep -q to-stderr "$T/file.out"
check "stdout file kept its old line (appended)" grep -qx "old line" "$T/file.out"
check_eq "stdout file: old line first" "old line" "$(head -1 "$T/file.out")"
check "stdout file has the service's stdout" grep -qx to-stdout "$T/file.out"
check "stdout file has the service's stderr (stderr = stdout)" grep -qx to-stderr "$T/file.out"
wait_until 10 grep -q err-err "$T/err.out"
check_eq "stderr = FILE: only stderr there" "err-err" "$(cat "$T/err.out")"

wait_until 10 grep -q "tagged: no newline yet - now" "$OUT"
check "tagged: a whole line, prefixed" grep -qx "tagged: first line" "$OUT"
check "tagged: a line written in two pieces comes out whole" grep -qx "tagged: no newline yet - now" "$OUT"
check "tagged: stderr = stdout is tagged too" grep -qx "tagged: tagged-err" "$OUT"
check "tagged: no partial line" sh -c "! grep -qx 'tagged: no newline yet' '$OUT'"

tend_stop
check_eq "tend exits 0 after SIGTERM" 0 "$TEND_RC"
check "null: nothing of 'quiet' anywhere" sh -c "! grep -q quiet- '$OUT' '$LOG' '$T/file.out' '$T/err.out'"
check "stdout = null: err-out nowhere" sh -c "! grep -q err-out '$OUT' '$LOG'"
check "inherited output: nothing of the file services on tend's stdout" \
	sh -c "! grep -q -e to-stdout -e to-stderr '$OUT'"

# Restart: the file is appended again, not truncated.
tend_start "$T/tend.ini"
wait_until 10 test "$(grep -c to-stdout "$T/file.out")" -ge 2
check_eq "second run appends to the stdout file" 2 "$(grep -c to-stdout "$T/file.out")"
tend_stop
