#!/bin/bash
# A service that cannot be started because fork() fails (EAGAIN under a
# pids limit) is an event with a clear log line and the restart policy,
# never a crash of tend: tend runs in a pids cgroup that leaves no room for
# the second service; once the limit is raised, that service starts.
. "$TOP_SRCDIR/test/lib.sh"
need_root
tmp=$(mktmp)

# A pids cgroup of our own: cgroup v1's pids hierarchy, or cgroup v2.
if [ -f /sys/fs/cgroup/pids/cgroup.procs ]; then
	cg=/sys/fs/cgroup/pids/tend-test-$TID
elif grep -qw pids /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
	grep -qw pids /sys/fs/cgroup/cgroup.subtree_control || skip "pids controller not enabled for children"
	cg=/sys/fs/cgroup/tend-test-$TID
else
	skip "no pids cgroup controller"
fi
mkdir "$cg" || skip "cannot make a cgroup"
cleanup "rmdir '$cg'"
echo 2 >"$cg/pids.max"

cat >"$tmp/tend.ini" <<INI
[tend]
control =
[service:first]
command = sleep 1000
[service:second]
command = sleep 1001
restart_delay = 100ms
restart_delay_max = 200ms
INI
# tend and its first service fill the cgroup; the second fork fails.
sh -c 'echo $$ >"$1/cgroup.procs" && exec "$2" -c "$3"' sh "$cg" "$TEND" "$tmp/tend.ini" 2>"$tmp/log" &
tpid=$!
cleanup "kill -TERM $tpid; wait $tpid"
wait_until 10 grep -q "second: cannot start: fork: Resource temporarily unavailable" "$tmp/log"
check "the failed fork is logged with its reason" grep -q "second: cannot start: fork: Resource temporarily unavailable" "$tmp/log"
wait_until 10 sh -c "[ \$(grep -c 'second: cannot start: fork' '$tmp/log') -ge 3 ]"
check "and retried under the restart policy" sh -c "grep -q 'second: exited with 126, restart in' '$tmp/log'"
check "tend is still running" kill -0 "$tpid"
echo 10 >"$cg/pids.max"
check "with room again, the service starts" wait_until 10 grep -q "second: started" "$tmp/log"
kill -TERM "$tpid"
wait "$tpid"
check_eq "orderly shutdown afterwards: exit 0" 0 "$?"
