#!/bin/bash
# Ten containers come up at once on one bridge, then go down at once: all
# succeed, the bridge is made once with one address, each container gets
# exactly its own veth and rules, and nothing is left at the end.
. "$TOP_SRCDIR/test/lib.sh"
. "$TOP_SRCDIR/test/integration/tendnet-lib.sh"

[ -x "$TEND_NET" ] || skip "tend-net not built"
T=$(mktmp)
X=$(( 16#$TID % 200 + 20 ))
NET=10.251.$X
BR=tc$TID
N=10
cleanup "ip link del '$BR'"

declare -a PIDS NAMES
for i in $(seq 0 $((N - 1))); do
	tn_container "PIDS[$i]" "tc$TID-$i"
	NAMES[$i]=tnc-$TID-$i
	tn_cleanup_name "${NAMES[$i]}"
	cat > "$T/$i.ini" <<EOF
[network]
interface = eth0
address = $NET.$((i + 2))/24
bridge = $BR
host_address = $NET.1/24
nat = yes
publish = $(tn_free_port $((10 + i))):5000/tcp
EOF
done

declare -a JOBS
for i in $(seq 0 $((N - 1))); do
	"$TEND_NET" up -c "$T/$i.ini" --pid "${PIDS[$i]}" --name "${NAMES[$i]}" 2>"$T/up$i.err" &
	JOBS[$i]=$!
done
fails=0
for i in $(seq 0 $((N - 1))); do
	wait "${JOBS[$i]}" || { fails=$((fails + 1)); cat "$T/up$i.err"; }
done
check_eq "10 concurrent ups all exit 0" 0 "$fails"

check_eq "one bridge, made by tend-net" "tend-net bridge" "$(ip -j link show "$BR" | jq -r '.[0].ifalias')"
check_eq "the bridge has its address once" "$NET.1/24" \
	"$(ip -j addr show "$BR" | jq -r '[.[0].addr_info[] | select(.family=="inet") | "\(.local)/\(.prefixlen)"] | join(",")')"
check_eq "10 ports on the bridge" "$N" "$(ip -j link show master "$BR" | jq length)"
ok_each=0
for i in $(seq 0 $((N - 1))); do
	h=$(tn_links_of "${NAMES[$i]}")
	[ "$(echo "$h" | grep -c .)" = 1 ] &&
		[ "$(ip -j link show "$h" | jq -r '.[0].master')" = "$BR" ] &&
		ip -n "tc$TID-$i" link show eth0 >/dev/null 2>&1 &&
		[ "$(tn_count_rules "${NAMES[$i]}")" = 4 ] &&
		ok_each=$((ok_each + 1))
done
check_eq "each container: one veth on the bridge, its eth0, its 4 rules" "$N" "$ok_each"

for i in $(seq 0 $((N - 1))); do
	"$TEND_NET" down --name "${NAMES[$i]}" 2>"$T/down$i.err" &
	JOBS[$i]=$!
done
fails=0
for i in $(seq 0 $((N - 1))); do
	wait "${JOBS[$i]}" || { fails=$((fails + 1)); cat "$T/down$i.err"; }
done
check_eq "10 concurrent downs all exit 0" 0 "$fails"
left=0
for i in $(seq 0 $((N - 1))); do
	tn_nothing_of "${NAMES[$i]}" || left=$((left + 1))
done
check_eq "nothing of any container left" 0 "$left"
check "the bridge is gone" bash -c "! ip link show '$BR' >/dev/null 2>&1"
check "table removed when empty" tn_table_clean
