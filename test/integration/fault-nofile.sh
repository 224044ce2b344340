#!/usr/bin/env bash
# tend with a tiny RLIMIT_NOFILE: clients take every fd it has left, so
# accept(), pipe() and the service starts meet EMFILE. tend does not spin,
# keeps supervising (a failed start is a logged failure under the restart
# policy), and once the clients are gone its sockets and its services
# recover: /live answers, tendctl answers, the service runs again.
. "$TOP_SRCDIR/test/lib.sh"
. "$TOP_SRCDIR/test/integration/svc-lib.sh"
need_root
need_cmd prlimit python3 curl
port=$(free_port)
sock=$T/ctl.sock
cat >"$T/tend.ini" <<INI
[tend]
control = $sock
http = 127.0.0.1:$port

[service:crash]
command = sh -c 'echo x >> $T/crash.starts; sleep 0.2; exit 1'
restart = always
restart_delay = 0
INI
tend_start "$T/tend.ini"
wait_until 10 _port_open "$port" || die "no HTTP endpoint"
wait_lines 10 "$T/crash.starts" 2 || die "crash does not restart"
# A limit just above what tend holds now: the clients below exhaust it.
held=$(fd_count "$TEND_PID")
prlimit --pid "$TEND_PID" --nofile=$((held + 6)):$((held + 6)) || die "prlimit"

# Hold 60 connections (HTTP and control) open, idle, until told to stop.
python3 - "$port" "$sock" "$T/hold.go" "$T/hold.stop" <<'PY' &
import socket, sys, os, time
port, path, go, stop = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
held = []
for i in range(30):
    for fam, addr in ((socket.AF_INET, ("127.0.0.1", port)), (socket.AF_UNIX, path)):
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.settimeout(1)
        try:
            s.connect(addr)
            held.append(s)
        except OSError:
            s.close()
open(go, "w").close()
while not os.path.exists(stop):
    time.sleep(0.05)
PY
hold_pid=$!
cleanup "kill -KILL $hold_pid"
wait_file 20 "$T/hold.go" || test -e "$T/hold.go" || die "the clients did not connect"
wait_until 10 log_has 'cannot accept\|Too many open files' || true
check "tend logged that it ran out of fds" log_has 'Too many open files'

# While exhausted: tend is not spinning on EMFILE.
cpu() { awk '{print $14 + $15}' "/proc/$TEND_PID/stat"; }
c0=$(cpu); sleep 2; c1=$(cpu)
hz=$(getconf CLK_TCK)
check "tend does not spin while out of fds ($((c1 - c0)) ticks of $((2 * hz)) in 2 s)" [ $((c1 - c0)) -lt $((hz / 2)) ]
check "tend is alive" test -d "/proc/$TEND_PID"

# The clients go: everything recovers.
touch "$T/hold.stop"; wait "$hold_pid" 2>/dev/null
n0=$(wc -l <"$T/crash.starts")
live_ok() { [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$port/live")" = 200 ]; }
check "/live answers again" wait_until 10 live_ok
check "tendctl answers again" wait_until 10 "$TENDCTL" -s "$sock" status
check "crash is restarted again" wait_lines 10 "$T/crash.starts" $((n0 + 3))
check "tend still has no more fds than its limit allows" [ "$(fd_count "$TEND_PID")" -le $((held + 6)) ]
tend_stop 10 || true
check_eq "tend ends with 0 on SIGTERM" 0 "$TEND_RC"
check "no sanitizer report" log_lacks 'ERROR: AddressSanitizer\|runtime error'
