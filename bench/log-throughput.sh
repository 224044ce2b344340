#!/bin/bash
# Log throughput (issue 15): lines per second a service can push through
# tend to a reader of tend's stdout, 100-byte lines:
#   inherit   the service writes to tend's stdout itself (no relay)
#   tagged    relayed by tend, "NAME: line" (log = text)
#   json      relayed by tend, one JSON object a line (log = json)
#   supervisord  stdout_logfile=/dev/stdout (Debian package supervisor;
#             left out when it is not installed)
# The service is `cat` of a file of LINES lines (big writes, as fast as the
# pipe takes them); the reader counts lines on tend's stdout and stops at
# LINES. Each case runs REPEAT times; the median is reported. Run from a
# build without sanitizers: TEND=.../tend bash bench/log-throughput.sh
# BENCH_OUT: a directory for the raw results as TSV (bench/results.sh).
set -u
. "$(dirname "$0")/results.sh"
TEND=${TEND:-./tend}
LINES=${LINES:-1000000}
REPEAT=${REPEAT:-5}
[ -x "$TEND" ] || { echo "no tend at $TEND" >&2; exit 1; }
T=$(mktemp -d /tmp/tend-logbench.XXXXXX)
trap 'rm -rf "$T"' EXIT
results_init log-throughput
result param LINES count "$LINES"
result param REPEAT count "$REPEAT"
python3 -c "
import sys
line = b'x' * 99 + b'\n'
sys.stdout.buffer.write(line * int(sys.argv[1]))" "$LINES" >"$T/data"

# The reader: reads stdin until it has seen N newlines, prints the
# seconds from its start (when the writer starts too) to then.
cat >"$T/reader.py" <<'PY'
import os, sys, time
n = int(sys.argv[1]); t0 = time.monotonic(); seen = 0
while seen < n:
    b = os.read(0, 1 << 20)
    if not b:
        break
    seen += b.count(b"\n")
print("%.4f %d" % (time.monotonic() - t0, seen))
PY

run_tend() { # MODE STDOUT
	cat >"$T/tend.ini" <<INI
[tend]
control =
log = $1
[service:svc]
command = cat $T/data
stdout = $2
restart = no
INI
	# tend's own lines (start, exit) are on stderr: only the service's
	# lines are counted.
	"$TEND" -q -c "$T/tend.ini" 2>/dev/null | python3 "$T/reader.py" "$LINES"
}

run_supervisord() {
	cat >"$T/sup.conf" <<INI
[supervisord]
nodaemon=true
logfile=/dev/null
pidfile=$T/sup.pid
loglevel=critical
[program:svc]
command=cat $T/data
autorestart=false
startsecs=0
stdout_logfile=/dev/stdout
stdout_logfile_maxbytes=0
INI
	rm -f "$T/fifo"; mkfifo "$T/fifo"
	supervisord -c "$T/sup.conf" >"$T/fifo" 2>/dev/null &
	local p=$!
	python3 "$T/reader.py" "$LINES" <"$T/fifo"
	kill -TERM "$p" 2>/dev/null
	wait "$p" 2>/dev/null
}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

report() { # NAME CMD...
	local name=$1 i r; shift
	: >"$T/times"
	for ((i = 0; i < REPEAT; i++)); do
		r=$("$@")
		[ "$(echo "$r" | cut -d' ' -f2)" -ge "$LINES" ] || { echo "$name: got '$r' lines, not $LINES" >&2; return; }
		echo "$r" | cut -d' ' -f1 >>"$T/times"
	done
	local s; s=$(median <"$T/times")
	local all; mapfile -t all <"$T/times"
	samples "$name" time s "${all[@]}"
	result "$name" time s "$s"
	result "$name" rate lines/s "$(echo "$LINES / $s" | bc -l)"
	printf '| %s | %s | %.0f |\n' "$name" "$s" "$(echo "$LINES / $s" | bc -l)"
}

echo "LINES=$LINES of 100 bytes, REPEAT=$REPEAT (median); load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| case | seconds | lines/s |"
echo "|---|---:|---:|"
report "inherit (no relay)" run_tend text inherit
report "tagged, log = text" run_tend text tagged
report "tagged, log = json" run_tend json tagged
if command -v supervisord >/dev/null; then
	report "supervisord, stdout_logfile=/dev/stdout" run_supervisord
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
