#!/bin/bash
# bench/restart.sh: restart latency of a crashing service under tend and
# its peers (supervisord, s6-supervise, runsv), and 1,000 services under
# one tend (bench/many-services.sh does that part; this script runs it last
# unless MANY=0).
#
# The service is bench/restart-stamp: it appends "START END" (CLOCK_MONOTONIC
# ns at main() and just before _exit) to a file and exits 0 at once. The
# latency of restart i is START[i+1] - END[i]: from the service's exit to the
# next run's first instruction, everything the supervisor does in between
# (reap, decide, fork, exec) included. Each supervisor runs at its fastest
# setting: tend `restart = always`, `restart_delay = 0`; supervisord
# `autorestart = true`, `startsecs = 0`; s6-supervise and runsv have no
# setting (each waits about a second, by design, before restarting a
# service that ran for less than a second).
#
# Environment: TEND (a build without sanitizers!), STAMP, SECONDS_PEER (how
# long each peer runs, default 6), TEND_RESTARTS (default 5000), PEERS
# (default "supervisord s6 runit"), BENCH_OUT (a directory for the raw
# results as TSV: bench/results.sh).
set -u
. "$(dirname "$0")/results.sh"
: "${TEND:?TEND: the tend binary to measure}"
: "${STAMP:?STAMP: bench/restart-stamp}"
SECONDS_PEER=${SECONDS_PEER:-6}
TEND_RESTARTS=${TEND_RESTARTS:-5000}
PEERS=${PEERS:-supervisord s6 runit}

if grep -qa __asan_init "$TEND"; then
	echo "WARNING: $TEND is a sanitizer build; configure a separate build without --enable-sanitizers" >&2
fi
W=$(mktemp -d "${TMPDIR:-/tmp}/tend-bench-restart.XXXXXX")
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
results_init restart

lines() { [ -f "$1" ] && wc -l <"$1" || echo 0; }
# Wait until FILE has N lines or SECS seconds passed.
wait_lines() {
	local f=$1 n=$2 secs=$3 end
	end=$(( $(date +%s) + secs ))
	while [ "$(lines "$f")" -lt "$n" ] && [ "$(date +%s)" -lt "$end" ]; do sleep 0.05; done
}
# Stop a supervisor and everything under it, by pid.
stop_tree() {
	local p=$1 c
	for c in $(ps -o pid= --ppid "$p" 2>/dev/null); do stop_tree "$c"; done
	kill -KILL "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	true
}

# stats FILE NAME: "n median_us p90_us per_second" over the restarts in
# FILE; each latency is a row of NAME in the samples file, if there is one.
stats() {
	/usr/bin/python3 - "$1" "$2" "$RESULTS_SAMPLES" <<'PY'
import sys
rows = [tuple(map(int, l.split())) for l in open(sys.argv[1]) if len(l.split()) == 2]
lat = [(rows[i + 1][0] - rows[i][1]) / 1000.0 for i in range(len(rows) - 1)]
if sys.argv[3]:
    with open(sys.argv[3], "a") as out:
        out.writelines("%s\tlatency\tµs\t%.1f\n" % (sys.argv[2], v) for v in lat)
lat.sort()
if not lat:
    print("0 - - -"); sys.exit()
def pct(p):
    return lat[min(len(lat) - 1, int(p * (len(lat) - 1) + 0.5))]
span = (rows[-1][0] - rows[0][0]) / 1e9
rate = (len(rows) - 1) / span if span > 0 else 0
print(len(lat), "%.1f" % pct(0.5), "%.1f" % pct(0.9), "%.1f" % rate)
PY
}

declare -A RES VER

run_tend() {
	local f=$W/tend.stamps
	cat >"$W/tend.ini" <<EOT
[service:crash]
command = $STAMP $f
restart = always
restart_delay = 0
EOT
	"$TEND" -q -c "$W/tend.ini" >/dev/null 2>"$W/tend.log" &
	local p=$!; PIDS+=("$p"); disown "$p"
	wait_lines "$f" "$TEND_RESTARTS" 120
	stop_tree "$p"
	RES[tend]=$(stats "$f" tend)
	VER[tend]=$("$TEND" --version 2>/dev/null | head -1)
}

run_supervisord() {
	command -v supervisord >/dev/null || return 1
	local f=$W/sd.stamps
	cat >"$W/supervisord.conf" <<EOT
[supervisord]
nodaemon = true
logfile = $W/supervisord.log
pidfile = $W/supervisord.pid
loglevel = error
[program:crash]
command = $STAMP $f
autorestart = true
startsecs = 0
startretries = 1000000
stdout_logfile = NONE
stderr_logfile = NONE
EOT
	supervisord -n -c "$W/supervisord.conf" >/dev/null 2>&1 &
	local p=$!; PIDS+=("$p"); disown "$p"
	sleep "$SECONDS_PEER"
	stop_tree "$p"
	RES[supervisord]=$(stats "$f" supervisord)
	VER[supervisord]="supervisord $(supervisord --version 2>/dev/null)"
}

# s6-supervise and runsv run ./run with no arguments: ./run is the stamp
# binary itself (a symlink), its file named by SVC_STAMP_FILE.
run_s6() {
	command -v s6-supervise >/dev/null || return 1
	local d=$W/s6/crash f=$W/s6.stamps
	mkdir -p "$d"
	ln -s "$STAMP" "$d/run"
	SVC_STAMP_FILE=$f s6-supervise "$d" >/dev/null 2>&1 &
	local p=$!; PIDS+=("$p"); disown "$p"
	sleep "$SECONDS_PEER"
	stop_tree "$p"
	RES[s6-supervise]=$(stats "$f" s6-supervise)
	VER[s6-supervise]="s6 $(dpkg-query -W -f '${Version}' s6 2>/dev/null)"
}

run_runit() {
	command -v runsv >/dev/null || return 1
	local d=$W/sv/crash f=$W/runsv.stamps
	mkdir -p "$d"
	ln -s "$STAMP" "$d/run"
	SVC_STAMP_FILE=$f runsv "$d" >/dev/null 2>&1 &
	local p=$!; PIDS+=("$p"); disown "$p"
	sleep "$SECONDS_PEER"
	stop_tree "$p"
	RES[runsv]=$(stats "$f" runsv)
	VER[runsv]="runit $(dpkg-query -W -f '${Version}' runit 2>/dev/null)"
}

echo "restart latency: service exit -> next exec (tend: $TEND_RESTARTS restarts; peers: ${SECONDS_PEER}s each)" >&2
run_tend
for peer in $PEERS; do
	case $peer in
	supervisord) run_supervisord ;;
	s6) run_s6 ;;
	runit) run_runit ;;
	esac || echo "skipped $peer (not installed)" >&2
done

printf '\n| supervisor | restarts measured | median latency, µs | p90 latency, µs | restarts/s |\n'
printf '|---|---:|---:|---:|---:|\n'
for s in tend supervisord s6-supervise runsv; do
	[ -n "${RES[$s]:-}" ] || continue
	read -r n med p90 rate <<<"${RES[$s]}"
	printf '| %s | %s | %s | %s | %s |\n' "$s" "$n" "$med" "$p90" "$rate"
	result "$s" restarts count "$n"
	result "$s" latency_median µs "$med"
	result "$s" latency_p90 µs "$p90"
	result "$s" rate 1/s "$rate"
done
result param TEND_RESTARTS count "$TEND_RESTARTS"
result param SECONDS_PEER s "$SECONDS_PEER"
printf '\n'
for s in tend supervisord s6-supervise runsv; do
	[ -n "${VER[$s]:-}" ] && printf '%s: %s\n' "$s" "${VER[$s]}"
done
read -r _ med _ _ <<<"${RES[tend]}"
if [ "${med%.*}" != "-" ] && [ "${med%.*}" -lt 1000 ]; then
	echo "tend: median ${med} µs, target < 1000 µs: met"
else
	echo "tend: median ${med} µs, target < 1000 µs: MISSED"
fi

if [ "${MANY:-1}" != 0 ]; then
	TEND=$TEND STAMP=$STAMP "$BASH" "$(dirname "$0")/many-services.sh"
fi
