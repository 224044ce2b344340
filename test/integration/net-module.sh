#!/bin/bash
# The network code is a module, tend-netc.so, loaded only for a [network]
# section: a tend without one never maps libnl; with one, the module is
# there and logs in tend's format (JSON too); a missing module is a clear
# error and exit 70.
. "$TOP_SRCDIR/test/lib.sh"
need_root
need_cmd unshare jq
tmp=$(mktmp)

cat >"$tmp/plain.ini" <<INI
[tend]
control =
[service:s]
command = sleep 1000
INI
"$TEND" -c "$tmp/plain.ini" 2>"$tmp/plain.log" &
tpid=$!
cleanup "kill -TERM $tpid; wait $tpid"
wait_until 10 grep -q "s: ready" "$tmp/plain.log" || die "tend did not start"
check "no [network]: libnl is not mapped" sh -c "! grep -q 'libnl' /proc/$tpid/maps"
check "no [network]: the module is not loaded" sh -c "! grep -q 'tend-netc.so' /proc/$tpid/maps"
kill -TERM "$tpid"; wait "$tpid"

cat >"$tmp/net.ini" <<INI
[tend]
control =
log = json
[network]
[service:s]
command = sleep 1000
INI
unshare --net --pid --fork --mount-proc "$TEND" -c "$tmp/net.ini" 2>"$tmp/net.log" &
upid=$!
cleanup "kill -KILL $upid"
wait_until 10 grep -q '"service":"s"' "$tmp/net.log" || die "tend did not start with [network]"
inner=$(pgrep -P "$upid")
check "[network]: the module is loaded" grep -q 'tend-netc.so' "/proc/$inner/maps"
check "[network]: with libnl" grep -q 'libnl-route-3' "/proc/$inner/maps"
check "the module logs as tend does (JSON)" \
	sh -c "jq -e -s 'any(.msg | test(\"network ready\"))' '$tmp/net.log' >/dev/null"
kill -TERM "$inner"; wait "$upid"

# tend alone in a folder, no module next to it (nor installed): exit 70.
if [ -e /usr/lib/tend/tend-netc.so ] || [ -e /usr/local/lib/tend/tend-netc.so ]; then
	skip "a tend-netc.so is installed on this machine: the missing-module case cannot be shown"
fi
mkdir "$tmp/alone"
cp "$TEND" "$tmp/alone/tend"
unshare --net --pid --fork --mount-proc "$tmp/alone/tend" -c "$tmp/net.ini" 2>"$tmp/alone.log"
check_eq "missing module: exit 70" 70 "$?"
check "and says which file it looked for" grep -q 'cannot load the network module tend-netc.so' "$tmp/alone.log"
