#!/bin/bash
# Exit statuses of single-command mode, as tini gives them: the command's
# code for 0..255, 128+N for a death by signal N, 127 when the program does
# not exist, 126 when it cannot be executed; usage errors 64. As a
# subreaper and as PID 1 of its own PID namespace.
. "$TOP_SRCDIR/test/lib.sh"
need_root
tmp=$(mktmp)

bad=""
for code in $(seq 0 255); do
	"$TEND" -- sh -c "exit $code" 2>/dev/null
	rc=$?
	[ "$rc" = "$code" ] || bad="$bad $code->$rc"
done
check_eq "exit codes 0..255 passed through" "" "$bad"

sigconf="$TOP_BUILDDIR/test/tools/sigconf"
for sig in HUP INT TERM USR1 KILL SEGV ABRT; do
	n=$(kill -l "$sig")
	# sigconf: default dispositions, whatever the runner ignored (INT).
	"$sigconf" - - -- "$TEND" -- sh -c "kill -$sig \$\$" 2>/dev/null
	check_eq "death by SIG$sig gives 128+$n" "$((128 + n))" "$?"
done

"$TEND" -- /nonexistent/program 2>"$tmp/err"
check_eq "missing program gives 127" 127 "$?"
check "the reason is logged" grep -q "cannot execute '/nonexistent/program': No such file" "$tmp/err"
printf '#!/bin/sh\n' >"$tmp/noexec"; chmod 644 "$tmp/noexec"
"$TEND" -- "$tmp/noexec" 2>/dev/null
check_eq "non-executable program gives 126" 126 "$?"

"$TEND" 2>"$tmp/err" </dev/null
check_eq "nothing to run is a usage error" 64 "$?"
check "and says so" grep -q "nothing to run" "$tmp/err"
"$TEND" --no-such-flag 2>/dev/null
check_eq "an unknown flag is a usage error" 64 "$?"
"$TEND" -c "$tmp/missing.ini" 2>"$tmp/err"
check_eq "an unreadable -c file is a configuration error" 78 "$?"
check "named with its reason" grep -qi "missing.ini: .*no such file" "$tmp/err"
"$TEND" --version | grep -q '^tend '
check_eq "--version" 0 "$?"

for code in 0 3 255; do
	unshare --pid --fork --mount-proc "$TEND" -- sh -c "test \$PPID = 1 || exit 99; exit $code" 2>/dev/null
	check_eq "as PID 1: exit $code" "$code" "$?"
done
unshare --pid --fork --mount-proc "$TEND" -- sh -c 'kill -TERM $$' 2>/dev/null
check_eq "as PID 1: killed by TERM gives 143" 143 "$?"
