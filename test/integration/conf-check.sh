#!/bin/bash
# tend --check against the corpus: every file of test/corpus/invalid/ exits
# 78 and prints, first, the error its "# expect: LINE: MESSAGE" line names,
# as FILE:LINE: (FILE: when LINE is 0); every file of test/corpus/valid/
# exits 0. Also: an unreadable -c FILE is 78 with "FILE: reason", and a
# [service:main] in a file given with `-- COMMAND` is 78.
. "$TOP_SRCDIR/test/lib.sh"
[ -x "$TEND" ] || skip "no $TEND"

tmp=$(mktemp -d /tmp/tend-conf-check.XXXXXX)
cleanup "rm -rf '$tmp'"
unset TEND_TEST_SURELY_UNSET TEND_TEST_UNSET_VAR
export TEND_TEST_VAR=value

for f in "$TOP_SRCDIR"/test/corpus/invalid/*.ini; do
	first=$(head -n 1 "$f" | sed 's/^\xef\xbb\xbf//; s/\r$//')
	line=${first#\# expect: }
	line=${line%%:*}
	msg=${first#\# expect: *: }
	rc=0
	"$TEND" --check -c "$f" 2>"$tmp/err" >/dev/null || rc=$?
	if [ "$line" = 0 ]; then prefix="$f: "; else prefix="$f:$line: "; fi
	got=$(grep -v ": warning: " "$tmp/err" | head -n 1)
	if [ "$rc" = 78 ] && [ "${got#"$prefix"}" != "$got" ] && [[ "$got" == *"$msg"* ]]; then
		ok "$(basename "$f"): 78, $line: $msg"
	else
		fail "$(basename "$f"): exit $rc, '$got' (want 78 and '$prefix...$msg...')"
	fi
done

for f in "$TOP_SRCDIR"/test/corpus/valid/*.ini; do
	rc=0
	"$TEND" --check -c "$f" 2>"$tmp/err" >/dev/null || rc=$?
	check "$(basename "$f"): valid (exit $rc: $(grep -v warning "$tmp/err" | head -n 1))" test "$rc" = 0
done

rc=0
"$TEND" --check -c "$tmp/missing.ini" 2>"$tmp/err" || rc=$?
check_eq "unreadable file: 78" 78 "$rc"
check_eq "unreadable file: FILE: reason" "$tmp/missing.ini: no such file or directory" "$(head -n 1 "$tmp/err")"

printf '[service:main]\ncommand = /bin/true\n' >"$tmp/main.ini"
rc=0
"$TEND" --check -c "$tmp/main.ini" -- /bin/true 2>"$tmp/err" || rc=$?
check_eq "[service:main] with -- COMMAND: 78" 78 "$rc"
check "[service:main] with -- COMMAND: at line 1" grep -q "^$tmp/main.ini:1: \[service:main\]" "$tmp/err"

printf '[tend]\nlog = json\n' >"$tmp/noservice.ini"
rc=0
"$TEND" --check -c "$tmp/noservice.ini" 2>/dev/null || rc=$?
check_eq "no service and no command: 78" 78 "$rc"
rc=0
"$TEND" --check -c "$tmp/noservice.ini" -- /bin/true 2>/dev/null || rc=$?
check_eq "no service but a command: 0" 0 "$rc"

# (r2) An `after` naming no service is an error; the contract's own
# example defines db and migrate and passes as written; with `-- COMMAND`,
# `after = main` names that command.
rc=0
"$TEND" --check -c "$TOP_SRCDIR/test/corpus/valid/contract-example.ini" 2>"$tmp/err" || rc=$?
check_eq "the contract's example passes" 0 "$rc"
printf '[service:web]\ncommand = /bin/true\nafter = main\n' >"$tmp/after-main.ini"
rc=0
"$TEND" --check -c "$tmp/after-main.ini" -- /bin/true 2>"$tmp/err" || rc=$?
check_eq "after = main with -- COMMAND: 0" 0 "$rc"
rc=0
"$TEND" --check -c "$tmp/after-main.ini" 2>"$tmp/err" || rc=$?
check_eq "after = main without a command: 78" 78 "$rc"
check "... FILE:LINE: named" grep -q "after-main.ini:3: 'after' names unknown service 'main'" "$tmp/err"
