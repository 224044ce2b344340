#!/bin/bash
# Orphans are reaped through libev's loop, none left a zombie: 100,000
# double-forked orphans with tend as PID 1 of its own PID namespace, and
# 10,000 with tend as a subreaper on the host (PR_SET_CHILD_SUBREAPER).
. "$TOP_SRCDIR/test/lib.sh"
need_root
tmp=$(mktmp)
orphans="$TOP_BUILDDIR/test/tools/orphans"

out=$(unshare --pid --fork --mount-proc "$TEND" -- "$orphans" 100000 2>"$tmp/err")
rc=$?
echo "$out"
check_eq "as PID 1: 100,000 orphans reaped, no zombie left" 0 "$rc"

out=$("$TEND" -- "$orphans" 10000 2>"$tmp/err")
rc=$?
echo "$out"
check_eq "as a subreaper: 10,000 orphans reaped, no zombie left" 0 "$rc"

# Without the subreaper flag the orphans would go to the host's init and
# tend would never see them: prove tend is the one that adopts them. The
# command's inner shell leaves a sleep behind; the command watches whose
# child it becomes.
"$TEND" -- sh -c "
	sh -c 'sleep 30 & echo \$! > $tmp/orphan'
	o=\$(cat $tmp/orphan)
	for i in \$(seq 500); do
		p=\$(ps -o ppid= -p \$o | tr -d ' ')
		[ \"\$p\" = \$PPID ] && break
		sleep 0.01
	done
	echo \$p > $tmp/ppid" 2>/dev/null &
tpid=$!
cleanup "kill -KILL $tpid"
wait "$tpid"
check_eq "an orphan is re-parented to tend" "$tpid" "$(cat "$tmp/ppid")"
check "and ended with tend's leftovers" sh -c "! kill -0 $(cat "$tmp/orphan") 2>/dev/null"
