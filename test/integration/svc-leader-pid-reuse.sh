#!/bin/bash
# Pid reuse: a service's leader exited and tend reaped it; what was left of
# its group ended without tend hearing (its last member's parent was
# outside the group and reaped it). The leader's pid is free: a process of
# someone else gets it. stop_timeout's SIGKILL must go to the service's
# group only, never to that pid (it went there when the group was gone).
# tend runs as PID 1 of a pid namespace, where ns_last_pid hands the
# leader's pid to the next process.
. "$TOP_SRCDIR/test/lib.sh"
need_root
need_cmd nsenter unshare /usr/bin/python3
. "$TOP_SRCDIR/test/integration/svc-lib.sh"

# The leader writes its pid; its child P (SIGCHLD ignored: the kernel
# reaps for it) forks M, then leaves for a session of its own, so M is
# the last of the leader's group and session. The leader exits 3; M ends
# when told ("die"); P writes "gone".
cat >"$T/leave.py" <<'PY'
import os, signal, sys, time
d = sys.argv[1]
leader = os.getpid()
r, w = os.pipe()
if os.fork() == 0:                      # P
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    if os.fork() == 0:                  # M, in the leader's group
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        os.write(w, b"x")
        while not os.path.exists(d + "/die"):
            time.sleep(0.05)
        os._exit(0)
    os.setsid()                         # P leaves group and session: nothing
    try:                                # pins the leader's pid after M
        os.wait()
    except ChildProcessError:
        pass
    open(d + "/gone", "w").write("x")
    while True:
        time.sleep(1000)
os.read(r, 1)
open(d + "/leader", "w").write(str(leader))
sys.exit(3)
PY
cat >"$T/tend.ini" <<EOT
[service:web]
command = /usr/bin/python3 $T/leave.py $T
restart = always
restart_delay = 60s
stop_timeout = 3s
EOT
tend_start_pid1 "$T/tend.ini" || die "tend did not start: $(cat "$LOG")"
wait_file 10 "$T/leader" || die "no leader: $(cat "$LOG")"
wait_log 10 "stopping what is left of its process group" || die "tend did not see the leader's exit: $(cat "$LOG")"
touch "$T/die"
wait_file 10 "$T/gone" || die "the member did not end"
P=$(cat "$T/leader")

# The next process in tend's namespace gets the leader's pid.
nsenter -t "$TEND_SIG_PID" --pid -- sh -c "echo $((P - 1)) >/proc/sys/kernel/ns_last_pid; sleep 1000 & v=\$!; echo \$v >$T/victim; wait \$v; echo \$? >$T/victim.rc" &
VSH=$!
cleanup "kill_pid $VSH"
wait_file 10 "$T/victim" || die "no victim"
[ "$(cat "$T/victim")" = "$P" ] || skip "the victim got pid $(cat "$T/victim"), not $P"

wait_log 10 "did not stop within" || die "no stop timeout: $(cat "$LOG")"
wait_log 10 "restart in" || die "the run did not end: $(cat "$LOG")"
wait_file 2 "$T/victim.rc"
check "the process that got the leader's pid was not killed (status: $(cat "$T/victim.rc" 2>/dev/null || echo alive))" \
	test ! -e "$T/victim.rc"
tend_stop 10
check "tend ends (its sweep ends the rest): $TEND_RC" test "$TEND_RC" != timeout
