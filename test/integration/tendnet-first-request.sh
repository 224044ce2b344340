#!/bin/bash
# The first request to a published port after `up` gets an answer at once.
# A namespace plays the host; the "container" is a namespace with a
# process in it, and nothing inside configures anything (tend has not run
# yet: this is the moment right after the createRuntime hook). Asserted as
# outcomes, not times: a connection to 127.0.0.1:PORT right after `up` is
# REFUSED by the container (its kernel answers: the path and its address
# are there) instead of timing out (a SYN into an unanswered ARP waits for
# TCP's 1 s retransmission). Then the same after the container is replaced
# by a new one with the same address while the bridge stays up (another
# container on it): the host must not keep the old container's MAC.
. "$TOP_SRCDIR/test/lib.sh"
. "$TOP_SRCDIR/test/integration/tendnet-lib.sh"

[ -x "$TEND_NET" ] || skip "tend-net not built"
T=$(mktmp)
X=$(( 16#$TID % 200 + 20 ))
H=tfh$TID NAME=tf-$TID DB=tfd-$TID BR=tfb$TID N=10.249.$X

tn_ns "$H"
cleanup "rm -f '/run/tend-net/$NAME' '/run/tend-net/$DB'"
ini() { # ADDR_LAST [PUBLISH]
	printf '[network]\ninterface = ceth0\nrename = eth0\naddress = %s.%s/24\nbridge = %s\nhost_address = %s.1/24\n' \
		"$N" "$1" "$BR" "$N"
	[ -n "${2:-}" ] && echo "publish = $2"
}
ini 5 8090:5000 > "$T/app.ini"
ini 10 > "$T/db.ini"

# connect CLIENT-NS: "refused", "answered" or "timeout", with 2 s to decide
# (TCP retries a lost SYN after 1 s; a refusal comes in microseconds).
connect() {
	local out
	out=$(ip netns exec "$H" socat -T 2 - "TCP:127.0.0.1:8090,connect-timeout=2" </dev/null 2>&1)
	case $out in
	*"Connection refused"*) echo refused ;;
	*"timed out"*|"") echo timeout ;;
	*) echo "answered:$out" ;;
	esac
}

# The db keeps the bridge up across the app's restart, as in the demo.
tn_container DP "tfd$TID"
tn_hn "$H" "$TEND_NET" up -c "$T/db.ini" --pid "$DP" --name "$DB" 2>"$T/err"; rc=$?
check_eq "db up exits 0 ($(cat "$T/err"))" 0 "$rc"

for round in first restarted; do
	tn_container CP "tfc$TID$round"
	tn_hn "$H" "$TEND_NET" up -c "$T/app.ini" --pid "$CP" --name "$NAME" 2>"$T/err"; rc=$?
	check_eq "$round: up exits 0 ($(cat "$T/err"))" 0 "$rc"
	check_eq "$round: the container end is named as tend renames it, up, with its address" "eth0 UP $N.5" \
		"$(ip -n "tfc$TID$round" -j addr show eth0 | jq -r '.[0] | "\(.ifname) \(.operstate) \([.addr_info[] | select(.family=="inet") | .local] | join(","))"')"
	check_eq "$round: the first request right after up is answered (refused: nothing listens yet)" \
		refused "$(connect)"
	# The app starts listening: the next request reaches it.
	tn_listen "tfc$TID$round" 5000 "app-$round"
	check_eq "$round: then the app answers" "answered:app-$round" "$(connect)"
	tn_hn "$H" "$TEND_NET" down --name "$NAME" 2>"$T/err"; rc=$?
	check_eq "$round: down exits 0 ($(cat "$T/err"))" 0 "$rc"
	check "$round: the bridge stays (the db is on it)" bash -c "ip -n $H link show $BR >/dev/null"
done
tn_hn "$H" "$TEND_NET" down --name "$DB" 2>/dev/null
