#!/bin/bash
# Bad input to tend-net: each gets a non-zero exit with a clear message, and
# nothing is left behind (no link, no rule, no record, no bridge), including
# when up fails half-way, after it had made a bridge.
. "$TOP_SRCDIR/test/lib.sh"
. "$TOP_SRCDIR/test/integration/tendnet-lib.sh"

[ -x "$TEND_NET" ] || skip "tend-net not built"
T=$(mktmp)
X=$(( 16#$TID % 200 + 20 ))
NET=10.252.$X
NAME=tnx-$TID
BR=tx$TID

tn_container PID "tx$TID"
tn_cleanup_name "$NAME"
cleanup "ip link del '$BR'"

good() {
	cat <<EOF
[network]
interface = ceth0
address = $NET.2/24
bridge = $BR
host_address = $NET.1/24
nat = yes
publish = $(tn_free_port 3):5000/tcp
EOF
}
good > "$T/good.ini"

nothing_left() {
	tn_nothing_of "$NAME" && ! ip link show "$BR" >/dev/null 2>&1 &&
		! ip -n "tx$TID" link show ceth0 >/dev/null 2>&1
}

# expect DESC STATUS PATTERN CMD...: CMD exits STATUS, says PATTERN on
# stderr, and leaves nothing.
expect() {
	local desc=$1 want=$2 pat=$3 rc
	shift 3
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	check_eq "$desc: exit $want" "$want" "$rc"
	check "$desc: says '$pat'" grep -q -- "$pat" "$T/err"
	check "$desc: nothing left" nothing_left
}
hook() { local json=$1; shift; printf '%s' "$json" | "$TEND_NET" hook "$@"; }

# --- usage -----------------------------------------------------------------
expect "no arguments" 64 "expected 'up' or 'down'" "$TEND_NET"
expect "up without --pid" 64 "up needs --pid" "$TEND_NET" up -c "$T/good.ini" --name "$NAME"
expect "bad --pid" 64 "not a process id" "$TEND_NET" up -c "$T/good.ini" --pid 12x --name "$NAME"
expect "bad --name" 64 "--name" "$TEND_NET" up -c "$T/good.ini" --pid "$PID" --name "a/b"

# --- hook input --------------------------------------------------------------
expect "hook: no JSON on stdin" 1 "no OCI state on stdin" hook "" up -c "$T/good.ini"
expect "hook: bad JSON on stdin" 1 "invalid OCI state JSON" hook '{"id": "x", ' up -c "$T/good.ini"
expect "hook: JSON not an object" 1 "not a JSON object" hook '[1,2]' up -c "$T/good.ini"
expect "hook: no pid" 1 "no valid \"pid\"" hook "{\"id\":\"$NAME\",\"bundle\":\"$T\"}" up -c "$T/good.ini"
expect "hook: no id" 1 "no \"id\"" hook "{\"pid\":$PID,\"bundle\":\"$T\"}" up -c "$T/good.ini"
expect "hook: id not usable as a name" 1 "container id cannot be used as a name" \
	hook "{\"id\":\"a/b\",\"pid\":$PID,\"bundle\":\"$T\"}" up -c "$T/good.ini"
expect "hook: duplicate key" 1 "invalid OCI state JSON" \
	hook "{\"id\":\"$NAME\",\"id\":\"other\",\"pid\":$PID,\"bundle\":\"$T\"}" up -c "$T/good.ini"
head -c 1048577 /dev/zero | tr '\0' ' ' > "$T/big.json"
expect "hook: more than 1 MiB on stdin" 1 "larger than 1048576 bytes" \
	bash -c "'$TEND_NET' hook up -c '$T/good.ini' < '$T/big.json'"
mkdir -p "$T/emptybundle/rootfs/etc/tend"
cp "$T/good.ini" "$T/emptybundle/rootfs/etc/tend/tend.ini"
expect "hook: without -c" 78 "hook mode needs -c FILE" \
	hook "{\"id\":\"$NAME\",\"pid\":$PID,\"bundle\":\"$T/emptybundle\"}" up
expect "hook: bundle without config.json" 1 "unable to read $T/emptybundle/config.json" \
	hook "{\"id\":\"$NAME\",\"pid\":$PID,\"bundle\":\"$T/emptybundle\"}" up -c "$T/good.ini"

# --- configuration -----------------------------------------------------------
printf '[tend]\nhostname = x\n\n[service:a]\ncommand = true\n' > "$T/nonet.ini"
expect "INI without [network]" 78 "no \\[network\\] section" \
	"$TEND_NET" up -c "$T/nonet.ini" --pid "$PID" --name "$NAME"
{ good; echo "colour = blue"; } > "$T/badkey.ini"
expect "unknown key" 78 "$T/badkey.ini:8: " "$TEND_NET" up -c "$T/badkey.ini" --pid "$PID" --name "$NAME"
printf '[network]\nbridge = %s\n' "$BR" > "$T/noif.ini"
expect "no interface" 78 "$T/noif.ini:1: .*interface" "$TEND_NET" up -c "$T/noif.ini" --pid "$PID" --name "$NAME"
printf '[network]\ninterface = ceth0\nnat = yes\n' > "$T/nat6.ini"
expect "nat without an address" 78 "nat = yes needs an 'address'" "$TEND_NET" up -c "$T/nat6.ini" --pid "$PID" --name "$NAME"
expect "config file missing" 78 "$T/missing.ini" "$TEND_NET" up -c "$T/missing.ini" --pid "$PID" --name "$NAME"

# --- the process -------------------------------------------------------------
sleep 0 & gone=$!; wait "$gone"
expect "a PID that is gone" 1 "process $gone does not exist" \
	"$TEND_NET" up -c "$T/good.ini" --pid "$gone" --name "$NAME"
expect "a PID in the host's namespace" 1 "own network namespace" \
	"$TEND_NET" up -c "$T/good.ini" --pid $$ --name "$NAME"

# --- clashes with what others made -------------------------------------------
# A veth pair of the test's own stands for "someone else's link".
ip link add "to$TID" type veth peer name "tp$TID" || die "veth"
cleanup "ip link del 'to$TID'"
sed "s/^bridge = .*/bridge = to$TID/" "$T/good.ini" > "$T/notbridge.ini"
expect "bridge name that is not a bridge" 1 "'to$TID' exists and is not a bridge" \
	"$TEND_NET" up -c "$T/notbridge.ini" --pid "$PID" --name "$NAME"
check_eq "the foreign link is untouched" "null" "$(ip -j link show "to$TID" | jq -r '.[0].ifalias')"

ip addr add "$NET.200/16" dev "tp$TID"
expect "host_address clashing with another link's address" 1 "host_address $NET.1/24 clashes with $NET.200/16 on tp$TID" \
	"$TEND_NET" up -c "$T/good.ini" --pid "$PID" --name "$NAME"
sed '/^host_address/d' "$T/good.ini" > "$T/subnet.ini"
expect "container subnet clashing with another link's address" 1 "subnet $NET.0/24 clashes with" \
	"$TEND_NET" up -c "$T/subnet.ini" --pid "$PID" --name "$NAME"
ip addr del "$NET.200/16" dev "tp$TID"

{ good; echo "host_interface = tp$TID"; } > "$T/hostif.ini"
expect "host_interface taken by a foreign link" 1 "'tp$TID' already exists and was not made by tend-net" \
	"$TEND_NET" up -c "$T/hostif.ini" --pid "$PID" --name "$NAME"

# --- failing half-way: the bridge up made is removed again -------------------
# A link named like `interface` already in the container: the veth cannot be
# made, after the bridge was.
ip -n "tx$TID" link add ceth0 type veth peer name cpeer0 || die "veth in ns"
expect_half() {
	"$TEND_NET" up -c "$T/good.ini" --pid "$PID" --name "$NAME" 2>"$T/err"
	check_eq "half-way failure: exit 1" 1 $?
	check "half-way failure: says why" grep -q "already exists in the container" "$T/err"
	check "half-way failure: bridge removed again" bash -c "! ip link show '$BR' >/dev/null 2>&1"
	check "half-way failure: nothing of the container left" tn_nothing_of "$NAME"
}
expect_half
ip -n "tx$TID" link del ceth0

# --- and after all that, the good file works --------------------------------
"$TEND_NET" up -c "$T/good.ini" --pid "$PID" --name "$NAME" 2>"$T/err"
rc=$?; check_eq "good file: up exits 0 ($(cat "$T/err"))" 0 "$rc"
# Another container publishing the same host port is refused.
tn_container PID2 "ty$TID"
tn_cleanup_name "$NAME-2"
sed "s/$NET.2/$NET.3/" "$T/good.ini" > "$T/same-port.ini"
"$TEND_NET" up -c "$T/same-port.ini" --pid "$PID2" --name "$NAME-2" 2>"$T/err"
check_eq "same host port for a second container: exit 1" 1 $?
check "same host port: says who has it" grep -q "already published by 'tend-net:$NAME'" "$T/err"
check "same host port: nothing of the second left" tn_nothing_of "$NAME-2"
"$TEND_NET" down --name "$NAME" 2>"$T/err"
check_eq "down exits 0" 0 $?
check "nothing left" nothing_left
