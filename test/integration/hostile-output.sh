#!/bin/bash
# Output that nobody reads never stalls tend (issue 12.3): tend's stdout a
# unix socket whose reader reads nothing (systemd's StandardOutput=journal,
# a stuck log collector) under a `stdout = tagged` service, and tend's
# stderr a full pipe under -v with a crash-looping service. In both, while
# the reader is stuck: `tendctl status` answers within 1 s, a service that
# exits is reaped (no zombie left in /proc) and restarted. Once the reader
# reads again: every line arrives whole; tend says how many of its own log
# lines it had to drop. And a service writing 1 GiB as fast as it can
# through `tagged` does not make `GET /live` slower than 100 ms, neither
# with a fast reader nor with a reader that stops reading.
. "$TOP_SRCDIR/test/lib.sh"
need_cmd /usr/bin/python3 curl yes head timeout
. "$TOP_SRCDIR/test/integration/svc-lib.sh"

# hold.py KIND FD GO OUT CMD...: run CMD with its fd FD the write end of a
# KIND (socket: a unix stream socket pair; pipe) whose reader reads nothing
# until the file GO exists, then copies everything to OUT until EOF.
cat >"$T/hold.py" <<'EOT'
import os, socket, sys, time
kind, fd, go, out, cmd = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5:]
if kind == "socket":
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    w, r = a.detach(), b.detach()
else:
    r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(r)
    os.dup2(w, fd)
    os.close(w)
    os.execv(cmd[0], cmd)
os.close(w)
while not os.path.exists(go):
    done, st = os.waitpid(pid, os.WNOHANG)
    if done:
        sys.exit(os.waitstatus_to_exitcode(st))
    time.sleep(0.02)
with open(out, "wb") as f:
    while True:
        b = os.read(r, 65536)
        if not b:
            break
        f.write(b)
sys.exit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
EOT
# start_held KIND FD GO OUT INI [tend options]: tend under hold.py; TEND_SIG_PID is tend.
start_held() {
	local kind=$1 fd=$2 go=$3 out=$4; shift 4
	printf '#!/bin/sh\nexec /usr/bin/python3 %s %s %s %s %s "%s" "$@"\n' \
		"$T/hold.py" "$kind" "$fd" "$go" "$out" "$TEND" >"$T/.wrap"
	chmod 755 "$T/.wrap"
	TEND=$T/.wrap tend_start "$@"
	wait_until 10 _child_of "$TEND_PID" >/dev/null || die "tend did not start under hold.py"
	TEND_SIG_PID=$(_child_of "$TEND_PID")
}

# The pid of the service NAME's leader (tend's child running COMM).
child_comm() { ps -o pid=,comm= --ppid "$1" | awk -v c="$2" '$2==c {print $1; exit}'; }
in_pipe_write() { grep -qE '^(anon_)?pipe_write$' "/proc/$1/wchan" 2>/dev/null; }
gone() { [ ! -e "/proc/$1" ]; }

# While tend's output is stuck: tendctl answers within 1 s, and a crash
# service that starts after the reader got stuck is reaped and restarted.
assert_alive() {
	local what=$1 t0 t1 rc pid
	t0=$(now_ms)
	timeout 5 "$TENDCTL" -s "$T/ctl.sock" status >"$T/status.out" 2>&1
	rc=$?
	t1=$(now_ms)
	check_eq "$what: tendctl status exits 0" 0 "$rc"
	check "$what: tendctl status answers within 1 s ($((t1 - t0)) ms)" test $((t1 - t0)) -lt 1000
	check "$what: tendctl status lists the crash service" grep -q '^crash ' "$T/status.out"
	# A service that exits now, while the reader is stuck.
	wait_file 10 "$T/late.pid"
	pid=$(cat "$T/late.pid")
	: >"$T/exit-now"
	check "$what: a service that exits now ($pid) is reaped, no zombie" wait_until 3 gone "$pid"
	local n0; n0=$(wc -l <"$T/crash.pids")
	wait_lines 5 "$T/crash.pids" $((n0 + 3))
	check "$what: the crash service still restarts" test "$(wc -l <"$T/crash.pids")" -ge $((n0 + 3))
}

crash_ini() {
	cat <<EOT
[tend]
control = $T/ctl.sock
[service:crash]
command = sh -c 'echo \$\$\$\$ >> $T/crash.pids; exit 1'
restart = always
restart_delay = 0
restart_delay_max = 0
[service:late]
command = sh -c 'echo \$\$\$\$ > $T/late.pid; while [ ! -e $T/exit-now ]; do sleep 0.05; done'
restart = no
EOT
}

# ---- 1. tend's stdout: a socket nobody reads, a tagged service ----------
: >"$T/crash.pids"
{ crash_ini; cat <<EOT
[service:yes]
command = yes
stdout = tagged
EOT
} >"$T/sock.ini"
start_held socket 1 "$T/go1" "$T/got1" "$T/sock.ini"
wait_log 10 "$(svclog yes)started" || die "yes did not start; log: $(cat "$LOG")"
YPID=$(child_comm "$TEND_SIG_PID" yes)
# yes blocks once tend stops reading its pipe: tend has filled the socket.
wait_until 10 in_pipe_write "$YPID"
check "socket stdout: yes is held back in a write to its full pipe" in_pipe_write "$YPID"
# tend never made the description it shares non-blocking: a service
# that inherits it (late: stdout = inherit) still has blocking writes.
wait_file 10 "$T/late.pid"
fl=$(awk '$1 == "flags:" {print $2}' "/proc/$(cat "$T/late.pid")/fdinfo/1")
check "socket stdout: the stdout a service inherits is not O_NONBLOCK (flags $fl)" test $((8#$fl & 04000)) = 0
assert_alive "socket stdout, reader stuck"
: >"$T/go1"
wait_until 10 test -s "$T/got1"
tend_stop 10
check_eq "socket stdout: orderly exit after SIGTERM" 0 "$TEND_RC"
check "socket stdout: lines arrived once read" grep -q '^yes: y$' "$T/got1"
check_eq "socket stdout: every line whole and tagged" 0 "$(grep -cvx 'yes: y' "$T/got1")"

# ---- 2. tend's stderr: a full pipe, -v, a crash-looping service ---------
: >"$T/crash.pids"
: >"$LOG"
rm -f "$T/exit-now" "$T/late.pid"
crash_ini >"$T/err.ini"
start_held pipe 2 "$T/go2" "$T/got2" "$T/err.ini" -v
wait_lines 10 "$T/crash.pids" 50 || die "crash did not loop"
# 64 KiB of pipe fill up with -v's lines of a few hundred runs: tend would
# be blocked in its own log write by now.
wait_lines 20 "$T/crash.pids" 1500
assert_alive "stderr a full pipe"
: >"$T/go2"
wait_until 10 grep -qs 'log lines dropped' "$T/got2"
check "stderr: tend says how many log lines it dropped" \
	grep -Eq '^tend: warning: [0-9]+ log lines dropped \(stderr was not read\)$' "$T/got2"
tend_stop 10
check_eq "stderr: orderly exit after SIGTERM" 0 "$TEND_RC"
check_eq "stderr: every log line whole" 0 "$(grep -cv '^tend: ' "$T/got2")"

# ---- 3. 1 GiB through tagged, GET /live stays under 100 ms --------------
PORT=$(free_port)
flood_ini() {
	cat <<EOT
[tend]
control = $T/ctl.sock
http = 127.0.0.1:$PORT
[service:flood]
command = sh -c 'yes $(printf 'x%.0s' $(seq 99)) | head -c 1073741824'
stdout = tagged
restart = no
[service:idle]
command = sleep 1000
EOT
}
# live_samples N: N timed GET /live, one every 100 ms; fails on any >= 100 ms.
live_samples() {
	local what=$1 n=$2 i t worst=0 bad=0 ms
	for ((i = 0; i < n; i++)); do
		t=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -m 2 "http://127.0.0.1:$PORT/live")
		ms=$(awk -v t="${t#* }" 'BEGIN { printf "%d", t * 1000 }')
		[ "${t% *}" = 200 ] || { bad=$((bad + 1)); ms=2000; }
		[ "$ms" -lt 100 ] || bad=$((bad + 1))
		[ "$ms" -le "$worst" ] || worst=$ms
		sleep 0.1
	done
	check "$what: $n GET /live each 200 under 100 ms (worst $worst ms)" test "$bad" = 0
}
flood_ini >"$T/flood.ini"
: >"$LOG"
: >"$T/go3"
start_held pipe 1 "$T/go3" /dev/null "$T/flood.ini"
wait_until 10 _port_open "$PORT" || die "no HTTP; log: $(cat "$LOG")"
wait_log 10 "$(svclog flood)started"
live_samples "1 GiB, fast reader" 20
check "1 GiB, fast reader: the flood was still running while measured" log_lacks "$(svclog flood)exited"
wait_log 120 "$(svclog flood)exited with 0"
check "1 GiB, fast reader: all of it relayed, the flood ended" log_has "$(svclog flood)exited with 0"
tend_stop 10

: >"$LOG"
start_held socket 1 "$T/go4" "$T/got4" "$T/flood.ini"
wait_until 10 _port_open "$PORT" || die "no HTTP; log: $(cat "$LOG")"
wait_log 10 "$(svclog flood)started"
FPID=$(child_comm "$TEND_SIG_PID" sh)
wait_until 10 in_pipe_write "$(ps -o pid=,comm= --ppid "$FPID" | awk '$2=="head" {print $1}')"
live_samples "flood, reader stopped" 10
tend_stop 10
check_eq "flood, reader stopped: orderly exit" 0 "$TEND_RC"
