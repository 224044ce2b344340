#!/bin/bash
# tend-net as runc's hooks: `tend-net hook up` as createRuntime makes the
# veth, bridge and rules for the container (its INI read from the host's
# copy, BUNDLE/tend.ini, given with -c), 127.0.0.1:HOSTPORT reaches a listener in the
# container's network namespace, and `tend-net hook down` as poststop
# (runc delete) removes all of it. The container runs busybox, not tend, so
# the container side of the address is put in place by the test.
. "$TOP_SRCDIR/test/lib.sh"
. "$TOP_SRCDIR/test/integration/tendnet-lib.sh"

[ -x "$TEND_NET" ] || skip "tend-net not built"
need_cmd runc nsenter
BUSYBOX=$(command -v busybox) || skip "needs busybox (static)"
file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked' || ldd "$BUSYBOX" 2>&1 | grep -q 'not a dynamic' ||
	skip "busybox is not static"

T=$(mktmp)
X=$(( 16#$TID % 200 + 20 ))
NET=10.249.$X
ID=tnr-$TID
BR=tr$TID
HP=$(tn_free_port 5)
ROOT=$T/runc
B=$T/bundle

mkdir -p "$B/rootfs/bin" "$B/rootfs/etc/tend" "$B/rootfs/proc" "$B/rootfs/sys" "$B/rootfs/dev" "$ROOT"
cp "$BUSYBOX" "$B/rootfs/bin/busybox"
# The host's copy of the INI, outside the rootfs, root's (as tend-bundle
# writes it); the hooks get it with -c.
cat > "$B/tend.ini" <<EOF
[network]
interface = eth0
address = $NET.2/24
gateway = $NET.1
bridge = $BR
host_address = $NET.1/24
nat = yes
publish = $HP:5000/tcp

[service:app]
command = /bin/busybox sleep 3600
EOF
( cd "$B" && runc spec ) || die "runc spec"
# The hooks run with the environment given here and nothing else.
chmod 0600 "$B/tend.ini"
jq --arg tn "$TEND_NET" --arg ini "$B/tend.ini" --arg asan "${ASAN_OPTIONS:-}" '
	.process.args = ["/bin/busybox", "sleep", "3600"] |
	.process.terminal = false |
	.root.readonly = false |
	.hooks = {
		createRuntime: [{path: $tn, args: ["tend-net", "hook", "up", "-c", $ini], env: ["ASAN_OPTIONS=" + $asan]}],
		poststop: [{path: $tn, args: ["tend-net", "hook", "down", "-c", $ini], env: ["ASAN_OPTIONS=" + $asan]}]
	}' "$B/config.json" > "$B/config.json.new" && mv "$B/config.json.new" "$B/config.json"

tn_cleanup_name "$ID"
cleanup "ip link del '$BR'"
cleanup "runc --root '$ROOT' delete -f '$ID'"

runc --root "$ROOT" run -d -b "$B" "$ID" </dev/null >"$T/run.out" 2>&1
rc=$?
check_eq "runc run with the createRuntime hook exits 0 ($(tail -3 "$T/run.out"))" 0 "$rc"
[ "$rc" = 0 ] || exit 1
CPID=$(runc --root "$ROOT" state "$ID" | jq -r .pid)
check "container is running" test -d "/proc/$CPID"

check_eq "hook made one marked host end" 1 "$(tn_links_of "$ID" | grep -c .)"
check_eq "host end on the bridge" "$BR" "$(ip -j link show "$(tn_links_of "$ID")" | jq -r '.[0].master')"
check "eth0 is in the container" bash -c "nsenter -t $CPID -n ip link show eth0 >/dev/null"
check_eq "the container's 4 rules" 4 "$(tn_count_rules "$ID")"

# What tend would do inside: address, route; then a listener in there.
nsenter -t "$CPID" -n ip link set lo up
nsenter -t "$CPID" -n ip addr add "$NET.2/24" dev eth0
nsenter -t "$CPID" -n ip link set eth0 up
nsenter -t "$CPID" -n ip route add default via "$NET.1"
nsenter -t "$CPID" -n socat TCP-LISTEN:5000,reuseaddr,fork SYSTEM:"echo runc-$TID" &
SOCAT=$!
cleanup "kill_pid $SOCAT"
wait_until 5 bash -c "nsenter -t $CPID -n ss -Hltn 'sport = :5000' | grep -q ." || fail "listener did not start"
got=$(timeout 10 socat -T 5 - "TCP:127.0.0.1:$HP" </dev/null 2>&1)
check_eq "127.0.0.1:$HP reaches the container" "runc-$TID" "$got"
kill_pid "$SOCAT"

runc --root "$ROOT" kill "$ID" KILL
wait_until 10 bash -c "[ \"\$(runc --root '$ROOT' state '$ID' | jq -r .status)\" = stopped ]" || fail "container did not stop"
runc --root "$ROOT" delete "$ID" >"$T/del.out" 2>&1
check_eq "runc delete with the poststop hook exits 0 ($(tail -3 "$T/del.out"))" 0 $?
check "poststop hook left nothing of the container" tn_nothing_of "$ID"
check "bridge gone" bash -c "! ip link show '$BR' >/dev/null 2>&1"
check "table removed when empty" tn_table_clean
