#!/bin/bash
# tend-net with IPv6: a dual-stack container (host_address = one IPv4 and
# one IPv6), in a namespace that plays the host, with an "outside"
# namespace behind the host's uplink. Asserts: `nat` masquerades IPv6 (the
# outside sees the host's uplink address, not the container's); `publish`
# forwards IPv6 from the outside and from the host itself (to the host's
# own IPv6 address); the rules sit in `ip6 tend`, tagged; IPv4 still works
# beside it; [::1] as HOST_IP is refused with the reason (the kernel never
# forwards IPv6 loopback traffic); `down` leaves no table, no link.
. "$TOP_SRCDIR/test/lib.sh"
. "$TOP_SRCDIR/test/integration/tendnet-lib.sh"

[ -x "$TEND_NET" ] || skip "tend-net not built"
[ -e /proc/net/if_inet6 ] || skip "no IPv6 in this kernel"
T=$(mktmp)
X=$(( 16#$TID % 200 + 20 ))
H=t6h$TID O=t6o$TID C=t6c$TID
NAME=t6-$TID BR=t6b$TID
N4=10.245.$X N6=fd45:$X:: U6=fd46:$X::

tn_ns "$H"
tn_ns "$O"
tn_uplink "$H" "$O" 10.246.$X "$U6"
cleanup "rm -f '/run/tend-net/$NAME'"
tn_container CP "$C"

cat > "$T/tend.ini" <<EOF
[network]
interface = ceth0
address = $N4.5/24, ${N6}5/64
gateway = $N4.1
route = ::/0 via ${N6}1
bridge = $BR
host_address = $N4.1/24, ${N6}1/64
nat = yes
publish = 8090:5000/tcp
EOF
tn_hn "$H" "$TEND_NET" up -c "$T/tend.ini" --pid "$CP" --name "$NAME" 2>"$T/err"
rc=$?; check_eq "up exits 0 ($(cat "$T/err"))" 0 "$rc"
check_eq "both host addresses on the bridge" "$N4.1/24 ${N6}1/64" \
	"$(ip -n "$H" -j addr show "$BR" | jq -r '[.[0].addr_info[] | select(.scope=="global") | "\(.local)/\(.prefixlen)"] | join(" ")')"
check_eq "IPv6 forwarding on in the host" 1 "$(tn_hn "$H" cat /proc/sys/net/ipv6/conf/all/forwarding)"
# What tend does inside: the routes (tend-net gave it its addresses).
ip -n "$C" route replace default via "$N4.1" && ip -n "$C" -6 route replace default via "${N6}1" ||
	die "container routes"
check_eq "the container end has its IPv6 address before tend runs" "${N6}5/64" \
	"$(ip -n "$C" -j addr show ceth0 | jq -r '[.[0].addr_info[] | select(.family=="inet6" and .scope=="global") | "\(.local)/\(.prefixlen)"] | join(" ")')"

# The outside answers with the address it saw.
ip netns exec "$O" socat TCP6-LISTEN:7000,ipv6only=0,reuseaddr,fork SYSTEM:'echo "peer $SOCAT_PEERADDR"' 2>/dev/null &
OUTL=$!
cleanup "kill_pid $OUTL"
wait_until 5 bash -c "ip netns exec '$O' ss -Hltn 'sport = :7000' | grep -q ." || die "outside listener"
tn_listen "$C" 5000 "app-$TID"

got=$(tn_get "$C" "[${U6}2]" 7000)
check_eq "container -> outside over IPv6, masqueraded to the host's uplink address" \
	"peer [fd46:$(printf '%04d' $X):0000:0000:0000:0000:0000:0001]" "$got"
got=$(tn_get "$C" 10.246.$X.2 7000)
# (the outside's listener is dual-stack: an IPv4 peer shows v4-mapped)
check_eq "container -> outside over IPv4 still, masqueraded" \
	"peer $(printf '[0000:0000:0000:0000:0000:ffff:0af6:%02x01]' $X)" "$got"
check_eq "outside -> [host]:8090 over IPv6 -> container" "app-$TID" "$(tn_get "$O" "[${U6}1]" 8090)"
check_eq "host -> its own [IPv6]:8090 -> container" "app-$TID" "$(tn_get "$H" "[${U6}1]" 8090)"
check_eq "outside -> host:8090 over IPv4 -> container" "app-$TID" "$(tn_get "$O" 10.246.$X.1 8090)"
check_eq "host -> 127.0.0.1:8090 -> container" "app-$TID" "$(tn_get "$H" 127.0.0.1 8090)"

J=$(tn_hn "$H" nft -j list table ip6 tend)
check_eq "ip6 tend: DNAT to [container]:5000, tagged" "fd45:$X::5:5000 fd45:$X::5:5000" \
	"$(echo "$J" | jq -r --arg t "tend-net:$NAME" '[.nftables[] | select(.rule.comment == $t) | .rule.expr[] | select(.dnat) | "\(.dnat.addr):\(.dnat.port)"] | join(" ")')"
check_eq "ip6 tend: the IPv6 subnet masqueraded" "fd45:$X::" \
	"$(echo "$J" | jq -r '[.nftables[] | select(.rule.chain == "postrouting") | .rule.expr[] | select(.match.left.payload.field=="saddr") | .match.right.prefix.addr] | join(" ")')"

tn_hn "$H" "$TEND_NET" down --name "$NAME" 2>"$T/err"
rc=$?; check_eq "down exits 0 ($(cat "$T/err"))" 0 "$rc"
check "down: no ip6 tend table left" bash -c "! ip netns exec $H nft list table ip6 tend >/dev/null 2>&1"
check "down: no ip tend table left" bash -c "! ip netns exec $H nft list table ip tend >/dev/null 2>&1"
check "down: the bridge is gone" bash -c "! ip -n $H link show $BR >/dev/null 2>&1"
check "down: no record" test ! -e "/run/tend-net/$NAME"

# [::1] as HOST_IP: refused, FILE:LINE and the reason, nothing made.
sed 's/^publish = .*/publish = [::1]:8090:5000/' "$T/tend.ini" > "$T/lo6.ini"
tn_hn "$H" "$TEND_NET" up -c "$T/lo6.ini" --pid "$CP" --name "$NAME" 2>"$T/err"
check_eq "[::1]:8090:5000: exit 78" 78 $?
check "[::1]:8090:5000: FILE:LINE and why" grep -q "^$T/lo6.ini:1: .*publish on \[::1\] cannot work: the kernel never forwards IPv6 loopback" "$T/err"
check "[::1]:8090:5000: nothing made" bash -c "! ip -n $H link show $BR >/dev/null 2>&1 && ! ip netns exec $H nft list table ip6 tend >/dev/null 2>&1"
