#!/bin/bash
# Fuzz the configuration parser (test/fuzz/fuzz_conf.c) with libFuzzer for
# FUZZ_SECONDS (default 60), seeded with test/corpus. Fails on any crash,
# leak, timeout or sanitizer report. Needs clang with libFuzzer (Debian:
# clang, libclang-rt-14-dev); skips without them.
# Keep what it finds: FUZZ_KEEP=DIR copies the grown corpus and any crash
# input there; FUZZ_SEEDS=DIR adds the files of DIR (e.g. a kept corpus)
# to the seeds.
. "$TOP_SRCDIR/test/lib.sh"

: "${FUZZ_SECONDS:=60}"
: "${CC_FUZZ:=clang}"
need_cmd "$CC_FUZZ" pkg-config

# In the build tree when it is writable: a shared /tmp gets cleaned by
# others' hands, and a run must not lose its log or its corpus midway.
if [ -w "$TOP_BUILDDIR" ]; then
	work=$(mktemp -d "$TOP_BUILDDIR/fuzz-conf.XXXXXX")
else
	work=$(mktemp -d "${TMPDIR:-/tmp}/fuzz-conf.XXXXXX")
fi
cleanup "rm -rf '$work'"

# config.h from the build tree when there is one (it defines _GNU_SOURCE).
inc=("-I$TOP_SRCDIR")
if [ -f "$TOP_BUILDDIR/config.h" ]; then
	inc+=("-I$TOP_BUILDDIR")
else
	: > "$work/config.h"
	inc+=("-I$work" -D_GNU_SOURCE)
fi

# shellcheck disable=SC2046
if ! "$CC_FUZZ" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	"${inc[@]}" $(pkg-config --cflags inih libcap) \
	"$TOP_SRCDIR"/test/fuzz/fuzz_conf.c "$TOP_SRCDIR"/conf/*.c "$TOP_SRCDIR"/common/*.c \
	$(pkg-config --libs inih libcap) -o "$work/fuzz_conf" 2>"$work/cc.log"; then
	if grep -q -- "-lclang_rt.fuzzer\|libclang_rt.fuzzer\|fsanitize=fuzzer" "$work/cc.log"; then
		cat "$work/cc.log"
		skip "no libFuzzer runtime (Debian: libclang-rt-14-dev)"
	fi
	cat "$work/cc.log"
	die "the fuzz harness does not compile"
fi

mkdir -p "$work/corpus" "$work/artifacts"
cp "$TOP_SRCDIR"/test/corpus/valid/*.ini "$TOP_SRCDIR"/test/corpus/invalid/*.ini "$work/corpus/" 2>/dev/null || true
if [ -n "${FUZZ_SEEDS:-}" ]; then
	cp "$FUZZ_SEEDS"/* "$work/corpus/" 2>/dev/null || true
fi
# A few variables for ${VAR} expansion to find.
export FUZZ_VAR=value HOME="${HOME:-/root}"

start=$(date +%s)
"$work/fuzz_conf" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
	-print_final_stats=1 -dict="$TOP_SRCDIR/test/fuzz/conf.dict" -artifact_prefix="$work/artifacts/" "$work/corpus" >"$work/fuzz.log" 2>&1
rc=$?
end=$(date +%s)
tail -n 25 "$work/fuzz.log"
if [ -n "${FUZZ_KEEP:-}" ]; then
	mkdir -p "$FUZZ_KEEP" && cp -r "$work/corpus" "$work/artifacts" "$FUZZ_KEEP/"
fi
runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$work/fuzz.log" 2>/dev/null)
check "libFuzzer finished its run (Done N runs)" test -n "$runs"
check "fuzzed $((end - start))s, ${runs:-?} inputs, without a finding (libFuzzer exit $rc)" test "$rc" = 0
if ls "$work"/artifacts/* >/dev/null 2>&1; then
	for f in "$work"/artifacts/*; do echo "# crash input: $f"; od -c "$f" | head -20; done
	fail "crash inputs found"
fi
