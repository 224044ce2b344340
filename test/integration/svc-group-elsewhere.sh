#!/bin/bash
# A service cannot hold its own stop (and tend's shutdown) for ever by
# leaving, in its group, a process whose parent is outside the group: tend
# never reaps that one, so it never hears that it ended. After the SIGKILL
# tend looks again until the group is gone, and a member that is only a
# zombie (its parent never waits for it) counts as gone.
#   (a) the outside parent reaps at once (SIGCHLD ignored): the leader
#       exits, the member dies of SIGTERM, the service restarts.
#   (b) the outside parent never reaps: the member stays a zombie of the
#       group; the service still restarts after stop_timeout, and tend
#       still shuts down (its sweep ends the outside parent).
. "$TOP_SRCDIR/test/lib.sh"
. "$TOP_SRCDIR/test/integration/svc-lib.sh"
need_cmd /usr/bin/python3

# leave.py RUNS MODE: run n of the service; the first leaves a member in
# its group whose parent P is in another group of the same session, then
# exits 3. MODE reap: P ignores SIGCHLD (the kernel reaps for it); zombie:
# P never waits. Later runs stay.
cat >"$T/leave.py" <<'PY'
import os, signal, sys, time
runs, mode = sys.argv[1], sys.argv[2]
n = int(open(runs).read()) + 1 if os.path.exists(runs) else 1
open(runs, "w").write(str(n))
if n > 1:
    while True: time.sleep(1000)
leader = os.getpid()
r, w = os.pipe()
if os.fork() == 0:                      # P: outside the group
    os.setpgid(0, 0)
    if mode == "reap":
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    if os.fork() == 0:                  # the member, in the leader's group
        os.setpgid(0, leader)
        os.write(w, b"x")
        while True: time.sleep(1000)
    open(runs + ".p", "w").write(str(os.getpid()))
    while True: time.sleep(1000)
os.read(r, 1)
sys.exit(3)
PY
for mode in reap zombie; do
	cat >"$T/$mode.ini" <<EOT
[service:web]
command = /usr/bin/python3 $T/leave.py $T/$mode.runs $mode
restart = always
restart_delay = 0
stop_timeout = 1s
EOT
	: >"$LOG"
	tend_start "$T/$mode.ini"
	wait_file 10 "$T/$mode.runs.p" && cleanup "kill -KILL $(cat "$T/$mode.runs.p") 2>/dev/null"
	wait_until 8 grep -qx 2 "$T/$mode.runs"
	check_eq "($mode) the service ran again after its left member ended" 2 "$(cat "$T/$mode.runs" 2>/dev/null)"
	t0=$(now_ms)
	tend_stop 10
	t1=$(now_ms)
	check_eq "($mode) tend shuts down (0)" 0 "$TEND_RC"
	check "($mode) ... in under 5 s ($((t1 - t0)) ms)" test $((t1 - t0)) -lt 5000
	check "($mode) the outside parent is gone" proc_ended "$(cat "$T/$mode.runs.p")"
done
