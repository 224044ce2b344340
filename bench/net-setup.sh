#!/bin/bash
# bench/net-setup.sh: time from start to "network ready" for tend's
# in-process set-up (netc, through libnl-3) against the same steps done the
# way people do by hand, a shell script of `ip` commands:
#   ip link set lo up; ip link set ceth0 up; ip addr add 172.20.0.5/24 dev
#   ceth0; ip route add default via 172.20.0.1; write /etc/resolv.conf
# Each run gets a fresh network namespace (with a veth pair whose container
# end is ceth0) and a private mount namespace where /etc/resolv.conf is a
# bind mount of a scratch file: the host's network and /etc are never
# touched. Both are timed from inside: tend from netc_start to its done
# callback (netc-driver prints it), the script from its first `ip` to the
# file written ($EPOCHREALTIME). The driver's whole process (exec, libc and
# libnl start-up, set-up, exit) is timed too, for honesty.
#
# Usage: bench/net-setup.sh [RUNS]   (default 50; root; env NET_BENCH=path of
# the driver, default $TOP_BUILDDIR/bench/net-setup-bench; BENCH_OUT, a
# directory for the raw results as TSV: bench/results.sh)
set -eu
. "$(dirname "$0")/results.sh"

RUNS=${1:-50}
: "${TOP_BUILDDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
NET_BENCH=${NET_BENCH:-$TOP_BUILDDIR/bench/net-setup-bench}

[ "$(id -u)" = 0 ] || { echo "net-setup: needs root, skipped"; exit 77; }
[ -x "$NET_BENCH" ] || { echo "net-setup: $NET_BENCH not built (make bench builds it)"; exit 1; }
for c in ip unshare nsenter; do
	command -v "$c" >/dev/null || { echo "net-setup: needs $c"; exit 77; }
done
if grep -qa '__asan_init' "$NET_BENCH"; then
	echo "net-setup: warning: $NET_BENCH is built with sanitizers, its times are inflated" >&2
fi

PFX=tbn$(printf '%04x' $(( $$ % 65536 )))
TMP=$(mktemp -d "${TMPDIR:-/tmp}/tend-net-bench.XXXXXX")
MADE=()
cleanup() {
	local n
	for n in "${MADE[@]}"; do ip netns del "$n" 2>/dev/null || true; done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
: >"$TMP/resolv.conf"
results_init net-setup

# Both sides run at the same raised priority: on a shared machine this keeps
# other work from landing in the middle of a few-millisecond measurement.
renice -n -10 $$ >/dev/null 2>&1 || true

# Every namespace is made before anything is timed and removed only at the
# end: the kernel tears a namespace down in the background holding the rtnl
# lock, which would slow whatever runs next (both sides, by milliseconds).
# Each has ceth0 (down, no address) and its peer up.
make_ns() {
	ip netns add "$1"
	MADE+=("$1")
	ip -n "$1" link add ceth0 type veth peer name hpeer
	ip -n "$1" link set hpeer up
}
for (( i = 0; i < RUNS; i++ )); do
	make_ns "$PFX-t$i"
	make_ns "$PFX-s$i"
done
sleep 1 # let the kernel's work on the new links settle

# in_ns CMD...: CMD inside the namespace, with /etc/resolv.conf private.
in_ns() {
	nsenter "--net=/run/netns/$NS" unshare --mount --propagation private \
		bash -c 'mount --bind "$1" /etc/resolv.conf && shift && exec "$@"' in-ns "$TMP/resolv.conf" "$@"
}

# The hand-made way, timed from inside (bash's own start-up excluded).
SCRIPT='
t0=$EPOCHREALTIME
ip link set lo up
ip link set ceth0 up
ip addr add 172.20.0.5/24 dev ceth0
ip route add default via 172.20.0.1
printf "nameserver 172.20.0.1\n" >/etc/resolv.conf
t1=$EPOCHREALTIME
echo $(( (${t1/./} - ${t0/./}) ))'

# tend's driver, timed the same way from outside the process too.
TEND_SCRIPT='
t0=$EPOCHREALTIME
out=$("$0" "$@" 2>/dev/null)
t1=$EPOCHREALTIME
echo "$out $(( (${t1/./} - ${t0/./}) ))"'

tend_us=() proc_us=() script_us=()
for (( i = 0; i < RUNS; i++ )); do
	NS=$PFX-t$i
	read -r word us pus < <(in_ns bash -c "$TEND_SCRIPT" "$NET_BENCH" -x -i ceth0 -a 172.20.0.5/24 \
		-g 172.20.0.1 -d 172.20.0.1) || true
	[ "${word:-}" = ready ] || { echo "net-setup: tend's set-up failed" >&2; exit 1; }
	tend_us+=("$us")
	proc_us+=("$pus")
	# Sanity: the same state as the script makes.
	if [ "$i" = 0 ]; then
		ip -n "$NS" -br addr show ceth0 | grep -q '172.20.0.5/24' || { echo "net-setup: no address" >&2; exit 1; }
		ip -n "$NS" route show default | grep -q 'via 172.20.0.1' || { echo "net-setup: no route" >&2; exit 1; }
	fi

	NS=$PFX-s$i
	script_us+=("$(in_ns bash -c "$SCRIPT")")
	if [ "$i" = 0 ]; then
		ip -n "$NS" route show default | grep -q 'via 172.20.0.1' || { echo "net-setup: script failed" >&2; exit 1; }
	fi
done

median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
minimum() { printf '%s\n' "$@" | sort -n | head -1; }
ms() { awk -v u="$1" 'BEGIN { printf "%.3f ms", u / 1000 }'; }
mt=$(median "${tend_us[@]}")
mp=$(median "${proc_us[@]}")
ms_=$(median "${script_us[@]}")
result param RUNS count "$RUNS"
for s in "tend in-process:tend_us" "tend whole process:proc_us" "ip script:script_us"; do
	n=${s%%:*}; a="${s#*:}[@]"
	samples "$n" time µs "${!a}"
	result "$n" median µs "$(median "${!a}")"
	result "$n" minimum µs "$(minimum "${!a}")"
done

echo "Network set-up, $RUNS runs each, interleaved ($(uname -r), $(nproc) CPUs, $(date -u '+%Y-%m-%d %H:%M') UTC):"
printf '  %-46s %12s %12s\n' "" median minimum
printf '  %-46s %12s %12s\n' "tend in-process (netc_start to done)" "$(ms "$mt")" "$(ms "$(minimum "${tend_us[@]}")")"
printf '  %-46s %12s %12s\n' "tend's driver, whole process (exec to exit)" "$(ms "$mp")" "$(ms "$(minimum "${proc_us[@]}")")"
printf '  %-46s %12s %12s\n' "shell script of ip commands" "$(ms "$ms_")" "$(ms "$(minimum "${script_us[@]}")")"
awk -v s="$ms_" -v t="$mt" -v p="$mp" 'BEGIN {
	printf "  speed-up (medians): %.1fx in-process, %.1fx counting tend'"'"'s process start\n", s / t, s / p }'
