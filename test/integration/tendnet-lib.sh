# tendnet-lib.sh: helpers for the tendnet-*.sh tests, sourced after
# test/lib.sh. The host side of these tests is the host's real network
# namespace: every name carries $TID, every object is registered for
# removal the moment it exists, and only objects the test made are touched.

need_root
need_cmd ip nft jq socat

# A "container": a network namespace with a process in it.
# tn_container VAR NETNS: creates NETNS, sets VAR to the PID of a process
# inside it.
tn_container() {
	local var=$1 ns=$2 pid
	ip netns add "$ns" || die "ip netns add $ns"
	cleanup "ip netns del '$ns'"
	ip netns exec "$ns" sleep 3600 &
	pid=$!
	cleanup "kill_pid $pid"
	# The process is in the namespace once its ns/net differs from ours.
	wait_until 5 tn_in_other_ns "$pid" || die "process did not enter $ns"
	printf -v "$var" '%s' "$pid"
}

tn_in_other_ns() {
	local n
	n=$(readlink "/proc/$1/ns/net" 2>/dev/null) && [ "$n" != "$(readlink /proc/self/ns/net)" ]
}

# Everything of a container name is removed at exit, even if tend-net's own
# down were broken: its links (by alias), its rules (by comment), its record.
tn_cleanup_name() {
	cleanup "tn_purge '$1'"
	cleanup "'$TEND_NET' down --name '$1'"
}
tn_purge() {
	local tag="tend-net:$1" idx h chain
	for idx in $(ip -j link | jq -r --arg t "$tag" '.[] | select(.ifalias == $t) | .ifname'); do
		ip link del "$idx"
	done
	nft -j list table ip tend 2>/dev/null | jq -r --arg t "$tag" \
		'.nftables[] | select(.rule.comment == $t) | "\(.rule.chain) \(.rule.handle)"' |
	while read -r chain h; do
		nft delete rule ip tend "$chain" handle "$h"
	done
	rm -f "/run/tend-net/$1"
}

# The host links marked for a container name (their names, one a line).
tn_links_of() { ip -j link | jq -r --arg t "tend-net:$1" '.[] | select(.ifalias == $t) | .ifname'; }
# Rules tagged for a name, as "chain handle" lines; count of them.
tn_rules_of() {
	nft -j list table ip tend 2>/dev/null | jq -r --arg t "tend-net:$1" \
		'.nftables[] | select(.rule.comment == $t) | "\(.rule.chain) \(.rule.handle)"'
}
tn_count_rules() { tn_rules_of "$1" | grep -c . || true; }
# The table is gone, or still holds rules of someone else (a test running
# alongside): never a table left empty.
tn_table_clean() {
	local n
	nft list table ip tend >/dev/null 2>&1 || return 0
	n=$(nft -j list table ip tend | jq '[.nftables[] | select(.rule)] | length')
	[ "$n" -gt 0 ]
}
tn_link_exists() { ip link show "$1" >/dev/null 2>&1; }

# Nothing of NAME is left anywhere: links, rules, record.
tn_nothing_of() {
	[ -z "$(tn_links_of "$1")" ] && [ "$(tn_count_rules "$1")" = 0 ] && [ ! -e "/run/tend-net/$1" ]
}

# A free TCP port on 127.0.0.1, from a range unlikely to be in use.
tn_free_port() {
	local p=$(( 20000 + (16#$TID * 7 + $1) % 20000 ))
	while ss -Hltn "sport = :$p" 2>/dev/null | grep -q .; do p=$((p + 1)); done
	echo "$p"
}

# --- a network namespace that plays the host --------------------------------
# The tests of the r2 items (Docker's FORWARD drop, IPv6, publish on one
# address, the first request) run tend-net inside a namespace of their own:
# its nft tables, sysctls and links are the test's alone, and deleting the
# namespace removes all of it, also when a test dies half-way.

# tn_ns NS: a fresh namespace with lo up, deleted at exit.
tn_ns() {
	ip netns add "$1" || die "ip netns add $1"
	cleanup "ip netns del '$1'"
	ip -n "$1" link set lo up
}

# tn_hn NS CMD...: run CMD in the namespace NS.
tn_hn() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# tn_uplink HOSTNS OUTNS V4NET [V6NET]: a veth between the "host" and the
# "outside": HOST gets .1, OUTSIDE .2 (and ::1 / ::2 of V6NET, a /64
# prefix written "fdXX:...:"). The outside has no route to the
# containers: it reaches them only through what the host publishes.
tn_uplink() {
	local h=$1 o=$2 n4=$3 n6=${4:-}
	ip -n "$h" link add up0 type veth peer name out0 netns "$o" || die "uplink veth"
	ip -n "$h" addr add "$n4.1/24" dev up0
	ip -n "$o" addr add "$n4.2/24" dev out0
	if [ -n "$n6" ]; then
		ip -n "$h" addr add "${n6}1/64" dev up0 nodad
		ip -n "$o" addr add "${n6}2/64" dev out0 nodad
	fi
	ip -n "$h" link set up0 up
	ip -n "$o" link set out0 up
}

# tn_listen NS PORT TEXT [ADDR]: a TCP listener in NS answering TEXT, killed
# at exit; waits until it listens.
tn_listen() {
	local ns=$1 port=$2 text=$3 addr=${4:-} pid l
	case $addr in
	"") l="TCP6-LISTEN:$port,ipv6only=0" ;;
	*:*) l="TCP6-LISTEN:$port,bind=[$addr]" ;;
	*) l="TCP4-LISTEN:$port,bind=$addr" ;;
	esac
	ip netns exec "$ns" socat "$l,reuseaddr,fork" SYSTEM:"echo $text" 2>/dev/null &
	pid=$!
	cleanup "kill_pid $pid"
	wait_until 5 bash -c "ip netns exec '$ns' ss -Hltn 'sport = :$port' | grep -q ." || die "listener $ns:$port"
}

# tn_get NS HOST PORT: what a TCP client in NS reads from HOST:PORT (IPv6
# HOST in brackets), "" on failure; at most ~3 s.
tn_get() {
	ip netns exec "$1" timeout 4 socat -T 2 - "TCP:$2:$3,connect-timeout=2" </dev/null 2>/dev/null
}
