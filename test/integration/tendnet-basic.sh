#!/bin/bash
# tend-net up/down by hand and as an OCI hook: the exact links, addresses
# and rules; 127.0.0.1:HOSTPORT reaching a listener in the container; up
# twice changing nothing; down leaving nothing, and never touching a
# foreign bridge or nft table.
. "$TOP_SRCDIR/test/lib.sh"
. "$TOP_SRCDIR/test/integration/tendnet-lib.sh"

[ -x "$TEND_NET" ] || skip "tend-net not built"
T=$(mktmp)
X=$(( 16#$TID % 200 + 20 ))
NET=10.250.$X
NAME=tnb-$TID
BR=tb$TID
HP=$(tn_free_port 1)

# Someone else's bridge and nft table, which must come out untouched.
FBR=fb$TID
ip link add "$FBR" type bridge || die "foreign bridge"
cleanup "ip link del '$FBR'"
ip addr add 10.253.$X.1/24 dev "$FBR"
FT=tfor$TID
nft add table ip "$FT" && cleanup "nft delete table ip '$FT'"
nft add chain ip "$FT" c '{ type nat hook postrouting priority 100; }'
nft add rule ip "$FT" c ip saddr 10.253.$X.0/24 masquerade comment '"not tend"'
foreign_before=$(nft -j list table ip "$FT" | jq -c .nftables[1:])
fbr_before=$(ip -j addr show "$FBR" | jq -c '[.[0].ifname, .[0].ifalias, [.[0].addr_info[] | select(.family=="inet") | .local]]')

tn_container PID "tn$TID"
tn_cleanup_name "$NAME"
cleanup "ip link del '$BR'"

# No [service:...]: tend-net needs only [network].
cat > "$T/tend.ini" <<EOF
[network]
interface = ceth0
address = $NET.2/24
gateway = $NET.1
bridge = $BR
host_address = $NET.1/24
nat = yes
publish = $HP:5000/tcp
EOF

"$TEND_NET" up -c "$T/tend.ini" --pid "$PID" --name "$NAME" 2>"$T/err"
rc=$?; check_eq "up exits 0 ($(cat "$T/err"))" 0 "$rc"

# --- links -----------------------------------------------------------------
check_eq "bridge is a bridge" bridge "$(ip -d -j link show "$BR" | jq -r '.[0].linkinfo.info_kind')"
check_eq "bridge marked as tend-net's" "tend-net bridge" "$(ip -j link show "$BR" | jq -r '.[0].ifalias')"
check "bridge is up" bash -c "ip -j link show '$BR' | jq -e '.[0].flags | index(\"UP\")' >/dev/null"
HOST=$(tn_links_of "$NAME")
check_eq "exactly one host end" 1 "$(echo "$HOST" | grep -c .)"
check "host end name derived, 15 chars at most" bash -c "[[ '$HOST' =~ ^tn[0-9a-f]{12}$ ]]"
check_eq "host end is a veth" veth "$(ip -d -j link show "$HOST" | jq -r '.[0].linkinfo.info_kind')"
check_eq "host end on the bridge" "$BR" "$(ip -j link show "$HOST" | jq -r '.[0].master')"
check "host end is up" bash -c "ip -j link show '$HOST' | jq -e '.[0].flags | index(\"UP\")' >/dev/null"
check "container end is in the container" bash -c "ip -n tn$TID link show ceth0 >/dev/null"
check "container end is not on the host" bash -c "! ip link show ceth0 2>/dev/null | grep -q ."
check_eq "bridge address, exactly" "$NET.1/24" \
	"$(ip -j addr show "$BR" | jq -r '[.[0].addr_info[] | select(.family=="inet") | "\(.local)/\(.prefixlen)"] | join(",")')"
check_eq "no IPv4 address on the host end" "" \
	"$(ip -j addr show "$HOST" | jq -r '[.[0].addr_info[] | select(.family=="inet") | .local] | join(",")')"
check_eq "ip_forward on" 1 "$(cat /proc/sys/net/ipv4/ip_forward)"
check_eq "route_localnet on the bridge" 1 "$(cat /proc/sys/net/ipv4/conf/$BR/route_localnet)"
check "record written" test -s "/run/tend-net/$NAME"

# --- rules -----------------------------------------------------------------
J=$(nft -j list table ip tend)
mine() { echo "$J" | jq -c --arg t "tend-net:$NAME" "[.nftables[] | select(.rule.comment == \$t) | .rule | $1]"; }
check_eq "4 rules tagged for the container" 4 "$(tn_count_rules "$NAME")"
check_eq "prerouting: DNAT of the host port" \
	"[{\"dport\":$HP,\"addr\":\"$NET.2\",\"port\":5000}]" \
	"$(mine 'select(.chain=="prerouting") | {dport: (.expr[] | select(.match.left.payload.field=="dport") | .match.right), addr: (.expr[] | select(.dnat) | .dnat.addr), port: (.expr[] | select(.dnat) | .dnat.port)}')"
check_eq "output: DNAT of the host port" \
	"[{\"dport\":$HP,\"addr\":\"$NET.2\",\"port\":5000}]" \
	"$(mine 'select(.chain=="output") | {dport: (.expr[] | select(.match.left.payload.field=="dport") | .match.right), addr: (.expr[] | select(.dnat) | .dnat.addr), port: (.expr[] | select(.dnat) | .dnat.port)}')"
check_eq "postrouting: 2 masquerades" 2 "$(mine 'select(.chain=="postrouting") | select(.expr[] | has("masquerade"))' | jq length)"
check "postrouting: the subnet is masqueraded" bash -c "echo '$J' | jq -e --arg t 'tend-net:$NAME' '[.nftables[] | select(.rule.comment == \$t) | .rule.expr[] | select(.match.left.payload.field==\"saddr\") | .match.right.prefix.addr] | index(\"$NET.0\")' >/dev/null"
check "base chains are nat hooks" bash -c "echo '$J' | jq -e '[.nftables[] | select(.chain) | .chain | \"\(.name):\(.type):\(.hook)\"] | sort == [\"output:nat:output\",\"postrouting:nat:postrouting\",\"prerouting:nat:prerouting\"]' >/dev/null"

# --- traffic: 127.0.0.1:HP on the host reaches the container's 5000 -------
ip -n "tn$TID" link set lo up
ip -n "tn$TID" addr add "$NET.2/24" dev ceth0
ip -n "tn$TID" link set ceth0 up
ip -n "tn$TID" route add default via "$NET.1"
ip netns exec "tn$TID" socat TCP-LISTEN:5000,reuseaddr,fork SYSTEM:"echo hello-$TID" &
SOCAT=$!
cleanup "kill_pid $SOCAT"
wait_until 5 bash -c "ip netns exec tn$TID ss -Hltn 'sport = :5000' | grep -q ." || fail "listener did not start"
got=$(timeout 10 socat -T 5 - "TCP:127.0.0.1:$HP" </dev/null 2>&1)
check_eq "127.0.0.1:$HP reaches the listener in the container" "hello-$TID" "$got"

# --- up twice: nothing changes ---------------------------------------------
snap() {
	{
		ip -j link | jq -c --arg t "tend-net:$NAME" '[.[] | select(.ifalias == $t or .ifname == "'"$BR"'") | [.ifindex, .ifname, .master, .ifalias]]'
		ip -j addr show "$BR" | jq -c '[.[0].addr_info[] | select(.family=="inet") | .local]'
		nft -j list table ip tend | jq -c --arg t "tend-net:$NAME" '[.nftables[] | select(.rule.comment == $t)]'
		ip -n "tn$TID" -j link | jq -c '[.[] | .ifname]'
	}
}
before=$(snap)
"$TEND_NET" up -c "$T/tend.ini" --pid "$PID" --name "$NAME" 2>"$T/err"
rc=$?; check_eq "second up exits 0 ($(cat "$T/err"))" 0 "$rc"
check_eq "second up changes nothing (links, addresses, rules and handles)" "$before" "$(snap)"

# --- down ------------------------------------------------------------------
"$TEND_NET" down --name "$NAME" 2>"$T/err"
rc=$?; check_eq "down exits 0 ($(cat "$T/err"))" 0 "$rc"
check "nothing of the container left (links, rules, record)" tn_nothing_of "$NAME"
check "bridge tend-net made is gone" bash -c "! ip link show '$BR' 2>/dev/null | grep -q ."
check "container end went with it" bash -c "! ip -n tn$TID link show ceth0 2>/dev/null | grep -q ."
check "table removed when empty" tn_table_clean
check_eq "foreign nft table untouched" "$foreign_before" "$(nft -j list table ip "$FT" | jq -c .nftables[1:])"
check_eq "foreign bridge untouched" "$fbr_before" \
	"$(ip -j addr show "$FBR" | jq -c '[.[0].ifname, .[0].ifalias, [.[0].addr_info[] | select(.family=="inet") | .local]]')"
"$TEND_NET" down --name "$NAME" 2>"$T/err"
check_eq "down again: exits 0" 0 $?
check_eq "down again: quiet" "" "$(cat "$T/err")"
"$TEND_NET" down --name "never-upped-$TID" 2>"$T/err"
check_eq "down of a name never upped: exits 0, quietly" "0:" "$?:$(cat "$T/err")"

# --- as an OCI hook, without a bridge: host_address on the host end -------
B=$T/bundle
mkdir -p "$B/rootfs/etc/tend"
echo '{"ociVersion":"1.0.2","root":{"path":"rootfs"}}' > "$B/config.json"
HN=th$TID
HNAME=tnh-$TID
tn_cleanup_name "$HNAME"
# The host's copy of the INI, outside the rootfs (what tend-bundle writes).
cat > "$B/tend.ini" <<EOF
[network]
interface = eth0
address = 10.254.$X.2/30
host_interface = $HN
host_address = 10.254.$X.1/30

[service:app]
command = sleep 1
EOF
printf '{"ociVersion":"1.0.2","id":"%s","status":"creating","pid":%d,"bundle":"%s","annotations":{}}' \
	"$HNAME" "$PID" "$B" | "$TEND_NET" hook up -c "$B/tend.ini" 2>"$T/err"
rc=$?; check_eq "hook up exits 0 ($(cat "$T/err"))" 0 "$rc"
check_eq "hook: host end named host_interface, marked" "$HN" "$(tn_links_of "$HNAME")"
check_eq "hook: host_address on the host end" "10.254.$X.1/30" \
	"$(ip -j addr show "$HN" | jq -r '[.[0].addr_info[] | select(.family=="inet") | "\(.local)/\(.prefixlen)"] | join(",")')"
check_eq "hook: no master" null "$(ip -j link show "$HN" | jq -r '.[0].master')"
check "hook: eth0 in the container" bash -c "ip -n tn$TID link show eth0 >/dev/null"
check_eq "hook: no rules (no nat, no publish)" 0 "$(tn_count_rules "$HNAME")"
# poststop: the process is gone, the state has no pid.
printf '{"ociVersion":"1.0.2","id":"%s","status":"stopped","bundle":"%s"}' "$HNAME" "$B" |
	"$TEND_NET" hook down -c "$B/tend.ini" 2>"$T/err"
rc=$?; check_eq "hook down exits 0 ($(cat "$T/err"))" 0 "$rc"
check "hook down: nothing left" tn_nothing_of "$HNAME"
check "hook down: host end gone" bash -c "! ip link show '$HN' 2>/dev/null | grep -q ."
