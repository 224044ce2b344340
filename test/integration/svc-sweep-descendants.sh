#!/bin/bash
# The last sweep of a tend that is not PID 1 (a subreaper on the host)
# reaches all of its descendants, as the contract says, not only its
# children: a grandchild in a session of its own, whose parent is itself a
# leftover, gets SIGTERM together with its parent and may clean up, instead
# of coming to tend after the sweep and getting only SIGKILL 2 s later.
. "$TOP_SRCDIR/test/lib.sh"
. "$TOP_SRCDIR/test/integration/svc-lib.sh"

# a.sh: a process in a session of its own (left over when the service
# stops), parent of b.sh, in yet another session.
cat >"$T/a.sh" <<EOT
setsid sh "$T/b.sh" &
echo \$\$ >"$T/a.pid"
while :; do sleep 0.2; done
EOT
# b.sh: cleans up on SIGTERM.
cat >"$T/b.sh" <<EOT
trap 'echo got-term >>"$T/b"; exit 0' TERM
echo \$\$ >"$T/b.pid"
while :; do sleep 0.2; done
EOT
cat >"$T/tend.ini" <<EOT
[service:web]
command = /bin/sh -c 'setsid sh "$T/a.sh" & exec sleep infinity'
EOT
tend_start "$T/tend.ini"
wait_file 10 "$T/b.pid" || die "the grandchild did not start: $(cat "$LOG")"
wait_file 10 "$T/a.pid"
A=$(cat "$T/a.pid") B=$(cat "$T/b.pid")
cleanup "kill -KILL $A $B 2>/dev/null"
check "the grandchild is not tend's child" test "$(awk '{print $4}' "/proc/$B/stat")" = "$A"
t0=$(now_ms)
tend_stop 10
t1=$(now_ms)
check_eq "tend ends with 0" 0 "$TEND_RC"
check_eq "the grandchild got SIGTERM in the sweep (its handler ran)" got-term "$(cat "$T/b" 2>/dev/null)"
check "the leftover is gone" proc_ended "$A"
check "the grandchild is gone" proc_ended "$B"
check "no 2 s wait for a SIGKILL ($((t1 - t0)) ms)" test $((t1 - t0)) -lt 1900
