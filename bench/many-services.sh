#!/bin/bash
# bench/many-services.sh: N services (default 1000) under one tend: the time
# from tend's launch until every service has run its first instruction, and
# tend's memory per service: (RSS with N services - RSS with 1) / (N - 1),
# and the same for anonymous memory (heap, what tend allocates per service),
# and the time from SIGTERM to tend's exit with all N stopped.
# Each service is bench/restart-stamp FILE pause: it appends its start time
# (CLOCK_MONOTONIC) to FILE and waits.
#
# Environment: TEND (a build without sanitizers), STAMP, N, REPEAT (3),
# BENCH_OUT (a directory for the raw results as TSV: bench/results.sh).
set -u
. "$(dirname "$0")/results.sh"
: "${TEND:?TEND: the tend binary to measure}"
: "${STAMP:?STAMP: bench/restart-stamp}"
N=${N:-1000}
REPEAT=${REPEAT:-3}

W=$(mktemp -d "${TMPDIR:-/tmp}/tend-bench-many.XXXXXX")
TP=
cleanup() {
	[ -n "$TP" ] && stop_tree "$TP"
	rm -rf "$W"
}
stop_tree() {
	local p=$1 c
	for c in $(ps -o pid= --ppid "$p" 2>/dev/null); do stop_tree "$c"; done
	kill -KILL "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	true
}
trap cleanup EXIT
trap 'exit 130' INT TERM
results_init many-services

ini() { # ini COUNT FILE
	local i
	for (( i = 0; i < $1; i++ )); do
		printf '[service:s%d]\ncommand = %s %s pause\n' "$i" "$STAMP" "$2"
	done
}
lines() { [ -f "$1" ] && wc -l <"$1" || echo 0; }
rollup() { awk -v k="$2:" '$1==k {print $2}' "/proc/$1/smaps_rollup"; }

# run COUNT: start tend with COUNT services, wait until all ran; prints
# "ms_until_all rss_kib anon_kib ms_to_stop_all".
run() {
	local n=$1 f=$W/stamps.$1 t0 last end
	rm -f "$f"
	ini "$n" "$f" >"$W/many.ini"
	t0=$("$STAMP" now)
	"$TEND" -q -c "$W/many.ini" >/dev/null 2>"$W/tend.log" &
	TP=$!
	disown "$TP"
	end=$(( $(date +%s) + 120 ))
	while [ "$(lines "$f")" -lt "$n" ] && [ "$(date +%s)" -lt "$end" ]; do sleep 0.01; done
	# Settled: every service past exec and tend back in its loop.
	sleep 0.5
	last=$(sort -n "$f" | tail -1 | awk '{print $1}')
	local up=$(( (last - t0) / 1000000 )) rss anon s0 s1
	rss=$(rollup "$TP" Rss) anon=$(rollup "$TP" Anonymous)
	s0=$("$STAMP" now)
	kill -TERM "$TP"
	end=$(( $(date +%s) + 30 ))
	while kill -0 "$TP" 2>/dev/null && [ "$(date +%s)" -lt "$end" ]; do sleep 0.005; done
	s1=$("$STAMP" now)
	echo "$up $rss $anon $(( (s1 - s0) / 1000000 ))"
	stop_tree "$TP"
	TP=
}

best_ms=; rss1=; anon1=; rssn=; anonn=
for (( r = 0; r < REPEAT; r++ )); do
	read -r _ a b <<<"$(run 1)"
	[ -z "$rss1" ] || [ "$a" -lt "$rss1" ] && rss1=$a
	[ -z "$anon1" ] || [ "$b" -lt "$anon1" ] && anon1=$b
	read -r ms a b st <<<"$(run "$N")"
	echo "run $((r + 1)): $N services running after $ms ms, RSS $a KiB, anonymous $b KiB; all stopped $st ms after SIGTERM" >&2
	all_stop+=("$st")
	[ -z "$best_ms" ] || [ "$ms" -lt "$best_ms" ] && best_ms=$ms
	[ -z "$rssn" ] || [ "$a" -lt "$rssn" ] && rssn=$a
	[ -z "$anonn" ] || [ "$b" -lt "$anonn" ] && anonn=$b
	all_ms+=("$ms")
done
med_ms=$(printf '%s\n' "${all_ms[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
med_stop=$(printf '%s\n' "${all_stop[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
per_rss=$(awk -v a="$rssn" -v b="$rss1" -v n="$N" 'BEGIN {printf "%.2f", (a - b) / (n - 1)}')
per_anon=$(awk -v a="$anonn" -v b="$anon1" -v n="$N" 'BEGIN {printf "%.2f", (a - b) / (n - 1)}')

result param N count "$N"
result param REPEAT count "$REPEAT"
samples tend start_all ms "${all_ms[@]}"
result tend start_all_median ms "$med_ms"
result tend start_all_best ms "$best_ms"
result tend rss_1 KiB "$rss1"
result tend rss_n KiB "$rssn"
result tend rss_per_service KiB "$per_rss"
result tend anon_per_service KiB "$per_anon"
samples tend stop_all ms "${all_stop[@]}"
result tend stop_all_median ms "$med_stop"

printf '\n| %d services under one tend | value |\n|---|---:|\n' "$N"
printf '| time until all are running, ms (median of %d; best) | %s (%s) |\n' "$REPEAT" "$med_ms" "$best_ms"
printf '| tend RSS with 1 service, KiB | %s |\n' "$rss1"
printf '| tend RSS with %d services, KiB | %s |\n' "$N" "$rssn"
printf '| RSS per service, KiB | %s |\n' "$per_rss"
printf '| anonymous memory per service, KiB | %s |\n' "$per_anon"
printf '| SIGTERM to tend until all %d stopped and tend ended, ms (median of %d) | %s |\n' "$N" "$REPEAT" "$med_stop"
if awk -v p="$per_rss" 'BEGIN {exit !(p < 8)}'; then
	echo "memory per service ${per_rss} KiB, target < 8 KiB: met"
else
	echo "memory per service ${per_rss} KiB, target < 8 KiB: MISSED"
fi
