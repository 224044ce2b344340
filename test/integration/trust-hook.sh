#!/bin/bash
# Nothing inside a container's root filesystem decides what tend-net does on
# the host (issue 11, hole 4; contract sections 3 and 6). Each case is the
# attack as root in a container would make it: a hostile
# rootfs/etc/tend/tend.ini that publishes a port the host itself listens
# on, joins a host bridge and turns on NAT, then a real `tend-net hook up`
# with the OCI state runc gives on stdin. Asserted: exit 78 with the
# reason, and no link, address or nft rule changed on the host side.
# Also: a FIFO as -c does not hang the hook; a port a host socket listens
# on is refused (1, naming it) with nothing left; an unset ${VAR} in a
# service section does not concern tend-net (issue 12, item 6).
. "$TOP_SRCDIR/test/lib.sh"
. "$TOP_SRCDIR/test/integration/tendnet-lib.sh"

[ -x "$TEND_NET" ] || skip "tend-net not built"
need_cmd timeout setpriv
T=$(mktmp)
chmod 0755 "$T"
X=$(( 16#$TID % 200 + 20 ))
NET=10.248.$X
NAME=tnt-$TID
HBR=th$TID          # "the host's own bridge", made by the test
HP=$(tn_free_port 11)

tn_container PID "tt$TID"
tn_cleanup_name "$NAME"
ip link add "$HBR" type bridge || die "bridge"
cleanup "ip link del '$HBR'"

# A host socket on HP (what sshd on 22 would be), on loopback only.
socat TCP-LISTEN:"$HP",bind=127.0.0.1,reuseaddr,fork SYSTEM:'echo host' &
LPID=$!
cleanup "kill_pid $LPID"
wait_until 5 bash -c "ss -Hltn 'sport = :$HP' | grep -q ." || die "host listener did not start"

# The bundle runc would hand over: config.json with root.path, and the
# container's own (hostile) INI inside the rootfs.
B=$T/bundle
mkdir -p "$B/rootfs/etc/tend"
echo '{"ociVersion":"1.0.2","root":{"path":"rootfs"}}' > "$B/config.json"
cat > "$B/rootfs/etc/tend/tend.ini" <<EOF
[network]
interface = ceth0
address = $NET.2/24
bridge = $HBR
nat = yes
publish = $HP:22/tcp

[service:app]
command = sleep 1
EOF
# The hook as runc runs it: the state on stdin (a script, for `timeout`).
cat > "$T/hook-up" <<EOF
#!/bin/bash
printf '{"ociVersion":"1.0.2","id":"%s","status":"creating","pid":%d,"bundle":"%s","annotations":{}}' \\
	"$NAME" "$PID" "\${BUNDLE:-$B}" | exec "$TEND_NET" hook up "\$@"
EOF
chmod +x "$T/hook-up"
hook_up=$T/hook-up

# What the host side looks like, for the parts an attack would change.
host_view() {
	ip -j link | jq -c --arg br "$HBR" --arg t "tend-net:$NAME" \
		'[.[] | select(.ifname == $br or .master == $br or .ifalias == $t) | [.ifname, .master, .ifalias, .operstate]]'
	ip -j addr show "$HBR" | jq -c '[.[0].addr_info[] | .local]'
	nft -j list ruleset | jq -c --arg t "tend-net:$NAME" --arg p "$HP" \
		'[.nftables[] | select(.rule) | .rule | select(.comment == $t or (tostring | contains("\"right\":" + $p)))]'
	cat /proc/sys/net/ipv4/conf/"$HBR"/route_localnet
}
before=$(host_view)

# expect DESC STATUS PATTERN CMD...: exit STATUS within 20 s, PATTERN on
# stderr, the host side as before.
expect() {
	local desc=$1 want=$2 pat=$3 rc
	shift 3
	timeout 20 "$@" >"$T/out" 2>"$T/err"
	rc=$?
	check_eq "$desc: exit $want ($(head -c 300 "$T/err"))" "$want" "$rc"
	check "$desc: says '$pat'" grep -q -- "$pat" "$T/err"
	check_eq "$desc: host side unchanged" "$before" "$(host_view)"
	check "$desc: nothing of the container left" tn_nothing_of "$NAME"
}

# --- the attack: the hook as tend-bundle wrote it before (no -c) ----------
expect "hook without -c (reads the rootfs INI)" 78 "hook mode needs -c FILE" "$hook_up"
expect "hook down without -c" 78 "hook mode needs -c FILE" \
	bash -c "printf '{\"id\":\"%s\",\"status\":\"stopped\",\"bundle\":\"%s\"}' '$NAME' '$B' | '$TEND_NET' hook down"

# --- -c naming the container's file, directly or by a link ----------------
expect "-c inside the rootfs" 78 "inside the container's root filesystem" \
	"$hook_up" -c "$B/rootfs/etc/tend/tend.ini"
ln -s "$B/rootfs/etc/tend/tend.ini" "$T/link.ini"
expect "-c a symlink into the rootfs" 78 "inside the container's root filesystem" "$hook_up" -c "$T/link.ini"
ln -s "$B/rootfs/etc" "$T/etclink"
expect "-c through a symlinked folder into the rootfs" 78 "inside the container's root filesystem" \
	"$hook_up" -c "$T/etclink/tend/tend.ini"
# root.path elsewhere (absolute): that is the rootfs that counts.
B2=$T/bundle2
mkdir -p "$B2" "$T/otherroot/etc"
cp "$B/rootfs/etc/tend/tend.ini" "$T/otherroot/etc/tend.ini"
jq -n --arg r "$T/otherroot" '{ociVersion: "1.0.2", root: {path: $r}}' > "$B2/config.json"
expect "-c inside an absolute root.path" 78 "inside the container's root filesystem" \
	env BUNDLE="$B2" "$hook_up" -c "$T/otherroot/etc/tend.ini"

# --- -c that is not root's alone -------------------------------------------
cp "$B/rootfs/etc/tend/tend.ini" "$T/nobody.ini"
chown 65534:65534 "$T/nobody.ini"
expect "-c owned by another user" 78 "not owned by root" "$hook_up" -c "$T/nobody.ini"
cp "$B/rootfs/etc/tend/tend.ini" "$T/gw.ini"
chmod 0664 "$T/gw.ini"
expect "-c group-writable" 78 "writable by group or others" "$hook_up" -c "$T/gw.ini"
chmod 0646 "$T/gw.ini"
expect "-c world-writable" 78 "writable by group or others" "$hook_up" -c "$T/gw.ini"
mkdir "$T/dir.ini"
expect "-c a folder" 78 "not a regular file" "$hook_up" -c "$T/dir.ini"

# --- a FIFO: no hang (the hook would hold runc with it) -------------------
mkfifo -m 0600 "$T/fifo.ini"
t0=$(date +%s)
expect "-c a FIFO" 78 "not a regular file" "$hook_up" -c "$T/fifo.ini"
check "-c a FIFO: answered at once, not after the 20 s timeout" test $(( $(date +%s) - t0 )) -lt 10
mkfifo -m 0600 "$B/rootfs/etc/tend/fifo.ini"
expect "-c a FIFO inside the rootfs" 78 "inside the container's root filesystem" "$hook_up" -c "$B/rootfs/etc/tend/fifo.ini"

# --- a trusted file outside the rootfs: the container's file is ignored ---
cat > "$T/host.ini" <<EOF
[network]
interface = ceth0
address = $NET.2/24
host_interface = tq$TID
host_address = $NET.1/24

[service:app]
; unset on the host: tend's business, not tend-net's (issue 12, item 6)
env = DB_PASSWORD=\${TEND_TEST_UNSET_$TID}
command = sleep 1
EOF
chmod 0600 "$T/host.ini"
"$hook_up" -c "$T/host.ini" >"$T/out" 2>"$T/err"
rc=$?
check_eq "trusted -c, unset \${VAR} in a service section: exit 0 ($(head -c 300 "$T/err"))" 0 "$rc"
check_eq "trusted -c: the host end is the one of host.ini" "tq$TID" "$(tn_links_of "$NAME")"
check_eq "trusted -c: the rootfs INI's bridge untouched" "[]" \
	"$(ip -j link | jq -c --arg br "$HBR" '[.[] | select(.master == $br)]')"
check_eq "trusted -c: no rule (the rootfs INI's publish and nat ignored)" 0 "$(tn_count_rules "$NAME")"
printf '{"id":"%s","status":"stopped","bundle":"%s"}' "$NAME" "$B" | "$TEND_NET" hook down -c "$T/host.ini" 2>"$T/err"
rc=$?
check_eq "hook down -c: exit 0 ($(cat "$T/err"))" 0 "$rc"
check "hook down: nothing left" tn_nothing_of "$NAME"
# But an unset ${VAR} in [network] is still an error.
printf '[network]\ninterface = ceth0\nbridge = ${TEND_TEST_UNSET_%s}\n' "$TID" > "$T/netvar.ini"
expect "unset \${VAR} in [network]" 78 "$T/netvar.ini:3: variable 'TEND_TEST_UNSET_$TID' is not set" \
	"$hook_up" -c "$T/netvar.ini"

# --- a host port a host socket listens on --------------------------------
cat > "$T/port.ini" <<EOF
[network]
interface = ceth0
address = $NET.2/24
bridge = tb$TID
host_address = $NET.1/24
nat = yes
publish = $HP:5000/tcp
EOF
cleanup "ip link del 'tb$TID'"
expect "publish of a port a host socket listens on" 1 "host port $HP/tcp is in use on the host" \
	"$TEND_NET" up -c "$T/port.ini" --pid "$PID" --name "$NAME"
check "listened port: tend-net's bridge removed again" bash -c "! ip link show 'tb$TID' >/dev/null 2>&1"
check_eq "listened port: the host's socket still answers" host "$(socat -T2 - TCP:127.0.0.1:$HP </dev/null 2>/dev/null)"
UP=$(tn_free_port 12)
socat -u UDP-RECV:"$UP",bind=127.0.0.1 /dev/null &
UPID=$!
cleanup "kill_pid $UPID"
wait_until 5 bash -c "ss -Hlun 'sport = :$UP' | grep -q ." || die "udp listener did not start"
sed "s|^publish = .*|publish = $UP:53/udp|" "$T/port.ini" > "$T/uport.ini"
expect "publish of a UDP port a host socket is bound to" 1 "host port $UP/udp is in use on the host" \
	"$TEND_NET" up -c "$T/uport.ini" --pid "$PID" --name "$NAME"

# --- interface names that would be nft rule text (hole 6) -----------------
# Made by the unfixed tend-net: a bridge of that name, and a rule whose
# comment the '#' cut off (down never finds it). Removed here, whatever.
INJ="t$TID\"accept;#"
purge_injected() {
	ip link del "$INJ"
	nft -j list table ip tend 2>/dev/null | jq -r --arg n "t$TID" \
		'.nftables[] | select(.rule) | select(.rule | tostring | contains($n)) | "\(.rule.chain) \(.rule.handle)"' |
	while read -r chain h; do nft delete rule ip tend "$chain" handle "$h"; done
}
cleanup purge_injected
cat > "$T/inject.ini" <<EOF
[network]
interface = ceth0
address = $NET.2/24
bridge = $INJ
nat = yes

[service:app]
command = sleep 1
EOF
chmod 0600 "$T/inject.ini"
inj_msg="$T/inject.ini:4: bad interface name"
"$TEND" --check -c "$T/inject.ini" >"$T/out" 2>"$T/err"
check_eq "tend --check: injected bridge name refused, exit 78" 78 $?
check "tend --check: FILE:LINE names it" grep -qF -- "$inj_msg" "$T/err"
expect "tend-net: injected bridge name" 78 "$inj_msg" "$TEND_NET" up -c "$T/inject.ini" --pid "$PID" --name "$NAME"
check "tend-net: no link of that name" bash -c "! ip link show '$INJ' >/dev/null 2>&1"
check_eq "tend-net: no rule mentioning it" "" "$(nft -j list ruleset | jq -c --arg n "t$TID" '.nftables[] | select(.rule) | select(.rule | tostring | contains($n))')"
for key in interface rename host_interface; do
	printf '[network]\ninterface = ceth0\n%s = a;b\n' "$key" > "$T/k.ini"
	[ "$key" = interface ] && printf '[network]\ninterface = a;b\n' > "$T/k.ini"
	line=$(grep -n 'a;b' "$T/k.ini" | cut -d: -f1)
	"$TEND" --check -c "$T/k.ini" >/dev/null 2>"$T/err"
	check_eq "tend --check: '$key = a;b' exit 78" 78 $?
	check "tend --check: '$key = a;b' at $T/k.ini:$line" grep -qF "$T/k.ini:$line: bad interface name 'a;b' for '$key'" "$T/err"
done
