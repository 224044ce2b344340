#!/usr/bin/env bash
# (r2) tendctl without -s uses the `control` path that /etc/tend/tend.ini
# names, else /run/tend.sock. Each case runs tendctl in a private mount
# namespace whose /etc is a tmpfs the test fills: the host's /etc is never
# touched. A FIFO there never hangs tendctl; -s always wins.
. "$TOP_SRCDIR/test/lib.sh"
. "$TOP_SRCDIR/test/integration/svc-lib.sh"
need_root
need_cmd unshare mkfifo timeout
sock=$T/ctl.sock
cat >"$T/tend.ini" <<INI
[tend]
control = $sock

[service:web]
command = sleep 1000
INI
tend_start "$T/tend.ini"
wait_until 10 test -S "$sock" || die "no control socket"

# in_etc KIND CMD...: CMD with /etc/tend/tend.ini as KIND: file (the text
# on stdin), fifo, none.
in_etc() {
	local kind=$1; shift
	cat >"$T/etc-text"
	timeout 10 unshare --mount --propagation private sh -c '
		T=$1 kind=$2; shift 2
		mount -t tmpfs tmpfs /etc || exit 111
		mkdir /etc/tend
		case $kind in
		file) cp "$T/etc-text" /etc/tend/tend.ini;;
		fifo) mkfifo /etc/tend/tend.ini;;
		esac
		exec "$@"' sh "$T" "$kind" "$@"
}

out=$(printf '[service:x]\ncommand = true\n[tend]\n  control =  %s  \n' "$sock" | in_etc file "$TENDCTL" status 2>&1)
check_eq "the file's control path is used: exit 0" 0 "$?"
check "the file's control path is used: web listed" grep -q '^web ' <<<"$out"

out=$(printf '[tend]\ncontrol =\n' | in_etc file "$TENDCTL" status 2>&1)
rc=$?
check "control = (none): the default is tried ($rc: $out)" grep -q '/run/tend.sock' <<<"$out"

out=$(printf '[other]\ncontrol = %s\n' "$sock" | in_etc file "$TENDCTL" status 2>&1)
check "control outside [tend] is not tend's: the default is tried" grep -q '/run/tend.sock' <<<"$out"

out=$(in_etc none "$TENDCTL" status 2>&1 </dev/null)
check "no file: the default is tried" grep -q '/run/tend.sock' <<<"$out"

out=$(in_etc fifo "$TENDCTL" status 2>&1 </dev/null)
rc=$?
check "a FIFO there: tendctl does not hang (exit $rc)" [ "$rc" != 124 ]
check "a FIFO there: the default is tried" grep -q '/run/tend.sock' <<<"$out"

out=$(printf '[tend]\ncontrol = /nonexistent/x.sock\n' | in_etc file "$TENDCTL" -s "$sock" status 2>&1)
check_eq "-s wins over the file: exit 0" 0 "$?"

out=$(printf '[tend]\ncontrol = /nonexistent/x.sock\n' | in_etc file "$TENDCTL" status 2>&1)
check_eq "a path that is not there: 69" 69 "$?"
check "a path that is not there: named" grep -q '/nonexistent/x.sock' <<<"$out"
tend_stop
check_eq "tend ends with 0" 0 "$TEND_RC"
