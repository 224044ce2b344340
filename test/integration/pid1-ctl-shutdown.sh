#!/bin/bash
# As PID 1, `tendctl shutdown` entered into the namespace (as `runc exec`
# does: nsenter, so tendctl is not a descendant of tend) gets its answer
# and exits 0: the final sweep of leftover processes waits for it instead
# of SIGTERMing it mid-read (exit 143). Repeated, since it was a race; and
# a leftover process started the same way still gets SIGTERM.
. "$TOP_SRCDIR/test/lib.sh"
need_root
need_cmd unshare nsenter
[ -x "$TENDCTL" ] || skip "needs $TENDCTL (make builds it)"
tmp=$(mktmp)
RUNS=${RUNS:-12}

cat >"$tmp/tend.ini" <<INI
[tend]
control = $tmp/ctl.sock
[service:a]
command = sleep 1000
INI
bad=0 msgs=""
for i in $(seq "$RUNS"); do
	rm -f "$tmp/ctl.sock"
	unshare --pid --fork --mount-proc "$TEND" -c "$tmp/tend.ini" 2>>"$tmp/log" &
	outer=$!
	cleanup "kill -KILL $outer"
	wait_until 5 sh -c "pgrep -P $outer >/dev/null" || die "tend did not start"
	inner=$(pgrep -P "$outer")
	wait_until 10 sh -c "'$TENDCTL' -s '$tmp/ctl.sock' status >/dev/null 2>&1" || die "no control socket"
	# A process of the namespace that is not tend's, like a runc exec
	# shell left behind: the sweep must still end it.
	if [ "$i" = 1 ]; then
		nsenter -t "$inner" -p -- sleep 1000 &
		left=$!
		cleanup "kill -KILL $left"
		wait_until 5 sh -c "pgrep -P $left >/dev/null || ! kill -0 $left" || true
	fi
	out=$(nsenter -t "$inner" -p -- "$TENDCTL" -s "$tmp/ctl.sock" shutdown 2>&1); rc=$?
	if [ "$rc" != 0 ] || [ "$out" != "shutting down" ]; then
		bad=$((bad + 1)); msgs="$msgs [run $i: exit $rc '$out']"
	fi
	wait "$outer"; trc=$?
	[ "$trc" = 0 ] || { bad=$((bad + 1)); msgs="$msgs [run $i: tend exit $trc]"; }
	if [ "$i" = 1 ]; then
		wait "$left"; lrc=$?
		check_eq "a leftover entered like runc exec still gets SIGTERM" 143 "$lrc"
	fi
done
check_eq "tendctl shutdown: answered and exit 0, tend exit 0, in each of $RUNS runs${msgs}" 0 "$bad"
check "no sanitizer report" bash -c "! grep -q Sanitizer '$tmp/log'"
