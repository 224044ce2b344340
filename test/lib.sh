# test/lib.sh: helpers shared by the integration tests. Source it first:
#   . "$TOP_SRCDIR/test/lib.sh"
# A test exits 0 (pass), 77 (skip, reason printed) or 1 (fail). Everything a
# test makes (netns, links, nft tables, mounts, containers, processes) is
# registered with `cleanup` right when it is made, and removed in reverse
# order on exit, whether the test passed or not.
set -u

: "${TOP_SRCDIR:=$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)}"
: "${TOP_BUILDDIR:=$TOP_SRCDIR}"
: "${TEND:=$TOP_BUILDDIR/tend}"
: "${TENDCTL:=$TOP_BUILDDIR/tendctl}"
: "${TEND_NET:=$TOP_BUILDDIR/tend-net}"
export TOP_SRCDIR TOP_BUILDDIR TEND TENDCTL TEND_NET
# Sanitizer builds: a leak or an error is a failed test, not a warning.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=99}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=98}"

TEST_NAME=$(basename "$0" .sh)
# A short id for names the kernel limits to 15 characters (links, netns).
TID=$(printf '%04x' $(( $$ % 65536 )))
_cleanups=()
_failed=0
_checks=0

cleanup() { _cleanups+=("$*"); }
_run_cleanups() {
	local i
	for (( i=${#_cleanups[@]}-1; i>=0; i-- )); do
		eval "${_cleanups[$i]}" >/dev/null 2>&1 || true
	done
}
_finish() {
	local rc=$?
	_run_cleanups
	if [ "$rc" = 0 ] && [ "$_failed" != 0 ]; then rc=1; fi
	if [ "$rc" != 77 ]; then
		echo "# $TEST_NAME: $_checks checks, $_failed failed"
	fi
	exit "$rc"
}
trap _finish EXIT
trap 'exit 130' INT TERM

skip() { echo "SKIP: $TEST_NAME: $*"; exit 77; }
need_root() { [ "$(id -u)" = 0 ] || skip "needs root"; }
need_cmd() { local c; for c; do command -v "$c" >/dev/null 2>&1 || skip "needs $c"; done; }

# A scratch directory removed at exit. Called as d=$(mktmp), it runs in a
# subshell, where a cleanup would be lost: every scratch directory lives in
# one root that the test's own shell removes.
TEST_TMPROOT=$(mktemp -d "${TMPDIR:-/tmp}/tend-$TEST_NAME.XXXXXX")
chmod 0755 "$TEST_TMPROOT" # tests chmod their own folders for services of other users
cleanup "rm -rf '$TEST_TMPROOT'"
mktmp() { mktemp -d "$TEST_TMPROOT/tmp.XXXXXX"; }

ok()   { _checks=$((_checks+1)); echo "ok - $*"; }
fail() { _checks=$((_checks+1)); _failed=$((_failed+1)); echo "not ok - $*"; }
die()  { echo "FATAL: $*"; exit 1; }

# check DESC CMD...: one assertion.
check() { local d=$1; shift; if "$@"; then ok "$d"; else fail "$d"; fi; }
# check_eq DESC EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: expected '$2', got '$3'"; fi
}

# wait_until SECONDS CMD...: retry CMD until it succeeds or the deadline
# passes (a condition, not a sleep: it returns as soon as CMD holds).
wait_until() {
	local t=$1; shift
	local end=$(( $(date +%s%N) + t * 1000000000 ))
	while ! "$@"; do
		[ "$(date +%s%N)" -lt "$end" ] || return 1
		sleep 0.02
	done
}

# wait_file SECONDS FILE: wait until FILE exists and is non-empty.
wait_file() { wait_until "$1" test -s "$2"; }

# kill_tree PID: SIGKILL a process we started, by PID.
kill_pid() { kill -KILL "$1" 2>/dev/null; wait "$1" 2>/dev/null; true; }

# Fields of /proc/PID/status.
proc_status() { awk -v k="$2:" '$1==k { $1=""; sub(/^ /,""); print }' "/proc/$1/status" 2>/dev/null; }

# runc_host_bundle DIR CFGDIR [DEST=SRC...]: a runc bundle in DIR whose
# rootfs is the host's /usr, /bin, /sbin, /lib, /lib64, /etc bound
# read-only, the built tend at /tend and each SRC at DEST (read-only), and
# CFGDIR at /cfg (read-write); it runs /tend -c /cfg/tend.ini, without a
# terminal. DIR belongs in the test's scratch directory; the caller
# registers `runc delete -f NAME` for the container it runs from it.
runc_host_bundle() {
	local b=$1 c=$2 d m binds='[]'
	shift 2
	for d in usr bin sbin lib lib64 etc proc sys dev tmp cfg; do mkdir -p "$b/rootfs/$d" || return 1; done
	touch "$b/rootfs/tend" || return 1
	(cd "$b" && runc spec) || return 1
	for d in usr bin sbin lib lib64 etc; do
		[ -e "/$d" ] || continue
		binds=$(jq --arg d "$d" '. + [{"destination": ("/" + $d), "type": "bind", "source": ("/" + $d), "options": ["rbind", "ro"]}]' <<<"$binds")
	done
	binds=$(jq --arg t "$TEND" --arg c "$c" '. + [
		{"destination": "/tend", "type": "bind", "source": $t, "options": ["bind", "ro"]},
		{"destination": "/cfg", "type": "bind", "source": $c, "options": ["bind", "rw"]}]' <<<"$binds")
	for m; do
		touch "$b/rootfs/${m%%=*}" || return 1
		binds=$(jq --arg d "${m%%=*}" --arg s "${m#*=}" '. + [{"destination": $d, "type": "bind", "source": $s, "options": ["bind", "ro"]}]' <<<"$binds")
	done
	jq --argjson binds "$binds" '
		.process.terminal = false |
		.process.args = ["/tend", "-c", "/cfg/tend.ini"] |
		.process.env += ["ASAN_OPTIONS=detect_leaks=0"] |
		.root.readonly = false |
		.mounts += $binds' "$b/config.json" >"$b/config.json.new" && mv "$b/config.json.new" "$b/config.json"
}

# busybox_rootfs DIR CMD...: a one-binary rootfs in DIR (no debootstrap, no
# network): the host's busybox as /bin/busybox, /bin/CMD a link to it for
# each CMD, root alone in /etc/passwd and /etc/group.
busybox_rootfs() {
	local r=$1 c
	shift
	mkdir -p "$r/bin" "$r/etc" || return 1
	cp "$(command -v busybox)" "$r/bin/busybox" || return 1
	for c; do ln -s busybox "$r/bin/$c" || return 1; done
	echo 'root:x:0:0:root:/root:/bin/sh' >"$r/etc/passwd"
	echo 'root:x:0:' >"$r/etc/group"
}
