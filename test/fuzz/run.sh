#!/bin/bash
# Fuzz tend's parsers of untrusted bytes with libFuzzer, each harness for
# FUZZ_SECONDS (default 30): conf (the configuration parser,
# fuzz_conf.c, seeded with test/corpus), http (the HTTP request reader,
# fuzz_http.c), control (the control request reader, fuzz_control.c),
# notify (the sd_notify datagram parser, fuzz_notify.c), split (the
# command-line splitter, fuzz_split.c), envfile (the env_file reader,
# fuzz_envfile.c) and ocistate (tend-net's OCI state reader,
# fuzz_ocistate.c). FUZZ_TARGETS
# picks some ("http notify"). Fails on any crash, leak, timeout or
# sanitizer report. Needs clang with libFuzzer (Debian: clang,
# libclang-rt-14-dev); skips without them.
# Keep what it finds: FUZZ_KEEP=DIR copies each grown corpus and any crash
# input to DIR/NAME; FUZZ_SEEDS=DIR adds the files of DIR/NAME (a kept
# corpus) to the seeds. FUZZ_JOBS (default 1): libFuzzer -jobs.
. "$TOP_SRCDIR/test/lib.sh"

: "${FUZZ_SECONDS:=30}"
: "${FUZZ_TARGETS:=conf http control notify split envfile ocistate}"
: "${CC_FUZZ:=clang}"
: "${FUZZ_JOBS:=1}"
need_cmd "$CC_FUZZ" pkg-config
S=$TOP_SRCDIR

# In the build tree when it is writable: a shared /tmp gets cleaned by
# others' hands, and a run must not lose its log or its corpus midway.
if [ -w "$TOP_BUILDDIR" ]; then
	work=$(mktemp -d "$TOP_BUILDDIR/fuzz.XXXXXX")
else
	work=$(mktemp -d "${TMPDIR:-/tmp}/fuzz.XXXXXX")
fi
cleanup "rm -rf '$work'"

# config.h from the build tree when there is one (it defines _GNU_SOURCE).
inc=("-I$S")
if [ -f "$TOP_BUILDDIR/config.h" ]; then
	inc+=("-I$TOP_BUILDDIR")
else
	: > "$work/config.h"
	inc+=("-I$work" -D_GNU_SOURCE)
fi
pkgs="inih libcap jansson libcares libev"
pkg-config --exists libev 2>/dev/null || pkgs="inih libcap jansson libcares"
flags=(-g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined "${inc[@]}")
# shellcheck disable=SC2207
cflags=($(pkg-config --cflags $pkgs))
# shellcheck disable=SC2207
libs=($(pkg-config --libs $pkgs))
pkg-config --exists libev 2>/dev/null || libs+=(-lev)

# The code under test, compiled once for every harness: the supervisor
# (with the one piece of init/ it calls), conf/ and common/.
mkdir -p "$work/obj"
objs=()
for src in "$S"/supervisor/*.c "$S"/conf/*.c "$S"/common/*.c "$S"/init/signals.c "$S"/net/ocistate.c; do
	o=$work/obj/$(basename "$(dirname "$src")")-$(basename "$src" .c).o
	if ! "$CC_FUZZ" "${flags[@]}" "${cflags[@]}" -c "$src" -o "$o" 2>>"$work/cc.log"; then
		cat "$work/cc.log"
		die "$src does not compile with $CC_FUZZ"
	fi
	objs+=("$o")
done

# Seeds of the new harnesses: a few well-formed requests to start from.
seed() { local d=$work/$1/corpus; mkdir -p "$d"; printf "$3" >"$d/$2"; }
seed http live '\001GET /live HTTP/1.0\r\n\r\n'
seed http head '\007HEAD /ready?x=1 HTTP/1.1\r\nHost: a\r\nUser-Agent: kube-probe/1.29\r\n\r\n'
seed http lf '\020GET /status HTTP/1.0\n\n'
seed http post '\003POST /metrics HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc'
seed control status '\001status web --json\n'
seed control signal '\011signal web HUP\n'
seed control reload '\077reload'
seed control many '\002a b c d e f g h i j\n'
seed notify ready '\000READY=1\nSTATUS=up and running\n'
seed notify mainpid '\003MAINPID=42\nFDSTORE=1\nX\n=y\nSTOPPING=1'
seed notify barrier '\001BARRIER=1'
seed ocistate create '{"ociVersion":"1.0.2","id":"web-1","status":"creating","pid":4242,"bundle":"/srv/b","annotations":{"a":"b"}}'
seed ocistate stopped '{"ociVersion":"1.0.2","id":"x","status":"stopped","bundle":"/b"}'
seed split quotes "sh -c 'echo \"\$HOME\" x' \"a b\" c%%d"
seed envfile basic 'A=1\n# c\n\nexport B="two words"\r\n  C=x\n'

fuzz_one() {
	local name=$1 dir=$work/$1 extra=()
	mkdir -p "$dir/corpus" "$dir/artifacts"
	if ! "$CC_FUZZ" "${flags[@]}" -fsanitize=fuzzer "${cflags[@]}" "$S/test/fuzz/fuzz_$name.c" "${objs[@]}" \
		"${libs[@]}" -o "$dir/fuzz_$name" 2>"$dir/cc.log"; then
		cat "$dir/cc.log"
		if grep -q -- "-lclang_rt.fuzzer\|libclang_rt.fuzzer\|fsanitize=fuzzer" "$dir/cc.log"; then
			skip "no libFuzzer runtime (Debian: libclang-rt-14-dev)"
		fi
		die "the fuzz harness fuzz_$name.c does not compile"
	fi
	case $name in
	conf)
		cp "$S"/test/corpus/valid/*.ini "$S"/test/corpus/invalid/*.ini "$dir/corpus/" 2>/dev/null || true
		extra=(-max_len=8192 -dict="$S/test/fuzz/conf.dict")
		# A few variables for ${VAR} expansion to find.
		export FUZZ_VAR=value HOME="${HOME:-/root}"
		;;
	http) extra=(-max_len=9000) ;;
	control) extra=(-max_len=4200) ;;
	notify) extra=(-max_len=4200) ;;
	split) extra=(-max_len=4096) ;;
	envfile) extra=(-max_len=8192) ;;
	ocistate) extra=(-max_len=4096) ;; # tend-net's OCI state reader (net/ocistate.c)
	*) die "no harness named '$name'" ;;
	esac
	if [ -n "${FUZZ_SEEDS:-}" ] && [ -d "$FUZZ_SEEDS/$name" ]; then
		cp -r "$FUZZ_SEEDS/$name"/. "$dir/corpus/" 2>/dev/null || true
	fi
	local start end rc runs
	start=$(date +%s)
	if [ "$FUZZ_JOBS" -gt 1 ]; then
		extra+=(-jobs="$FUZZ_JOBS" -workers="$FUZZ_JOBS")
	fi
	(cd "$dir" && "$dir/fuzz_$name" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 "${extra[@]}" -artifact_prefix="$dir/artifacts/" "$dir/corpus" >"$dir/fuzz.log" 2>&1)
	rc=$?
	end=$(date +%s)
	echo "# $name:"
	tail -n 12 "$dir/fuzz.log" | sed 's/^/#   /'
	if [ -n "${FUZZ_KEEP:-}" ]; then
		mkdir -p "$FUZZ_KEEP/$name" && cp -r "$dir/corpus" "$dir/artifacts" "$dir/fuzz.log" "$FUZZ_KEEP/$name/"
	fi
	runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$dir/fuzz.log" 2>/dev/null | tail -1)
	check "$name: libFuzzer finished its run (Done N runs)" test -n "$runs"
	check "$name: fuzzed $((end - start))s, ${runs:-?} inputs, without a finding (libFuzzer exit $rc)" test "$rc" = 0
	if ls "$dir"/artifacts/* >/dev/null 2>&1; then
		for f in "$dir"/artifacts/*; do echo "# crash input: $f"; od -c "$f" | head -20; done
		fail "$name: crash inputs found"
	fi
}

for t in $FUZZ_TARGETS; do
	fuzz_one "$t"
done
