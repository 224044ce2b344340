#!/bin/bash
# bench/pid1.sh: tend as PID 1 against tini, dumb-init and catatonit, each
# as PID 1 of its own PID namespace (unshare --pid --fork --mount-proc INIT
# -- CMD). Prints a Markdown table, medians of repeated runs, with each
# peer's ratio to tend. Run by `make bench` (root needed).
#
# Environment: TEND, TEND_STATIC (tend-static beside TEND), PID1_BENCH
# (the helper, bench/pid1-bench), and the sizes: REPEAT (5), ZOMBIES
# (10000), ORPHANS (100000), ORPHAN_REPEAT (3), SIGNALS (500), STARTS (200),
# IDLE (10 seconds), INITS (the list; tend-static is one, not in the
# default), ONLY (the measures: memory reap orphans signal start idle size),
# BENCH_OUT (a directory for the raw results as TSV: bench/results.sh).
set -u
. "$(dirname "$0")/results.sh"

: "${TEND:=$(cd "$(dirname "$0")/.." && pwd)/tend}"
: "${PID1_BENCH:=$(dirname "$0")/pid1-bench}"
: "${REPEAT:=5}" "${ZOMBIES:=10000}" "${ORPHANS:=100000}" "${ORPHAN_REPEAT:=3}"
: "${SIGNALS:=500}" "${STARTS:=200}" "${IDLE:=10}"
: "${INITS:=tend tini dumb-init catatonit}"
: "${TEND_STATIC:=$(dirname "$TEND")/tend-static}"
: "${ONLY:=memory reap orphans signal start idle size}"
B=$PID1_BENCH

[ "$(id -u)" = 0 ] || { echo "bench/pid1.sh: needs root (PID namespaces)"; exit 77; }
[ -x "$B" ] || { echo "bench/pid1.sh: $B missing (make bench builds it)"; exit 1; }

declare -A INIT=(
	[tend]="$TEND --"
	[tend-static]="$TEND_STATIC --"
	[tini]="/usr/bin/tini --"
	[dumb-init]="/usr/bin/dumb-init --"
	[catatonit]="/usr/bin/catatonit --"
)
declare -A R   # R[metric,init] = value
results_init pid1

TMP=$(mktemp -d /tmp/pid1-bench.XXXXXX)
UPID=""
IPID=""
stop_bg() {
	[ -n "$IPID" ] && kill -KILL "$IPID" 2>/dev/null
	[ -n "$UPID" ] && wait "$UPID" 2>/dev/null
	UPID="" IPID=""
}
trap 'stop_bg; rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

median() {
	printf '%s\n' "$@" | grep -v '^$' | sort -g | awk '{ a[NR] = $1 }
		END { if (NR == 0) print "n/a"; else if (NR % 2) print a[(NR + 1) / 2];
		      else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# in_ns INIT CMD...: run CMD under INIT as PID 1 of a new PID namespace.
in_ns() {
	local i=$1; shift
	# shellcheck disable=SC2086 # INIT[] holds a command and its "--"
	unshare --pid --fork --mount-proc ${INIT[$i]} "$@" 2>>"$TMP/stderr"
}

# start_bg INIT CMD...: the same in the background; sets UPID (unshare)
# and IPID (the init, as seen from here) once the init has a child.
start_bg() {
	local i=$1 k; shift
	# shellcheck disable=SC2086
	unshare --pid --fork --mount-proc ${INIT[$i]} "$@" 2>>"$TMP/stderr" &
	UPID=$!
	IPID=""
	for (( k = 0; k < 500; k++ )); do
		[ -z "$IPID" ] && IPID=$(tr -d ' ' <"/proc/$UPID/task/$UPID/children" 2>/dev/null)
		if [ -n "$IPID" ] && [ -n "$(tr -d ' ' <"/proc/$IPID/task/$IPID/children" 2>/dev/null)" ]; then
			return 0
		fi
		kill -0 "$UPID" 2>/dev/null || break
		sleep 0.01
	done
	stop_bg
	return 1
}

status_field() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/$3"; }

# tend joins once its single-command mode works: the exit status must pass.
usable() {
	local i=$1 rc
	case $i in
	tend) [ -x "$TEND" ] || { echo "$i: $TEND missing"; return 1; } ;;
	tend-static) [ -x "$TEND_STATIC" ] || { echo "$i: $TEND_STATIC missing"; return 1; } ;;
	*) local bin=${INIT[$i]%% *}; [ -x "$bin" ] || { echo "$i: $bin missing"; return 1; } ;;
	esac
	in_ns "$i" sh -c 'exit 3'
	rc=$?
	[ "$rc" = 3 ] || { echo "$i: \`$i -- sh -c 'exit 3'\` exited $rc, not 3: left out"; return 1; }
	return 0
}

active=()
for i in $INITS; do
	if usable "$i"; then active+=("$i"); fi
done
if [ "$TEND" ] && ldd "$TEND" 2>/dev/null | grep -q 'libasan\|libubsan'; then
	echo "warning: $TEND is a sanitizer build: its memory and times are not representative"
fi

bench_memory() {
	local i=$1 n rss=() pss=()
	for (( n = 0; n < REPEAT; n++ )); do
		start_bg "$i" sleep infinity || return
		rss+=("$(status_field "$IPID" Rss smaps_rollup)")
		pss+=("$(status_field "$IPID" Pss smaps_rollup)")
		stop_bg
	done
	R[rss,$i]=$(median "${rss[@]}")
	R[pss,$i]=$(median "${pss[@]}")
	samples "$i" rss KiB "${rss[@]}"
	samples "$i" pss KiB "${pss[@]}"
}

bench_reap() {
	local i=$1 n v=()
	for (( n = 0; n < REPEAT; n++ )); do
		v+=("$(in_ns "$i" "$B" reap "$ZOMBIES")")
	done
	R[reap,$i]=$(median "${v[@]}")
	samples "$i" reap ms "${v[@]}"
}

bench_orphans() {
	local i=$1 n out peak=() total=()
	for (( n = 0; n < ORPHAN_REPEAT; n++ )); do
		out=$(in_ns "$i" "$B" orphans "$ORPHANS" 100)
		peak+=("${out%% *}")
		total+=("${out##* }")
	done
	R[peak,$i]=$(median "${peak[@]}")
	R[orph,$i]=$(median "${total[@]}")
	samples "$i" peak count "${peak[@]}"
	samples "$i" orph ms "${total[@]}"
}

bench_signal() {
	local i=$1 fifo=$TMP/fifo out
	rm -f "$fifo"
	mkfifo "$fifo"
	start_bg "$i" "$B" sigchild "$fifo" || return
	out=$(timeout 60 "$B" sigsend "$IPID" "$fifo" "$SIGNALS")
	stop_bg
	R[sig,$i]=${out%% *}
	R[sig90,$i]=${out##* }
}

bench_start() {
	local i=$1
	# shellcheck disable=SC2086
	R[start,$i]=$("$B" time "$STARTS" unshare --pid --fork --mount-proc ${INIT[$i]} /bin/true)
}

bench_idle() {
	local i=$1 c0 c1
	start_bg "$i" sleep infinity || return
	sleep 1
	c0=$(( $(status_field "$IPID" voluntary_ctxt_switches status) + $(status_field "$IPID" nonvoluntary_ctxt_switches status) ))
	sleep "$IDLE"
	c1=$(( $(status_field "$IPID" voluntary_ctxt_switches status) + $(status_field "$IPID" nonvoluntary_ctxt_switches status) ))
	R[wake,$i]=$(( c1 - c0 ))
	timeout -s INT "$IDLE" strace -c -p "$IPID" -o "$TMP/strace" 2>/dev/null
	R[sys,$i]=$(awk '$NF == "total" { print $4; f = 1 } END { if (!f) print 0 }' "$TMP/strace")
	stop_bg
}

# The init's executable stripped (a copy), KiB: what an image carries.
bench_size() {
	local i=$1 bin=${INIT[$1]%% *}
	strip -o "$TMP/stripped" "$bin" 2>/dev/null || return
	R[size,$i]=$(( $(stat -c %s "$TMP/stripped") / 1024 ))
	if ldd "$bin" >/dev/null 2>&1; then R[dyn,$i]=dynamic; else R[dyn,$i]=static; fi
}

for i in "${active[@]}"; do
	echo "measuring $i..." >&2
	for m in $ONLY; do "bench_$m" "$i"; done
done
base=$("$B" time "$STARTS" unshare --pid --fork --mount-proc /bin/true)
for i in "${active[@]}"; do
	[ -n "${R[start,$i]:-}" ] && R[over,$i]=$(awk -v a="${R[start,$i]}" -v b="$base" 'BEGIN { printf "%.1f", a - b }')
done

# The raw results: what the table below shows, unrounded, in TSV.
for p in REPEAT ZOMBIES ORPHANS ORPHAN_REPEAT SIGNALS STARTS IDLE; do result param "$p" count "${!p}"; done
result none start µs "$base"
for i in "${active[@]}"; do
	for m in rss:KiB pss:KiB reap:ms peak:count orph:ms sig:µs sig90:µs start:µs over:µs \
		 wake:count sys:count size:KiB dyn:-; do
		[ -n "${R[${m%%:*},$i]:-}" ] && result "$i" "${m%%:*}" "${m#*:}" "${R[${m%%:*},$i]}"
	done
done

# cell METRIC INIT: the value, and for a peer its ratio to the first's.
cell() {
	local v=${R[$1,$2]:-n/a} t=${R[$1,${active[0]}]:-}
	if [ "$2" = "${active[0]}" ] || [ -z "$t" ] || [ "$v" = n/a ]; then
		printf '%s' "$v"
	else
		awk -v v="$v" -v t="$t" 'BEGIN { if (t + 0 == 0) printf "%s", v; else printf "%s (%.2f×)", v, v / t }'
	fi
}

echo
echo "Machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), kernel $(uname -r); $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "Runs: memory, reaping: median of $REPEAT; orphans: median of $ORPHAN_REPEAT; signals: median of $SIGNALS; start/exit: median of $STARTS; idle: $IDLE s."
echo "Ratios in parentheses: that init's value / ${active[0]}'s."
echo
printf '| %s ' metric "${active[@]}"; echo '|'
printf '|---'; printf '|---:%.0s' "${active[@]}"; echo '|'
for m in "rss:RSS of the init, KiB (supervising one sleep)" \
	 "pss:PSS of the init, KiB" \
	 "reap:reap $ZOMBIES zombies handed over at once, ms" \
	 "peak:peak unreaped orphans while $ORPHANS are made (100 at a time)" \
	 "orph:time to make and reap $ORPHANS orphans, ms" \
	 "sig:signal forwarding latency, median, µs" \
	 "sig90:signal forwarding latency, 90th percentile, µs" \
	 "start:INIT -- /bin/true in a new PID namespace, µs ($base without an init)" \
	 "over:start/exit overhead of the init, µs" \
	 "wake:idle context switches in $IDLE s" \
	 "sys:idle system calls in $IDLE s (strace -c)" \
	 "size:the executable stripped, KiB" \
	 "dyn:linked"; do
	# A row no measure of this run filled is left out.
	any=""; for i in "${active[@]}"; do [ -n "${R[${m%%:*},$i]:-}" ] && any=1; done
	[ -n "$any" ] || continue
	printf '| %s ' "${m#*:}"
	for i in "${active[@]}"; do printf '| %s ' "$(cell "${m%%:*}" "$i")"; done
	echo '|'
done
