#!/bin/bash
# publish = [HOST_IP:]HOST_PORT:CONTAINER_PORT, in a namespace that plays
# the host (two IPv4 addresses and one IPv6 on its uplink to an "outside"
# namespace). Asserts: a port published on one address answers there and
# not on the host's other address; an IPv6 HOST_IP in brackets likewise;
# 127.0.0.1:PORT answers the host itself; the in-use refusal counts a
# host socket on the same address or on a wildcard (0.0.0.0, ::), not one
# on another address (exit 1, naming port and socket); another container
# may publish the same port on another address, not on the same one nor
# on every address (exit 1, naming it).
. "$TOP_SRCDIR/test/lib.sh"
. "$TOP_SRCDIR/test/integration/tendnet-lib.sh"

[ -x "$TEND_NET" ] || skip "tend-net not built"
T=$(mktmp)
X=$(( 16#$TID % 200 + 20 ))
H=tph$TID O=tpo$TID C=tpc$TID C2=tpd$TID
NAME=tp-$TID NAME2=tp2-$TID BR=tpb$TID
N4=10.247.$X U4=10.248.$X U6=fd48:$X::

tn_ns "$H"
tn_ns "$O"
tn_uplink "$H" "$O" "$U4" "$U6"
ip -n "$H" addr add "$U4.3/24" dev up0
cleanup "rm -f '/run/tend-net/$NAME' '/run/tend-net/$NAME2'"
tn_container CP "$C"
tn_container CP2 "$C2"

net() { # ADDR_LAST PUBLISH...
	local last=$1; shift
	printf '[network]\ninterface = ceth0\naddress = %s.%s/24, fd47:%s::%s/64\nbridge = %s\nhost_address = %s.1/24, fd47:%s::1/64\n' \
		"$N4" "$last" "$X" "$last" "$BR" "$N4" "$X"
	for p; do echo "publish = $p"; done
}
up() { # NAME PID INI
	tn_hn "$H" "$TEND_NET" up -c "$3" --pid "$2" --name "$1" 2>"$T/err"
}

# --- the in-use refusal, by address ----------------------------------------
tn_listen "$H" 7101 "host-lo-$TID" 127.0.0.1      # one address
ip netns exec "$H" socat TCP-LISTEN:7102,bind=0.0.0.0,reuseaddr,fork SYSTEM:true 2>/dev/null &
W4=$!; cleanup "kill_pid $W4"
ip netns exec "$H" socat TCP6-LISTEN:7103,ipv6only=0,reuseaddr,fork SYSTEM:true 2>/dev/null &
W6=$!; cleanup "kill_pid $W6"
wait_until 5 bash -c "ip netns exec $H ss -Hltn | grep -q ':7102 ' && ip netns exec $H ss -Hltn | grep -q ':7103 '" ||
	die "wildcard listeners"

net 5 "127.0.0.1:7101:5000" > "$T/a.ini"
up "$NAME" "$CP" "$T/a.ini"; rc=$?
check_eq "127.0.0.1:7101 while a socket listens on 127.0.0.1:7101: exit 1" 1 "$rc"
check "... naming port, address and socket" grep -q "host port 7101/tcp on 127.0.0.1 is in use on the host (a socket listens on 127.0.0.1:7101)" "$T/err"
net 5 "$U4.1:7102:5000" > "$T/a.ini"
up "$NAME" "$CP" "$T/a.ini"; rc=$?
check_eq "$U4.1:7102 while 0.0.0.0:7102 listens: exit 1" 1 "$rc"
check "... naming the wildcard" grep -q "a socket listens on 0.0.0.0:7102" "$T/err"
net 5 "$U4.1:7103:5000" > "$T/a.ini"
up "$NAME" "$CP" "$T/a.ini"; rc=$?
check_eq "$U4.1:7103 while [::]:7103 (dual-stack) listens: exit 1" 1 "$rc"
net 5 "7101:5000" > "$T/a.ini"
up "$NAME" "$CP" "$T/a.ini"; rc=$?
check_eq "every address:7101 while 127.0.0.1:7101 listens: exit 1" 1 "$rc"
check "nothing made by the refusals" bash -c "! ip -n $H link show $BR >/dev/null 2>&1"

# --- published on one address ----------------------------------------------
net 5 "$U4.1:7101:5000" "[${U6}1]:8091:5000" "127.0.0.1:8092:5000/tcp" > "$T/a.ini"
up "$NAME" "$CP" "$T/a.ini"; rc=$?
check_eq "$U4.1:7101 while only 127.0.0.1:7101 listens: up exits 0 ($(cat "$T/err"))" 0 "$rc"
ip -n "$C" route replace default via "$N4.1"
ip -n "$C" -6 route replace default via "fd47:$X::1"
tn_listen "$C" 5000 "app-$TID"
check_eq "outside -> $U4.1:7101 -> container" "app-$TID" "$(tn_get "$O" "$U4.1" 7101)"
check_eq "outside -> $U4.3:7101 (the host's other address): not forwarded" "" "$(tn_get "$O" "$U4.3" 7101)"
check_eq "host -> 127.0.0.1:7101: still the host's own listener" "host-lo-$TID" "$(tn_get "$H" 127.0.0.1 7101)"
check_eq "outside -> [${U6}1]:8091 -> container" "app-$TID" "$(tn_get "$O" "[${U6}1]" 8091)"
check_eq "outside -> $U4.1:8091 (published on IPv6 only): not forwarded" "" "$(tn_get "$O" "$U4.1" 8091)"
check_eq "host -> 127.0.0.1:8092 -> container" "app-$TID" "$(tn_get "$H" 127.0.0.1 8092)"
check_eq "outside -> $U4.1:8092 (published on 127.0.0.1 only): not forwarded" "" "$(tn_get "$O" "$U4.1" 8092)"

# --- another container, the same port ---------------------------------------
net 9 "$U4.3:7101:5000" > "$T/b.ini"
up "$NAME2" "$CP2" "$T/b.ini"; rc=$?
check_eq "another container, same port on another address: up exits 0 ($(cat "$T/err"))" 0 "$rc"
tn_listen "$C2" 5000 "app2-$TID"
ip -n "$C2" route replace default via "$N4.1"
check_eq "outside -> $U4.3:7101 -> the second container" "app2-$TID" "$(tn_get "$O" "$U4.3" 7101)"
check_eq "outside -> $U4.1:7101 -> still the first" "app-$TID" "$(tn_get "$O" "$U4.1" 7101)"
tn_hn "$H" "$TEND_NET" down --name "$NAME2" 2>/dev/null
net 9 "$U4.1:7101:5000" > "$T/b.ini"
up "$NAME2" "$CP2" "$T/b.ini"; rc=$?
check_eq "another container, same port and address: exit 1" 1 "$rc"
check "... naming the container that has it" grep -q "host port 7101/tcp on $U4.1 is already published by 'tend-net:$NAME'" "$T/err"
net 9 "8091:5000" > "$T/b.ini"
up "$NAME2" "$CP2" "$T/b.ini"; rc=$?
check_eq "another container, every address, a port the first has on one: exit 1" 1 "$rc"
check "... naming it" grep -q "is already published by 'tend-net:$NAME'" "$T/err"

tn_hn "$H" "$TEND_NET" down --name "$NAME" 2>"$T/err"; rc=$?
check_eq "down exits 0 ($(cat "$T/err"))" 0 "$rc"
tn_hn "$H" "$TEND_NET" down --name "$NAME2" 2>/dev/null
check "down: no table left" bash -c "! ip netns exec $H nft list tables | grep -q tend"
