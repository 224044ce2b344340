#!/bin/bash
# tend-net on a host where Docker dropped forwarding: a namespace plays the
# host, with Docker's chain shape recreated by nft (table ip filter, base
# chain FORWARD policy drop, DOCKER-USER jumped to first, Docker's own
# rule after it), once with br_netfilter's bridge-nf-call-iptables on in
# that namespace (bridged traffic crosses FORWARD too) and once off.
# Asserts: the app reaches the outside through NAT, the app and the
# database talk across the bridge, the outside reaches the published port;
# the outside still cannot open a connection to the container's own
# address (nothing opened beyond what Docker's drop let through before);
# tend-net's rules in Docker's chain carry its tag; `down` leaves Docker's
# table byte for byte as it was.
. "$TOP_SRCDIR/test/lib.sh"
. "$TOP_SRCDIR/test/integration/tendnet-lib.sh"

[ -x "$TEND_NET" ] || skip "tend-net not built"
[ -e /proc/sys/net/bridge/bridge-nf-call-iptables ] || skip "no br_netfilter in this kernel"
T=$(mktmp)
X=$(( 16#$TID % 200 + 20 ))

one_round() { # BRNF (0 or 1)
	local brnf=$1 H=tdh$TID$1 O=tdo$TID$1 C=tdc$TID$1 D=tdd$TID$1
	local NET=10.241.$X BR=tdb$TID NAME=tdapp-$TID-$1 DB=tddb-$TID-$1 CP DP got before after
	local what="bridge-nf-call-iptables=$brnf"

	tn_ns "$H"
	tn_ns "$O"
	tn_uplink "$H" "$O" 10.242.$X
	cleanup "rm -f '/run/tend-net/$NAME' '/run/tend-net/$DB'"
	# Docker's shape, as iptables-nft makes it.
	tn_hn "$H" nft -f - <<-'EOF' || die "docker's table"
	table ip filter {
		chain DOCKER-USER {
			return
		}
		chain DOCKER {
		}
		chain FORWARD {
			type filter hook forward priority filter; policy drop;
			jump DOCKER-USER
			oifname "docker0" ct state related,established accept
			oifname "docker0" jump DOCKER
			iifname "docker0" accept
		}
	}
	EOF
	tn_hn "$H" sh -c "echo $brnf > /proc/sys/net/bridge/bridge-nf-call-iptables" || die "sysctl in $H"
	check_eq "$what: per namespace" "$brnf" "$(tn_hn "$H" cat /proc/sys/net/bridge/bridge-nf-call-iptables)"
	before=$(tn_hn "$H" nft -j list table ip filter | jq -c .nftables[1:])

	# Two containers on one bridge: the app (nat, publish) and the db.
	tn_container CP "$C"
	tn_container DP "$D"
	cat > "$T/app.ini" <<-EOF
	[network]
	interface = ceth0
	address = $NET.5/24
	gateway = $NET.1
	bridge = $BR
	host_address = $NET.1/24
	nat = yes
	publish = 8090:5000/tcp
	EOF
	sed "s/$NET.5/$NET.10/; /publish/d" "$T/app.ini" > "$T/db.ini"
	tn_hn "$H" "$TEND_NET" up -c "$T/app.ini" --pid "$CP" --name "$NAME" 2>"$T/err"
	rc=$?; check_eq "$what: app up exits 0 ($(cat "$T/err"))" 0 "$rc"
	tn_hn "$H" "$TEND_NET" up -c "$T/db.ini" --pid "$DP" --name "$DB" 2>"$T/err"
	rc=$?; check_eq "$what: db up exits 0 ($(cat "$T/err"))" 0 "$rc"
	# What tend does inside (addresses may be there already).
	ip -n "$C" addr replace "$NET.5/24" dev ceth0 && ip -n "$C" link set ceth0 up &&
		ip -n "$C" route replace default via "$NET.1" || die "app's address"
	ip -n "$D" addr replace "$NET.10/24" dev ceth0 && ip -n "$D" link set ceth0 up &&
		ip -n "$D" route replace default via "$NET.1" || die "db's address"

	tn_listen "$O" 7000 "outside-$TID"
	tn_listen "$D" 3306 "db-$TID"
	tn_listen "$C" 5000 "app-$TID"

	check_eq "$what: app -> outside through NAT" "outside-$TID" "$(tn_get "$C" 10.242.$X.2 7000)"
	check_eq "$what: app -> db across the bridge" "db-$TID" "$(tn_get "$C" "$NET.10" 3306)"
	check_eq "$what: outside -> published 8090" "app-$TID" "$(tn_get "$O" 10.242.$X.1 8090)"
	check_eq "$what: host -> 127.0.0.1:8090" "app-$TID" "$(tn_get "$H" 127.0.0.1 8090)"
	# The outside, given a route, still cannot open a connection to the
	# container's own address: Docker's drop stands for what was not
	# published.
	ip -n "$O" route add "$NET.0/24" via 10.242.$X.1
	check_eq "$what: outside -> container address directly: dropped" "" "$(tn_get "$O" "$NET.5" 5000)"

	got=$(tn_hn "$H" nft -j list chain ip filter DOCKER-USER |
		jq -r '[.nftables[] | select(.rule) | .rule.comment // "none"] | join(",")')
	check_eq "$what: DOCKER-USER: tend-net's tagged rules first, Docker's return last" \
		"tend-net:$DB,tend-net:$DB,tend-net:$NAME,tend-net:$NAME,none" "$got"

	tn_hn "$H" "$TEND_NET" down --name "$NAME" 2>"$T/err"
	rc=$?; check_eq "$what: app down exits 0 ($(cat "$T/err"))" 0 "$rc"
	tn_hn "$H" "$TEND_NET" down --name "$DB" 2>"$T/err"
	rc=$?; check_eq "$what: db down exits 0 ($(cat "$T/err"))" 0 "$rc"
	after=$(tn_hn "$H" nft -j list table ip filter | jq -c .nftables[1:])
	check_eq "$what: Docker's table exactly as before" "$before" "$after"
	check "$what: tend's own table gone" bash -c "! ip netns exec $H nft list table ip tend >/dev/null 2>&1"
}

one_round 1
one_round 0
