#!/bin/bash
# [network] against an interface that is already there when tend starts:
# it is used at once; and what the kernel refuses (an address already in
# use, a default route or a route via an unreachable gateway) ends tend
# with 70 and the kernel's reason, naming the address or route.
. "$TOP_SRCDIR/test/lib.sh"
. "$TOP_SRCDIR/test/integration/net-lib.sh"

# case NAME NETWORK-LINES: a netns with ceth0 (up to nothing) carrying
# 172.20.0.5/24 already, and the subject started inside it.
n_case=0
run_case() {
	local name=$1 lines=$2 ns
	n_case=$((n_case + 1))
	ns=tnc$TID$n_case
	ip netns add "$ns" || die "ip netns add $ns"
	cleanup "ip netns del $ns"
	ip -n "$ns" link add ceth0 type veth peer name "h$TID" || die "veth"
	ip -n "$ns" link set "h$TID" up
	ip -n "$ns" addr add 172.20.0.5/24 dev ceth0
	printf '[network]\ninterface = ceth0\nwait = 5s\n%s\n\n[service:x]\ncommand = sleep 1000\n' \
		"$lines" >"$NET_TMP/$name.ini"
	: >"$NET_TMP/err"
	net_start "$NET_TMP/$name.ini" "$ns"
}

# Already there: used at once, no waiting.
run_case present "address = 172.20.1.5/24
gateway = 172.20.1.1"
net_ready 2 || fail "not ready: $(cat "$NET_TMP/err")"
check_eq "present: address added" "172.20.0.5/24 172.20.1.5/24" \
	"$(cip -j addr show ceth0 | jq -r '.[0].addr_info[] | select(.family=="inet") | "\(.local)/\(.prefixlen)"' | sort | tr '\n' ' ' | sed 's/ $//')"
check_eq "present: default route" "172.20.1.1" "$(cip -j route show default | jq -r '.[0].gateway')"
kill_pid "$NET_UPID"

# An IPv6 default route, usable at once (no DAD wait before it).
run_case present6 "address = fd00:21::5/64
gateway = fd00:21::1"
net_ready 2 || fail "not ready: $(cat "$NET_TMP/err")"
check_eq "IPv6 default route" "fd00:21::1 ceth0" "$(cip -j -6 route show default | jq -r '.[0] | "\(.gateway) \(.dev)"')"
kill_pid "$NET_UPID"

# An address already on the link (tend-net gives the container's end its
# addresses before the container runs, tend-net(8)): taken as it is, once.
run_case inuse "address = 172.20.0.5/24"
net_ready 2 || fail "address already there: not ready: $(cat "$NET_TMP/err")"
check_eq "address already there: kept once" "172.20.0.5/24" \
	"$(cip -j addr show ceth0 | jq -r '.[0].addr_info[] | select(.family=="inet") | "\(.local)/\(.prefixlen)"' | tr '\n' ' ' | sed 's/ $//')"
kill_pid "$NET_UPID"

run_case gateway "address = 172.20.1.5/24
gateway = 10.99.0.1"
net_wait
check_eq "unreachable gateway: exit status" 70 "$NET_RC"
check "unreachable gateway: the route and the kernel's reason" \
	grep -q "unable to add the default route via 10.99.0.1 dev 'ceth0': Network is unreachable" "$NET_TMP/err"

run_case route "address = 172.20.1.5/24
route = 10.8.0.0/16 via 10.99.0.254"
net_wait
check_eq "route via an unreachable gateway: exit status" 70 "$NET_RC"
check "route via an unreachable gateway: the route and the kernel's reason" \
	grep -q "unable to add route 10.8.0.0/16 via 10.99.0.254: Network is unreachable" "$NET_TMP/err"
