#!/bin/bash
# bench/reload-heap.sh: does the reload path keep memory? (the question the
# soak left open, bench/README.md "Soak"). N services of `sleep infinity`
# under one tend; the file is switched between two versions in which every
# other service differs (its env), and `tendctl reload` is run R times, so
# each reload restarts N/2 services and frees and rebuilds the whole
# configuration. Every STEP reloads it reads glibc's own account of the heap
# ("in use bytes" of malloc_stats(), after malloc_trim(0), through gdb), and
# VmRSS. RSS alone cannot tell fragmentation from a leak; the bytes in use
# can, with one correction: glibc counts the chunks held in its per-thread
# cache (tcache: up to 7 free chunks of each size up to 1 KiB) as in use,
# and that cache fills over the first few hundred reloads (about +240 KiB
# here), which reads like a leak that stops. tend runs with the cache off
# (GLIBC_TUNABLES=glibc.malloc.tcache_count=0; TCACHE=1 keeps it) so that
# what is left is tend's own. Passes when the bytes in use at the end are
# within SLACK bytes of those at the middle reading.
#
# Environment: TEND, TENDCTL (a build without sanitizers), N (200),
# R (1000), STEP (100), SLACK (4096), TCACHE (0). Needs gdb and root (to attach).
set -u
: "${TEND:?TEND: the tend binary}"
: "${TENDCTL:?TENDCTL: tendctl}"
N=${N:-200} R=${R:-1000} STEP=${STEP:-100} SLACK=${SLACK:-4096}
command -v gdb >/dev/null || { echo "reload-heap: needs gdb" >&2; exit 2; }

W=$(mktemp -d "${TMPDIR:-/tmp}/tend-reload-heap.XXXXXX")
TP=
cleanup() {
	# tend stops its own services on TERM; KILL only if it does not.
	if [ -n "$TP" ] && kill -TERM "$TP" 2>/dev/null; then
		for _ in $(seq 100); do kill -0 "$TP" 2>/dev/null || break; sleep 0.05; done
		kill -KILL "$TP" 2>/dev/null
		wait "$TP" 2>/dev/null
	fi
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

version() {
	printf '[tend]\ncontrol = %s/ctl.sock\n\n' "$W"
	for (( i = 0; i < N; i++ )); do
		v=1
		[ "$1" = B ] && (( i % 2 )) && v=2
		printf '[service:s%d]\ncommand = /bin/sleep infinity\nenv = X=%s\n\n' "$i" "$v"
	done
}
version A >"$W/A.ini"
version B >"$W/B.ini"
cp "$W/A.ini" "$W/tend.ini"

tunables=glibc.malloc.tcache_count=0
[ "${TCACHE:-0}" = 1 ] && tunables=
GLIBC_TUNABLES=$tunables "$TEND" -c "$W/tend.ini" >/dev/null 2>"$W/tend.log" &
TP=$!
for _ in $(seq 400); do [ -S "$W/ctl.sock" ] && break; sleep 0.05; done
[ -S "$W/ctl.sock" ] || { echo "reload-heap: tend did not start" >&2; exit 1; }

in_use() {
	gdb -q -batch -p "$TP" -ex 'call (int)malloc_trim(0)' \
		-ex 'call (void)malloc_stats()' >/dev/null 2>&1
	# malloc_stats() writes to tend's stderr: the last total is ours.
	awk '/in use bytes/ { v = $NF } END { print v }' "$W/tend.log"
}

echo "| reloads | heap in use, bytes | VmRSS, KiB |"
echo "|---:|---:|---:|"
mid= last= failed=0
for (( done = 0; ; done += STEP )); do
	last=$(in_use)
	echo "| $done | $last | $(awk '/VmRSS/ { print $2 }' "/proc/$TP/status") |"
	(( done >= R / 2 )) && [ -z "$mid" ] && mid=$last
	(( done >= R )) && break
	for (( j = 0; j < STEP; j++ )); do
		if (( j % 2 )); then cp "$W/A.ini" "$W/tend.ini"; else cp "$W/B.ini" "$W/tend.ini"; fi
		"$TENDCTL" -s "$W/ctl.sock" reload >/dev/null || failed=$((failed + 1))
	done
done
echo
echo "reloads failed: $failed; heap in use at $((R / 2)): $mid, at $R: $last (slack $SLACK)"
[ "$failed" -eq 0 ] && [ -n "$mid" ] && [ -n "$last" ] &&
	(( last - mid <= SLACK )) && echo "PASS" && exit 0
echo "FAIL"
exit 1
