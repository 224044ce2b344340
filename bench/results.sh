# bench/results.sh: the raw results of a bench run as TSV, for bench/charts
# and bench/report. Sourced by the bench scripts; does nothing unless
# BENCH_OUT names a directory to write to.
#
#   results_init NAME          BENCH_OUT/NAME.tsv and NAME.samples.tsv start
#                              anew; BENCH_OUT/machine.tsv is written if the
#                              run has none yet (`make bench` starts a run
#                              by removing the old TSVs)
#   result INIT METRIC UNIT VALUE     one figure the tables print
#   samples INIT METRIC UNIT VALUE... the measurements it was made from
#
# Every file is "init<TAB>metric<TAB>unit<TAB>value" after a header line.
# Parameters of the run (sizes, repeats) are rows whose init is "param".
# machine.tsv is "key<TAB>value": date, kernel, cpu, cpus, debian, load,
# tend (the commit), and "dpkg:PACKAGE" for every peer installed.
# Tabs and newlines inside a field become spaces: a row stays a row.

RESULTS_FILE=
RESULTS_SAMPLES=

_results_row() { # FILE FIELD...
	local f=$1 out="" x; shift
	for x; do
		x=${x//$'\t'/ }; x=${x//$'\n'/ }; x=${x//$'\r'/ }
		out+=${out:+$'\t'}$x
	done
	printf '%s\n' "$out" >>"$f"
}

_results_machine() { # TOP
	local m=$BENCH_OUT/machine.tsv top=$1 commit p v
	[ -e "$m" ] && return 0
	commit=$(git -C "$top" rev-parse --short=7 HEAD 2>/dev/null) || commit=unknown
	# A benchmark of uncommitted code says so.
	if [ "$commit" != unknown ] && ! git -C "$top" diff --quiet HEAD -- 2>/dev/null; then
		commit="$commit-dirty"
	fi
	printf 'key\tvalue\n' >"$m"
	_results_row "$m" date "$(date -u '+%Y-%m-%d %H:%M UTC')"
	_results_row "$m" kernel "$(uname -r)"
	_results_row "$m" cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
	_results_row "$m" cpus "$(nproc)"
	_results_row "$m" debian "$(cat /etc/debian_version 2>/dev/null || echo unknown)"
	_results_row "$m" load "$(cut -d' ' -f1-3 /proc/loadavg)"
	_results_row "$m" tend "$commit"
	for p in tini dumb-init catatonit supervisor s6 runit iproute2 libnl-3-200 runc python3-uvicorn; do
		v=$(dpkg-query -W -f '${Version}' "$p" 2>/dev/null) || continue
		[ -n "$v" ] && _results_row "$m" "dpkg:$p" "$v"
	done
	return 0
}

results_init() { # NAME
	[ -n "${BENCH_OUT:-}" ] || return 0
	mkdir -p "$BENCH_OUT" || { echo "results: cannot make $BENCH_OUT" >&2; BENCH_OUT=; return 0; }
	RESULTS_FILE=$BENCH_OUT/$1.tsv
	RESULTS_SAMPLES=$BENCH_OUT/$1.samples.tsv
	printf 'init\tmetric\tunit\tvalue\n' >"$RESULTS_FILE"
	printf 'init\tmetric\tunit\tvalue\n' >"$RESULTS_SAMPLES"
	_results_machine "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
}

result() { # INIT METRIC UNIT VALUE
	[ -n "$RESULTS_FILE" ] || return 0
	_results_row "$RESULTS_FILE" "$@"
}

samples() { # INIT METRIC UNIT VALUE...
	[ -n "$RESULTS_SAMPLES" ] || return 0
	local i=$1 m=$2 u=$3 v; shift 3
	for v; do [ -n "$v" ] && _results_row "$RESULTS_SAMPLES" "$i" "$m" "$u" "$v"; done
	return 0
}
