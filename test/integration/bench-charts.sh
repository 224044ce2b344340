#!/usr/bin/env bash
# The benchmark charts (issue 18): bench/charts draws one SVG per headline
# figure from a results directory (TSV, as bench/results.sh writes it), and
# bench/report the Markdown tables from the same files. The test writes the
# results itself: peers with hostile names (quotes, backslash, <, &, |, a
# control character and a byte that is not UTF-8), a value that is not a
# number, a figure one init lacks; then files missing (one chart skipped
# with a message, the rest made, exit 0), no machine.tsv, and a directory
# with none of the figures. Every SVG must be well-formed XML, an SVG, and
# hold the machine/date/commit line and every init's name as text.
. "$TOP_SRCDIR/test/lib.sh"
need_cmd gnuplot iconv /usr/bin/python3

charts=$TOP_SRCDIR/bench/charts
report=$TOP_SRCDIR/bench/report
tmp=$(mktmp)
res=$tmp/res
mkdir "$res"

# svg_has FILE TEXT...: FILE is well-formed XML with an <svg> root and each
# TEXT is the whole text of one of its elements (what a viewer shows,
# entities decoded). Prints what is wrong.
svg_has() {
	/usr/bin/python3 - "$@" <<'EOT'
import os, sys, xml.etree.ElementTree as ET
if not os.path.exists(sys.argv[1]):
    sys.exit("%s: missing" % sys.argv[1])
try:
    root = ET.parse(sys.argv[1]).getroot()
except Exception as e:
    sys.exit("%s: not well-formed: %s" % (sys.argv[1], e))
if root.tag != "{http://www.w3.org/2000/svg}svg":
    sys.exit("%s: root is %s" % (sys.argv[1], root.tag))
texts = {"".join(el.itertext()).strip() for el in root.iter()}
missing = [t for t in sys.argv[2:] if t not in texts]
if missing:
    sys.exit("%s: no text %r" % (sys.argv[1], missing))
EOT
}

tab=$'\t'
cpu='Evil "CPU" <b>&amp; \ '"'q'"
{
	echo "key${tab}value"
	echo "date${tab}2026-12-06 09:00 UTC"
	echo "kernel${tab}6.1.0-<k>"
	echo "cpu${tab}$cpu"
	echo "cpus${tab}2"
	echo "debian${tab}12.5"
	echo "tend${tab}abc1234"
	echo "dpkg:tini${tab}0.19.0"
} >"$res/machine.tsv"
sub="2 × $cpu, kernel 6.1.0-<k>, Debian 12.5, 2026-12-06 09:00 UTC, tend abc1234"

# The peers: every name the SVG must carry as it is written, and one with a
# control character and a stray byte that the SVG carries without them.
inits=(tend 'ti<ni>' 'dumb"init' "back\\slash" "amp&er'sand" 'pipe|init' '%s%d{x}^_@')
hostile=$'ctl\001x\377y'
{
	echo "init${tab}metric${tab}unit${tab}value"
	for p in IDLE:10 ZOMBIES:10000 REPEAT:5 SIGNALS:500; do echo "param${tab}${p%%:*}${tab}count${tab}${p#*:}"; done
	v=100
	for i in "${inits[@]}" "$hostile"; do
		for m in rss pss reap sig sig90 sys wake; do
			# ti<ni>'s system calls are not a number; dumb"init has no PSS.
			case $i:$m in
			'ti<ni>:sys') echo "$i${tab}$m${tab}count${tab}n/a" ;;
			'dumb"init:pss') ;;
			*) echo "$i${tab}$m${tab}x${tab}$v" ;;
			esac
		done
		v=$((v + 37))
	done
	echo "tend${tab}dyn${tab}-${tab}dynamic"
} >"$res/pid1.tsv"
{
	echo "init${tab}metric${tab}unit${tab}value"
	echo "tend${tab}latency_median${tab}µs${tab}822.6"
	echo "tend${tab}latency_p90${tab}µs${tab}1199.9"
	echo "supervisord${tab}latency_median${tab}µs${tab}1007648.3"
	echo "supervisord${tab}latency_p90${tab}µs${tab}2006924.4"
	echo "runsv${tab}latency_median${tab}µs${tab}0"          # not on a log axis
	echo "runsv${tab}latency_p90${tab}µs${tab}1002315.8"
} >"$res/restart.tsv"
# net-setup.tsv and demo-startup.tsv are missing.

out=$tmp/svg
"$charts" "$res" "$out" >"$tmp/stdout" 2>"$tmp/stderr"
check_eq "bench/charts exits 0 with two result files missing" 0 $?
for f in net-setup demo-startup; do
	svg=${f/demo-startup/demo-first-request}
	check "the $svg chart is skipped with a message naming $f.tsv" \
		grep -qxF "bench/charts: $svg.svg skipped: $res/$f.tsv missing" "$tmp/stderr"
	check "no $svg.svg was written" test ! -e "$out/$svg.svg"
done
check "bench/charts says 5 made, 2 skipped" grep -qxF "bench/charts: 5 charts written to $out, 2 skipped" "$tmp/stdout"

for svg in idle-syscalls reaping signal-latency memory; do
	if msg=$(svg_has "$out/$svg.svg" "$sub" "${inits[@]}" ctlxy 2>&1); then
		ok "$svg.svg: well-formed SVG with the machine line and all 8 inits' names"
	else
		fail "$msg"
	fi
done
if msg=$(svg_has "$out/restart-interval.svg" "$sub" tend supervisord runsv 2>&1); then
	ok "restart-interval.svg: well-formed SVG with the machine line and the 3 supervisors"
else
	fail "$msg"
fi
check "the memory chart says the unit" svg_has "$out/memory.svg" "KiB, median of 5"
check "the memory chart says lower is better" \
	svg_has "$out/memory.svg" "Memory of the init supervising one sleep (lower is better)"
check "the reaping chart takes ZOMBIES from the run" \
	svg_has "$out/reaping.svg" "Reaping 10000 zombies handed over at once (lower is better)"
check "the values are written on the bars (tend's RSS 100, the 8th init's 359)" \
	svg_has "$out/memory.svg" 100 359

# The tables come from the same files: the values, the ratios, | escaped.
"$report" "$res" >"$tmp/report.md" 2>"$tmp/report.err"
check_eq "bench/report exits 0" 0 $?
check "the report's PID 1 table has every init, | escaped" \
	grep -qF '| metric | tend | ti<ni> | dumb"init | back\slash | amp&er'"'"'sand | pipe\|init | %s%d{x}^_@ | ctlxy |' "$tmp/report.md"
check "the report's RSS row is the TSV's values with ratios to tend" \
	grep -qF '| RSS of the init, KiB (supervising one sleep) | 100 | 137 (1.37×) | 174 (1.74×) |' "$tmp/report.md"
check "the report names the machine" grep -qF "Run on 2 CPUs ($cpu), kernel 6.1.0-<k>, Debian 12.5, 2026-12-06 09:00 UTC" "$tmp/report.md"
check "the report says net-setup is left out" \
	grep -qxF "bench/report: net-setup left out: $res/net-setup.tsv missing" "$tmp/report.err"

# Without machine.tsv the charts are still made and say so.
mkdir "$tmp/nomachine"
cp "$res/restart.tsv" "$tmp/nomachine/"
"$charts" "$tmp/nomachine" >/dev/null 2>"$tmp/stderr2"
check_eq "bench/charts exits 0 without machine.tsv" 0 $?
check "it says machine.tsv is missing" grep -qF "machine.tsv missing" "$tmp/stderr2"
check "the chart says the machine is unknown" \
	svg_has "$tmp/nomachine/restart-interval.svg" "machine and date unknown (no machine.tsv), tend unknown"

# A file with none of a chart's figures: skipped, not a failure.
mkdir "$tmp/empty"
cp "$res/machine.tsv" "$tmp/empty/"
printf 'init\tmetric\tunit\tvalue\nparam\tIDLE\tcount\t10\n' >"$tmp/empty/pid1.tsv"
"$charts" "$tmp/empty" >"$tmp/stdout3" 2>"$tmp/stderr3"
check_eq "bench/charts exits 0 with no figures at all" 0 $?
check "the memory chart is skipped naming what it looked for" \
	grep -qxF "bench/charts: memory.svg skipped: no rss pss in $tmp/empty/pid1.tsv" "$tmp/stderr3"
check "no SVG was written" test -z "$(find "$tmp/empty" -name '*.svg')"

# Not a directory: an error, exit 1.
"$charts" "$tmp/nonexistent" 2>"$tmp/stderr4"
check_eq "bench/charts exits 1 for a missing directory" 1 $?
check "it says so" grep -qxF "bench/charts: $tmp/nonexistent: no such directory" "$tmp/stderr4"
