#!/bin/bash
# `tendctl logs` (issue 15): the last log_buffer bytes of a tagged
# service's output, kept by tend. Two `logs -f` followers while the service
# writes both get every line, in order, none lost; `-n LINES` gives the
# last lines; a service's own process may read logs too (status-like);
# a service whose output tend does not relay has none; followers are
# bounded (the one past the bound is refused, the others go on).
. "$TOP_SRCDIR/test/lib.sh"
need_root
need_cmd /usr/bin/python3
. "$TOP_SRCDIR/test/integration/ctl-lib.sh"

N=30000
cat >"$T/count.py" <<'PY'
import os, sys, time
n = int(sys.argv[1])
while not os.path.exists(sys.argv[2]):
    time.sleep(0.01)
for i in range(1, n + 1):
    os.write(1, b"line %d\n" % i)
    if i % 100 == 0:
        time.sleep(0.005)
time.sleep(1000)
PY
cat >"$T/tend.ini" <<EOT
[tend]
control = $SOCK
[service:count]
command = /usr/bin/python3 $T/count.py $N $T/go
stdout = tagged
[service:peek]
command = sh -c 'while ! grep -qx "line $N" $T/peek.out 2>/dev/null; do "$TENDCTL" -s $SOCK logs -n 1 count >$T/peek.out 2>$T/peek.err; sleep 0.1; done; exec sleep 1000'
[service:plain]
command = sleep 1000
EOT
tend_start "$T/tend.ini"
ctl_up 10 || fail "control socket up"
wait_log 10 "$(svclog count)started"

"$TENDCTL" -s "$SOCK" logs -f count >"$T/f1" 2>"$T/f1.err" & F1=$!
cleanup "kill -KILL $F1"
"$TENDCTL" -s "$SOCK" logs -f count >"$T/f2" 2>"$T/f2.err" & F2=$!
cleanup "kill -KILL $F2"
# Both connected before the first line.
wait_until 10 sh -c "[ \$(ls /proc/$F1/fd /proc/$F2/fd 2>/dev/null | wc -l) -gt 0 ]"
sleep 0.3
touch "$T/go"
wait_until 60 grep -qx "line $N" "$T/f1" || fail "follower 1 got the last line"
wait_until 60 grep -qx "line $N" "$T/f2" || fail "follower 2 got the last line"
seqok() { /usr/bin/python3 -c '
import sys
got = [l.rstrip("\n") for l in open(sys.argv[1])]
assert got == ["line %d" % i for i in range(1, int(sys.argv[2]) + 1)], (len(got), got[:3])' "$1" "$N"; }
check "follower 1: every line, in order" seqok "$T/f1"
check "follower 2: every line, in order" seqok "$T/f2"
check_eq "followers: nothing lost, nothing on stderr" "" "$(cat "$T/f1.err" "$T/f2.err")"
kill -TERM "$F1" "$F2"
wait_until 5 proc_ended "$F1" && wait_until 5 proc_ended "$F2" || fail "followers end on SIGTERM"

check_eq "logs -n 3: the last three lines" "line $((N-2))|line $((N-1))|line $N" "$(ctl logs -n 3 count | paste -sd'|')"
ctl logs count >"$T/all"
check "logs: the last 64K (log_buffer) of lines, whole, ending with the last" /usr/bin/python3 -c '
import sys, os
got = [l.rstrip("\n") for l in open(sys.argv[1])]
n = int(sys.argv[2])
assert got[-1] == "line %d" % n and len(got) > 1000
first = int(got[0].split()[1])
assert got == ["line %d" % i for i in range(first, n + 1)]
assert os.path.getsize(sys.argv[1]) <= 65536' "$T/all" "$N"
wait_until 20 grep -qx "line $N" "$T/peek.out"
check_eq "a service's own process may read logs" "line $N" "$(cat "$T/peek.out")"
out=$(ctl logs plain 2>&1); rc=$?
check_eq "logs of a service tend does not relay: exit 1" 1 "$rc"
check "  ... and says why" grep -q "not relayed through tend" <<<"$out"
check_eq "logs of an unknown service: exit 1" 1 "$(ctl_rc logs nosuch)"
check_eq "logs without a name: usage, 64" 64 "$(ctl_rc logs)"

# The bound: 16 followers, the 17th is refused; the first ones go on.
pids=()
for i in $(seq 1 16); do
	"$TENDCTL" -s "$SOCK" logs -f count >"$T/b$i" 2>&1 & pids+=($!)
	cleanup "kill -KILL $!"
done
wait_until 10 sh -c "for i in \$(seq 1 16); do [ -s $T/b\$i ] || exit 1; done"
out=$(timeout 5 "$TENDCTL" -s "$SOCK" logs -f count 2>&1); rc=$?
check_eq "the 17th follower: refused, exit 1" 1 "$rc"
check "  ... with the reason" grep -q "too many followers" <<<"$out"
check_eq "status still answers" 0 "$(ctl_rc status)"
kill -TERM "${pids[@]}"
tend_stop
check_eq "tend ends cleanly" 0 "$TEND_RC"
