#!/bin/bash
# `tendctl restart B` (and `start B`) while B is `waiting` for `after = A`
# does not start B: it stays waiting, and starts once, when A is ready.
. "$TOP_SRCDIR/test/lib.sh"
. "$TOP_SRCDIR/test/integration/ctl-lib.sh"

cat >"$T/tend.ini" <<EOF2
[tend]
control = $SOCK

[service:a]
command = sleep 1000
ready = exec:test -e $T/go

[service:b]
command = sh -c "date +%s%3N >>$T/b.stamp; exec sleep 1000"
after = a
EOF2
tend_start "$T/tend.ini"
ctl_up 10 || die "the control socket does not answer; log: $(cat "$LOG")"
wait_until 10 state_is a running || die "a not running: $(cat "$LOG")"
check_eq "b waits for a" waiting "$(svc_state b)"

out=$(ctl restart b 2>&1); rc=$?
check_eq "tendctl restart b: exit 0" 0 "$rc"
check_eq "tendctl restart b: says it waits" "b: waiting" "$out"
out=$(ctl start b 2>&1); rc=$?
check_eq "tendctl start b: refused" 1 "$rc"
check "tendctl start b: says why" grep -q "'b' is waiting for what it is after" <<<"$out"
# The loop has answered both requests: a start would have forked already.
sleep 0.3
check "b: no process while a is not ready" test ! -e "$T/b.stamp"
check_eq "b: still waiting" waiting "$(svc_state b)"
check_eq "b: no pid" "" "$(svc_pid_of b)"

t_go=$(now_ms)
touch "$T/go"
check "a ready" wait_until 10 state_is a ready
check "b started once a was ready" wait_until 10 state_is b ready
check_eq "b started once" 1 "$(wc -l <"$T/b.stamp" 2>/dev/null || echo 0)"
check "b started after a was ready" test "$(head -1 "$T/b.stamp" 2>/dev/null || echo 0)" -ge "$t_go"
tend_stop
check_eq "exit 0" 0 "$TEND_RC"
