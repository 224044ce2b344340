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
