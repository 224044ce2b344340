#!/bin/bash
# tendnet-undo-forward: when up fails after turning the host-wide
# forwarding switches on (here nftables refuses the rules: someone's
# `ip6 tend` already holds a chain `prerouting` of another type), it turns
# off again what this call turned on: net.ipv4.ip_forward and
# net.ipv6.conf.all.forwarding are 0 again; exit 1 with the reason, no
# link and no record left. In a namespace that plays the host.
. "$TOP_SRCDIR/test/lib.sh"
. "$TOP_SRCDIR/test/integration/tendnet-lib.sh"

[ -x "$TEND_NET" ] || skip "tend-net not built"
[ -e /proc/net/if_inet6 ] || skip "no IPv6 in this kernel"
T=$(mktmp)
X=$(( 16#$TID % 200 + 20 ))
H=tuh$TID C=tuc$TID
NAME=tu-$TID BR=tub$TID
cleanup "rm -f '/run/tend-net/$NAME'"
tn_ns "$H"
tn_container CP "$C"
switches() { echo "$(tn_hn "$H" cat /proc/sys/net/ipv4/ip_forward) $(tn_hn "$H" cat /proc/sys/net/ipv6/conf/all/forwarding)"; }
# (a new namespace may inherit ip_forward from the host's)
tn_hn "$H" sh -c 'echo 0 >/proc/sys/net/ipv4/ip_forward; echo 0 >/proc/sys/net/ipv6/conf/all/forwarding' ||
	die "switches off"
tn_hn "$H" nft add table ip6 tend &&
	tn_hn "$H" nft add chain ip6 tend prerouting '{ type filter hook prerouting priority 0; policy accept; }' ||
	die "the obstacle chain"

cat > "$T/tend.ini" <<EOF
[network]
interface = ceth0
address = 10.243.$X.5/24, fd43:$X::5/64
bridge = $BR
host_address = 10.243.$X.1/24, fd43:$X::1/64
nat = yes
EOF
tn_hn "$H" "$TEND_NET" up -c "$T/tend.ini" --pid "$CP" --name "$NAME" 2>"$T/err"
rc=$?
check_eq "up exits 1 ($(cat "$T/err"))" 1 "$rc"
check "... with the reason" grep -q "unable to apply the nftables rules" "$T/err"
check_eq "ip_forward and IPv6 forwarding off again" "0 0" "$(switches)"
check_eq "no link left on the host" "" "$(ip -n "$H" -o link show | grep -v -e ' lo:' | head -n1)"
check_eq "no link left in the container" "" "$(ip -n "$C" -o link show ceth0 2>/dev/null)"
check "no record" test ! -e "/run/tend-net/$NAME"
