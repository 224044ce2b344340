# net-lib.sh: helpers for the [network] tests (net-*.sh). Source after
# test/lib.sh. Every namespace and link is made here by the test itself and
# registered with `cleanup`; the host's own network namespace and its /etc
# are never touched: the container runs in a private mount namespace where
# /etc is a bind mount of a scratch copy ($NET_ETC), and /etc/resolv.conf is
# in turn a file bind mount there (as runc makes it), so that both ways of
# writing (rename, and in place over a bind mount) are exercised.

need_root
need_cmd ip unshare nsenter jq

# The subject: real tend as PID 1 (its network module, tend-netc.so, loaded
# from next to the binary); NET_SUBJECT=driver runs the netc driver instead
# (same module, same loop, fed the same INI's [network] keys).
NET_SUBJECT=${NET_SUBJECT:-tend}
if [ "$NET_SUBJECT" = driver ]; then
	NETC_DRIVER=${NETC_DRIVER:-$TOP_BUILDDIR/test/netc-driver}
	[ -x "$NETC_DRIVER" ] || skip "needs $NETC_DRIVER (make check builds it)"
fi

NET_TMP=$(mktmp)
NET_ETC=$NET_TMP/etc
mkdir -p "$NET_ETC"
# What a dynamically linked tend needs from /etc, nothing else.
for f in ld.so.cache ld.so.conf passwd group nsswitch.conf; do
	[ -e "/etc/$f" ] && cp "/etc/$f" "$NET_ETC/"
done
[ -d /etc/ld.so.conf.d ] && cp -r /etc/ld.so.conf.d "$NET_ETC/"
printf 'nameserver 192.0.2.53\n' >"$NET_TMP/resolv.conf"
: >"$NET_ETC/resolv.conf"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n192.0.2.7\tforeign.example\n' >"$NET_ETC/hosts"

# The [network] section of an INI file as netc-driver options.
_ini_to_args() {
	local ini=$1 sect="" line k v item
	NET_ARGS=()
	while IFS= read -r line; do
		line=${line%$'\r'}
		case $line in
		\[*\]) sect=$line; continue ;;
		''|\;*|\#*) continue ;;
		esac
		[ "$sect" = "[network]" ] || continue
		k=$(sed 's/^[[:space:]]*//; s/[[:space:]]*=.*//' <<<"$line")
		v=$(sed 's/^[^=]*=[[:space:]]*//; s/[[:space:]]*$//' <<<"$line")
		case $k in
		interface) NET_ARGS+=(-i "$v") ;;
		rename) NET_ARGS+=(-n "$v") ;;
		mtu) NET_ARGS+=(-m "$v") ;;
		gateway) NET_ARGS+=(-g "$v") ;;
		route) NET_ARGS+=(-r "$v") ;;
		hosts) NET_ARGS+=(-H "$v") ;;
		wait)
			case $v in
			*ms) NET_ARGS+=(-w "${v%ms}") ;;
			*s) NET_ARGS+=(-w "$(( ${v%s} * 1000 ))") ;;
			*) NET_ARGS+=(-w "$(( v * 1000 ))") ;;
			esac ;;
		address|dns|dns_search)
			for item in ${v//,/ }; do
				case $k in
				address) NET_ARGS+=(-a "$item") ;;
				dns) NET_ARGS+=(-d "$item") ;;
				*) NET_ARGS+=(-s "$item") ;;
				esac
			done ;;
		esac
	done <"$ini"
}

# Run the subject through this (e.g. setpriv to drop a capability).
NET_WRAP=()

# net_start INI [NETNS]: run the subject as PID 1 of a new pid namespace,
# in a new network namespace (or in the existing netns NETNS), with the
# private /etc. Sets NET_UPID (unshare, whose exit status is the subject's)
# and NET_PID (the subject, PID 1 inside), output in $NET_TMP/out, err.
# /run is a tmpfs of its own, so that tend's control socket never meets
# another test's.
net_start() {
	local ini=$1 netns=${2:-} cmd
	local -a pre=(unshare --net)
	if [ -n "$netns" ]; then pre=(nsenter "--net=/run/netns/$netns" unshare); fi
	if [ "$NET_SUBJECT" = tend ]; then
		cmd=("$TEND" -c "$ini")
	else
		_ini_to_args "$ini"
		cmd=("$NETC_DRIVER" "${NET_ARGS[@]}")
	fi
	cmd=("${NET_WRAP[@]}" "${cmd[@]}")
	"${pre[@]}" --pid --fork --mount-proc --propagation private \
		bash -c 'mount --bind "$1" /etc && mount --bind "$2" /etc/resolv.conf && mount -t tmpfs tmpfs /run && shift 2 && exec "$@"' \
		net-start "$NET_ETC" "$NET_TMP/resolv.conf" "${cmd[@]}" \
		>"$NET_TMP/out" 2>"$NET_TMP/err" &
	NET_UPID=$!
	cleanup "kill_pid $NET_UPID"
	NET_PID=""
	wait_until 5 _net_child || die "the subject did not start"
	[ -n "$NET_PID" ] && cleanup "kill -KILL $NET_PID"
	return 0
}
_net_child() {
	local c
	# Already over (a set-up that fails at once; bash may have reaped it
	# already): nothing to find.
	local st
	st=$(awk '{print $3}' "/proc/$NET_UPID/stat" 2>/dev/null) || st=Z
	[ "$st" = Z ] && { NET_PID=""; return 0; }
	c=$(cat "/proc/$NET_UPID/task/$NET_UPID/children" 2>/dev/null) || return 1
	NET_PID=${c%% *}
	[ -n "$NET_PID" ] && [ "$(readlink "/proc/$NET_PID/ns/net")" != "$(readlink /proc/self/ns/net)" ] &&
		[ "$(readlink "/proc/$NET_PID/exe")" != "$(readlink -f "$(command -v bash)")" ]
}

# net_ready SECONDS: wait until the subject says the network is ready.
net_ready() { wait_until "$1" grep -q 'network ready' "$NET_TMP/err"; }

# net_wait: wait for the subject to end; its exit status in NET_RC.
net_wait() { NET_RC=0; wait "$NET_UPID" || NET_RC=$?; }

# cip ARGS...: `ip` inside the subject's network namespace.
cip() { nsenter -t "$NET_PID" -n ip "$@"; }

# net_peer_ns: a namespace for the test's end of the veth pair.
net_peer_ns() {
	NET_PEER=tnp$TID
	ip netns add "$NET_PEER" || die "ip netns add $NET_PEER"
	cleanup "ip netns del $NET_PEER"
	ip -n "$NET_PEER" link set lo up
}

# net_veth_into PEER_IF CONTAINER_IF: make a veth pair inside the peer
# namespace and move one end, named CONTAINER_IF, into the subject's.
net_veth_into() {
	ip -n "$NET_PEER" link add "$1" type veth peer name "$2" || return 1
	ip -n "$NET_PEER" link set "$2" netns "$NET_PID"
}
