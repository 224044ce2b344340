#!/bin/bash
# A `logs -f` client that keeps sending after its request (a hostile
# service: `logs` is open to uid 0) is cut off: tend closes the connection
# at the first bytes after the request, instead of reading them for ever
# (a client sending as fast as it could kept PID 1 at ~90% of a CPU).
# A well-behaved follower beside it goes on getting lines.
. "$TOP_SRCDIR/test/lib.sh"
need_cmd /usr/bin/python3
. "$TOP_SRCDIR/test/integration/ctl-lib.sh"

cat >"$T/tend.ini" <<EOT
[tend]
control = $SOCK
[service:s]
command = sh -c 'while :; do echo tick; sleep 0.1; done'
stdout = tagged
EOT
tend_start "$T/tend.ini"
ctl_up 10 || die "no control socket; log: $(cat "$LOG")"
# A good follower, for the whole test.
ctl logs -f s >"$T/good.out" 2>&1 &
GOOD=$!
cleanup "kill_pid $GOOD"

cat >"$T/junk.py" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"logs -f s\n")
time.sleep(0.5)  # the request is taken, the follower made
s.setblocking(False)
junk = b"x" * 65536
end = time.time() + 5
while time.time() < end:
    try:
        s.send(junk)
    except BlockingIOError:
        time.sleep(0.001)
    except OSError:
        break  # closed by tend
    try:
        while True:
            b = s.recv(65536)
            if not b:
                print("closed"); sys.exit(0)
    except BlockingIOError:
        pass
    except OSError:
        print("closed"); sys.exit(0)
print("still open after 5 s")
PY
t0=$(now_ms)
res=$(/usr/bin/python3 "$T/junk.py" "$SOCK")
t1=$(now_ms)
check_eq "a follower that sends after its request is cut off" closed "$res"
check "within 2 s ($((t1 - t0)) ms)" test $((t1 - t0)) -lt 2000
n=$(wc -l <"$T/good.out")
wait_lines 5 "$T/good.out" $((n + 3))
check "the good follower still gets lines" test "$(wc -l <"$T/good.out")" -ge $((n + 3))
check_eq "the good follower got only the service's lines" 0 "$(grep -cvx tick "$T/good.out")"
kill_pid $GOOD
tend_stop 10
check_eq "orderly exit" 0 "$TEND_RC"
