#!/bin/bash
# Single-command mode forwards every signal of tini's set to the command,
# real-time signals included, and none of the excluded ones.
. "$TOP_SRCDIR/test/lib.sh"
need_root
tmp=$(mktmp)
recv="$TOP_BUILDDIR/test/tools/sigrecv"
[ -x "$recv" ] || die "build test/tools first (make check)"

run_case() { # $1: label, $2...: how to start tend
	local label=$1; shift
	: >"$tmp/log"; rm -f "$tmp/stop"
	"$@" "$TEND" -- "$recv" "$tmp/log" "$tmp/stop" 2>"$tmp/err" &
	local tpid=$!
	cleanup "kill -KILL $tpid"
	wait_until 10 grep -q ready "$tmp/log" || { fail "$label: receiver did not start"; return; }
	# The pid that receives signals for tend: with unshare --fork, its child.
	local target=$tpid
	if [ "$label" = "pid1" ]; then
		wait_until 5 sh -c "pgrep -P $tpid >/dev/null" || true
		target=$(pgrep -P "$tpid" | head -1)
	fi
	local sigs="" s
	for s in $(seq 1 64); do
		case $s in 9|19|17|4|5|6|7|8|11|31|21|22|32|33) continue;; esac  # KILL STOP CHLD sync TTIN TTOU glibc
		kill -"$s" "$target" 2>/dev/null || continue
		sigs="$sigs $s"
		wait_until 5 grep -qx "$s" "$tmp/log" || fail "$label: signal $s not forwarded"
	done
	ok "$label: forwarded:$sigs"
	# Excluded: TTIN/TTOU are not forwarded (tend ignores them for itself).
	kill -TTIN "$target"; kill -USR1 "$target"
	wait_until 5 grep -qx 10 "$tmp/log"
	check "$label: SIGTTIN not forwarded" sh -c "! grep -qx 21 '$tmp/log'"
	touch "$tmp/stop"; kill -USR1 "$target"
	wait "$tpid"
	check_eq "$label: exit status after the command ends" 0 "$?"
}
run_case subreaper env
run_case pid1 unshare --pid --fork --mount-proc
