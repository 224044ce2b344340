#!/bin/bash
# A service whose leader exited leaves a member in its group that ignores
# stop_signal: tend waits for the group (stop_timeout) and asks at each
# orphan it reaps whether the group still lives. The member makes orphans
# (a child that forks and exits: its own child comes to tend, a subreaper,
# and ends): each reap must cost tend a look at the member it found alive
# last, not a walk over every process of /proc (a host subreaper sees the
# whole machine: a hostile group would keep PID 1 busy for two forks of
# its own). strace counts tend's opens of /proc/PID/stat over N orphans.
. "$TOP_SRCDIR/test/lib.sh"
need_cmd strace /usr/bin/python3
. "$TOP_SRCDIR/test/integration/svc-lib.sh"

N=200
cat >"$T/group.py" <<'PY'
import os, signal, sys, time
d, n = sys.argv[1], int(sys.argv[2])
if os.fork() == 0:                      # the member, in the leader's group
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    open(d + "/member", "w").write(str(os.getpid()))
    while not os.path.exists(d + "/go"):
        time.sleep(0.05)
    for _ in range(n):
        c = os.fork()
        if c == 0:
            if os.fork() == 0:
                os._exit(0)             # the orphan: tend reaps it
            os._exit(0)
        os.waitpid(c, 0)
    open(d + "/done", "w").write("x")
    while True:
        time.sleep(1000)
while not os.path.exists(d + "/member"):
    time.sleep(0.01)
sys.exit(3)
PY
cat >"$T/tend.ini" <<EOT
[service:web]
command = /usr/bin/python3 $T/group.py $T $N
restart = no
stop_timeout = 60s
EOT
tend_start "$T/tend.ini"
wait_file 10 "$T/member" || die "no member: $(cat "$LOG")"
cleanup "kill -KILL $(cat "$T/member") 2>/dev/null"
wait_log 10 "stopping what is left of its process group" || die "tend did not see the leader's exit: $(cat "$LOG")"

strace -p "$TEND_PID" -e trace=openat -o "$T/strace" 2>/dev/null &
STRACE=$!
cleanup "kill_pid $STRACE"
traced() { [ "$(proc_status "$TEND_PID" TracerPid)" != 0 ]; }
only_member() { [ "$(ps -o pid= --ppid "$TEND_PID" 2>/dev/null | tr -d ' ')" = "$(cat "$T/member")" ]; }
wait_until 10 traced || die "strace did not attach"
touch "$T/go"
wait_file 60 "$T/done" || die "the member did not make its orphans"
# The last orphans are reaped: tend's one child left is the member (the
# leader's orphan).
wait_until 20 only_member
sleep 0.2
kill -INT "$STRACE" 2>/dev/null
wait "$STRACE" 2>/dev/null
opens=$(grep -cE '"/proc/[0-9]+/stat"' "$T/strace")
check "$N orphans reaped: tend read at most $((3 * N)) /proc/PID/stat files (read $opens)" test "$opens" -le $((3 * N))
check "the service is still stopping (the member lives)" test -e "/proc/$(cat "$T/member")"

# A second SIGTERM skips the wait: the member gets its SIGKILL.
kill -TERM "$TEND_PID"
sleep 0.1
tend_stop 10
check "tend ended" test -n "$TEND_RC" -a "$TEND_RC" != timeout
check "the member is gone" proc_ended "$(cat "$T/member")"
