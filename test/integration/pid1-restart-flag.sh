#!/bin/bash
# tend -R POLICY -- CMD (r2): single-command mode with a restart policy and
# the services' default backoff (100ms doubling to 30s, restart_limit 0:
# never give up). tend exits with the command's last status when it ends
# in success (on-failure) or when a stop signal the operator sent ended it;
# a SIGTERM that tend forwarded is a stop asked for, never restarted, also
# between two runs. As a subreaper and as PID 1 under unshare.
. "$TOP_SRCDIR/test/lib.sh"
need_root
need_cmd unshare
tmp=$(mktmp)

# A command that logs each start, then: run 1 exits 3, run 2 dies by
# SIGKILL, run 3 exits 0. Its state is in a file.
cat >"$tmp/flaky" <<'SH'
#!/bin/sh
echo start >>"$1"
n=$(wc -l <"$1")
case $n in
1) exit 3 ;;
2) kill -KILL $$ ;;
*) exit 0 ;;
esac
SH
chmod 755 "$tmp/flaky"
starts() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }
at_least() { [ "$(starts "$1")" -ge "$2" ]; } # FILE N: N starts or more

# ---- on-failure: two failures, then success ------------------------------
"$TEND" -R on-failure -- "$tmp/flaky" "$tmp/s1" 2>"$tmp/err1"
check_eq "on-failure: exits with the command's last status (0)" 0 "$?"
check_eq "on-failure: 3 starts (exit 3, SIGKILL, then success)" 3 "$(starts "$tmp/s1")"
check "the restart is logged with its reason" grep -q "main: exited with 3, restart in 100ms" "$tmp/err1"

unshare --pid --fork --mount-proc "$TEND" --restart on-failure -- "$tmp/flaky" "$tmp/s2" 2>/dev/null
check_eq "as PID 1: exits 0" 0 "$?"
check_eq "as PID 1: 3 starts" 3 "$(starts "$tmp/s2")"

# ---- always: restarts after success; SIGTERM stops it ---------------------
# Runs 1 and 2 exit 0; run 3 waits (exec: the signal ends the command).
cat >"$tmp/ok3" <<'SH'
#!/bin/sh
echo start >>"$1"
[ "$(wc -l <"$1")" -ge 3 ] && exec sleep 1000
exit 0
SH
chmod 755 "$tmp/ok3"

child_of() { # PID: its first child's pid (a /proc file has no size: read it)
	local c
	c=$(cat "/proc/$1/task/$1/children" 2>/dev/null) || return 1
	c=${c%% *}
	[ -n "$c" ] && echo "$c"
}
# tend's pid: itself as a subreaper; under unshare, unshare's child.
run_always() { # MODE FILE -> sets $pid (what to signal) and $bg (what to wait for)
	if [ "$1" = sub ]; then
		"$TEND" -R always -- "$tmp/ok3" "$2" 2>"$tmp/err-$1" &
		bg=$!; pid=$bg
	else
		unshare --pid --fork --mount-proc "$TEND" -R always -- "$tmp/ok3" "$2" 2>"$tmp/err-$1" &
		bg=$!
		wait_until 5 child_of "$bg" >/dev/null || die "no tend under unshare"
		pid=$(child_of "$bg")
	fi
	cleanup "kill -KILL $bg 2>/dev/null"
}
runs_sleep() { local c; c=$(child_of "$1") && grep -q '^sleep' "/proc/$c/comm" 2>/dev/null; }
for mode in sub pid1; do
	f="$tmp/always-$mode"
	run_always "$mode" "$f"
	check "$mode: always restarts after a success (3 starts)" wait_until 10 at_least "$f" 3
	# the third run is sleep, exec'd: wait for it, then stop the container
	wait_until 5 runs_sleep "$pid"
	kill -TERM "$pid"
	wait "$bg"
	check_eq "$mode: SIGTERM forwarded, tend exits 143 (the command's end)" 143 "$?"
	check_eq "$mode: and does not restart it" 3 "$(starts "$f")"
done

# ---- a stop signal between two runs: tend stops at once -------------------
cat >"$tmp/fail" <<'SH'
#!/bin/sh
echo start >>"$1"
exit 5
SH
chmod 755 "$tmp/fail"
"$TEND" -R on-failure -- "$tmp/fail" "$tmp/s4" 2>"$tmp/err4" &
bg=$!
cleanup "kill -KILL $bg 2>/dev/null"
# restart_limit defaults to 0: it keeps restarting (100, 200, 400, 800ms...).
check "restart_limit 0 by default: still restarting after 5 failures" wait_until 10 at_least "$tmp/s4" 5
# After the 5th start it waits 1.6s: the signal finds no command.
t0=$(date +%s%N)
kill -TERM "$bg"
wait "$bg"
rc=$?
t1=$(date +%s%N)
check_eq "SIGTERM in the backoff: the command's last status" 5 "$rc"
check "at once (under 1s)" test $(( (t1 - t0) / 1000000 )) -lt 1000
n=$(starts "$tmp/s4")
sleep 0.3
check_eq "no start after the signal" "$n" "$(starts "$tmp/s4")"

# ---- other signals are forwarded and do not stop tend ---------------------
cat >"$tmp/usr1" <<'SH'
#!/bin/sh
echo start >>"$1"
trap 'echo usr1 >>"$1.sig"; exit 0' USR1
while :; do sleep 0.05; done
SH
chmod 755 "$tmp/usr1"
"$TEND" -R always -- "$tmp/usr1" "$tmp/s5" 2>/dev/null &
bg=$!
cleanup "kill -KILL $bg 2>/dev/null"
wait_until 5 test -s "$tmp/s5"
kill -USR1 "$bg"
check "SIGUSR1 forwarded, the command ended, always restarts it" wait_until 5 at_least "$tmp/s5" 2
kill -TERM "$bg"
wait "$bg"
check_eq "then SIGTERM: 143, not restarted" 143 "$?"

# ---- usage errors ---------------------------------------------------------
"$TEND" -R always 2>"$tmp/e" </dev/null
check_eq "-R without a command: 64" 64 "$?"
check "says why" grep -q -- "-R is for single-command mode" "$tmp/e"
printf '[service:a]\ncommand = true\n' >"$tmp/t.ini"
"$TEND" -R always -c "$tmp/t.ini" 2>"$tmp/e"
check_eq "-R with -c: 64" 64 "$?"
"$TEND" -R always -c "$tmp/t.ini" -- true 2>/dev/null
check_eq "-R with -c and a command: 64" 64 "$?"
"$TEND" -R sometimes -- true 2>"$tmp/e"
check_eq "an unknown policy: 64" 64 "$?"
check "names it" grep -q "unknown restart policy 'sometimes'" "$tmp/e"
"$TEND" -R 2>/dev/null
check_eq "-R without its argument: 64" 64 "$?"
