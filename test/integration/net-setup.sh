#!/bin/bash
# [network]: tend waits for an interface moved in after it started, then
# configures it as the INI says (rename, mtu, IPv4 and IPv6 addresses, link
# up, default route, an extra route), writes /etc/resolv.conf and
# /etc/hosts (keeping the foreign lines), and TCP traffic flows between the
# two ends of the veth pair, both inside namespaces this test made.
. "$TOP_SRCDIR/test/lib.sh"
. "$TOP_SRCDIR/test/integration/net-lib.sh"
need_cmd socat

cat >"$NET_TMP/tend.ini" <<'EOF'
[network]
interface = ceth0
wait = 5s
rename = eth0
address = 172.20.0.5/24, fd00:20::5/64
gateway = 172.20.0.1
route = 10.8.0.0/16 via 172.20.0.254
mtu = 1400
dns = 172.20.0.1, fd00:20::1
dns_search = example.internal, corp.example
hosts = db=172.20.0.10
hosts = cache=fd00:20::11

EOF
# The service records the routes it sees when it starts: it must start only
# once the network is ready (the default route is there).
printf '\n[service:x]\ncommand = sh -c "cat /proc/net/route > %s/svc-route; exec sleep 1000"\n' \
	"$NET_TMP" >>"$NET_TMP/tend.ini"

net_peer_ns
net_start "$NET_TMP/tend.ini"
[ -n "$NET_PID" ] || die "the subject ended at once: $(cat "$NET_TMP/err")"

# Not there yet: the subject must be waiting, not failing.
sleep 0.3
check "waits for the interface (still running)" kill -0 "$NET_PID"
check "not ready before the interface exists" bash -c "! grep -q 'network ready' '$NET_TMP/err'"
[ "$NET_SUBJECT" = tend ] && check "no service before the network is ready" test ! -e "$NET_TMP/svc-route"
check_eq "lo is up already" "UNKNOWN" "$(cip -j link show lo | jq -r '.[0].operstate')"

net_veth_into "h$TID" ceth0 || die "could not make the veth pair"
ip -n "$NET_PEER" link set "h$TID" up
ip -n "$NET_PEER" addr add 172.20.0.1/24 dev "h$TID"
ip -n "$NET_PEER" addr add fd00:20::1/64 dev "h$TID" nodad
net_ready 5 || die "network not ready: $(cat "$NET_TMP/err")"

if [ "$NET_SUBJECT" = tend ]; then
	wait_file 5 "$NET_TMP/svc-route"
	check "the service saw the default route when it started" \
		awk '$1=="eth0" && $2=="00000000" && $3=="010014AC" {f=1} END {exit !f}' "$NET_TMP/svc-route"
fi

link=$(cip -j link show eth0)
check_eq "renamed to eth0" "eth0" "$(jq -r '.[0].ifname' <<<"$link")"
check_eq "old name gone" "" "$(cip -j link show ceth0 2>/dev/null | jq -r '.[0].ifname // empty' 2>/dev/null)"
check_eq "mtu" "1400" "$(jq -r '.[0].mtu' <<<"$link")"
# Gratuitous ARP when the link comes up (a host that asked too early hears it).
check_eq "arp_notify on" 1 "$(nsenter -t "$NET_PID" -n cat /proc/sys/net/ipv4/conf/eth0/arp_notify)"
check "link up" bash -c "jq -e '.[0].flags | index(\"UP\")' >/dev/null" <<<"$link"
addrs=$(cip -j addr show eth0 | jq -r '.[0].addr_info[] | select(.scope=="global") | "\(.local)/\(.prefixlen)"' | sort | tr '\n' ' ')
check_eq "addresses" "172.20.0.5/24 fd00:20::5/64 " "$addrs"
check_eq "IPv6 address usable at once (not tentative)" "" \
	"$(cip -j addr show eth0 | jq -r '.[0].addr_info[] | select(.local=="fd00:20::5") | .tentative // empty')"
check_eq "default route" "172.20.0.1 eth0" "$(cip -j route show default | jq -r '.[0] | "\(.gateway) \(.dev)"')"
check_eq "extra route" "172.20.0.254 eth0" "$(cip -j route show 10.8.0.0/16 | jq -r '.[0] | "\(.gateway) \(.dev)"')"

# /etc/resolv.conf: a file bind mount, rewritten in place.
check_eq "resolv.conf nameservers" "172.20.0.1 fd00:20::1" \
	"$(awk '$1=="nameserver" {print $2}' "$NET_TMP/resolv.conf" | tr '\n' ' ' | sed 's/ $//')"
check_eq "resolv.conf search" "search example.internal corp.example" "$(grep '^search' "$NET_TMP/resolv.conf")"
# /etc/hosts: ours, plus everything that was there.
check_eq "hosts: db" "172.20.0.10" "$(awk '$2=="db" {print $1}' "$NET_ETC/hosts")"
check_eq "hosts: cache" "fd00:20::11" "$(awk '$2=="cache" {print $1}' "$NET_ETC/hosts")"
check "hosts: foreign lines kept" grep -q '^192.0.2.7[[:space:]]foreign.example$' "$NET_ETC/hosts"
check "hosts: localhost kept" grep -q '^127.0.0.1[[:space:]]localhost$' "$NET_ETC/hosts"
check_eq "hosts: no temp file left" "" "$(ls "$NET_ETC" | grep tend- || true)"

# TCP both ways over the veth pair, v4 and v6: a listener in the container's
# namespace echoes what the peer sends.
nsenter -t "$NET_PID" -n socat -T5 TCP-LISTEN:7000,bind=172.20.0.5,reuseaddr EXEC:cat &
l4=$!; cleanup "kill_pid $l4"
nsenter -t "$NET_PID" -n socat -T5 TCP6-LISTEN:7001,bind=[fd00:20::5],reuseaddr EXEC:cat &
l6=$!; cleanup "kill_pid $l6"
wait_until 5 bash -c "nsenter -t $NET_PID -n ss -Hltn | grep -q ':7001'" || fail "listeners did not start"
check_eq "TCP echo over IPv4" "hello-$TID" \
	"$(echo "hello-$TID" | ip netns exec "$NET_PEER" socat -T5 - TCP:172.20.0.5:7000)"
check_eq "TCP echo over IPv6" "hello6-$TID" \
	"$(echo "hello6-$TID" | ip netns exec "$NET_PEER" socat -T5 - TCP6:[fd00:20::5]:7001)"
# And out through the default route: from the container to the peer.
ip netns exec "$NET_PEER" socat -T5 TCP-LISTEN:7002,bind=172.20.0.1,reuseaddr EXEC:cat &
lp=$!; cleanup "kill_pid $lp"
wait_until 5 bash -c "ip netns exec $NET_PEER ss -Hltn | grep -q ':7002'" || fail "peer listener did not start"
check_eq "TCP from the container to the gateway" "back-$TID" \
	"$(echo "back-$TID" | nsenter -t "$NET_PID" -n socat -T5 - TCP:172.20.0.1:7002)"

# The set-up keeps no netlink socket open: none of the subject's fds is one
# of the netlink sockets of its namespace.
nl_inodes=$(awk 'NR>1 {print $NF}' "/proc/$NET_PID/net/netlink" | sort -u)
fd_inodes=$(for fd in /proc/$NET_PID/fd/*; do readlink "$fd"; done | sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p' | sort -u)
check_eq "no netlink socket left open" "" "$(comm -12 <(echo "$nl_inodes") <(echo "$fd_inodes") | grep . || true)"
