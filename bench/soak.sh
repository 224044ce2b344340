#!/bin/bash
# bench/soak.sh: the soak test of issue 12 (not part of `make check`: it
# takes DURATION, 10 minutes by default). N services (1,000) crash and
# restart with `restart_delay = 0` under one tend while one client polls
# GET /status every 10 ms and another runs `tendctl reload` every second.
# Passes when no request failed and tend's RSS and fd count at the end
# equal those after the first minute (RSS within SLACK_KB, 256 KiB: the
# allocator's free lists move by a few pages).
#
# Environment: TEND, TENDCTL (a build without sanitizers), N, DURATION (s).
set -u
: "${TEND:?TEND: the tend binary to soak}"
: "${TENDCTL:?TENDCTL: tendctl}"
N=${N:-1000}
DURATION=${DURATION:-600}
SLACK_KB=${SLACK_KB:-256}

W=$(mktemp -d "${TMPDIR:-/tmp}/tend-soak.XXXXXX")
TP= POLL= REL=
stop_tree() {
	local p=$1 c
	for c in $(ps -o pid= --ppid "$p" 2>/dev/null); do stop_tree "$c"; done
	kill -KILL "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	true
}
cleanup() {
	[ -n "$POLL" ] && kill -KILL "$POLL" 2>/dev/null
	[ -n "$REL" ] && kill -KILL "$REL" 2>/dev/null
	[ -n "$TP" ] && stop_tree "$TP"
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
{
	printf '[tend]\ncontrol = %s/ctl.sock\nhttp = 127.0.0.1:%s\n\n' "$W" "$port"
	for (( i = 0; i < N; i++ )); do
		printf '[service:s%d]\ncommand = /bin/false\nrestart = always\nrestart_delay = 0\n\n' "$i"
	done
} >"$W/tend.ini"

"$TEND" -c "$W/tend.ini" >/dev/null 2>"$W/tend.log" &
TP=$!
for _ in $(seq 500); do
	[ -S "$W/ctl.sock" ] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
	sleep 0.02
done

# The /status poller: one request every 10 ms, counting failures.
python3 - "$port" "$W/poll" <<'PY' &
import sys, time, urllib.request, json
port, out = sys.argv[1], sys.argv[2]
ok = bad = 0
last = None
while True:
    t = time.monotonic()
    try:
        with urllib.request.urlopen("http://127.0.0.1:%s/status" % port, timeout=5) as r:
            json.loads(r.read())
            ok += 1
    except Exception as e:
        bad += 1
        last = repr(e)
    with open(out, "w") as f:
        f.write("%d %d %s\n" % (ok, bad, last or "-"))
    d = 0.01 - (time.monotonic() - t)
    if d > 0:
        time.sleep(d)
PY
POLL=$!
# The reloader: `tendctl reload` every second.
(
	ok=0 bad=0
	while :; do
		if "$TENDCTL" -s "$W/ctl.sock" reload >/dev/null 2>&1; then ok=$((ok + 1)); else bad=$((bad + 1)); fi
		echo "$ok $bad" >"$W/reload"
		sleep 1
	done
) &
REL=$!

# With 1,000 services restarting, some start is always under way and holds
# a pipe (its status pipe, until the exec; and after libev reaped the child
# until its callback runs), and clients of the poller and the reloader come
# and go: so tend's fds are read in three kinds over 20 readings 50 ms
# apart: the fixed ones (epoll, signalfd, timerfd, /dev/null, the log:
# neither pipe nor socket), which must not move at all; sockets (the two
# listeners and the clients, bounded by their 48 slots); and pipes beyond
# one a child, bounded by the number of services. A leak grows one of them
# with the million restarts.
fds_at_rest() {
	local i f t fixed sock p c fmin=999999 smax=0 excess=-999999
	for (( i = 0; i < 20; i++ )); do
		fixed=0 sock=0 p=0
		for f in /proc/$TP/fd/*; do
			# An fd closed while the list is walked reads as nothing.
			t=$(readlink "$f" 2>/dev/null) || continue
			case $t in
			'') ;;
			pipe:*) p=$((p + 1)) ;;
			socket:*) sock=$((sock + 1)) ;;
			*) fixed=$((fixed + 1)) ;;
			esac
		done
		c=$(wc -w </proc/$TP/task/$TP/children)
		[ "$fixed" -lt "$fmin" ] && fmin=$fixed
		[ "$sock" -gt "$smax" ] && smax=$sock
		[ $((p - c)) -gt "$excess" ] && excess=$((p - c))
		sleep 0.05
	done
	echo "$fmin $smax $excess"
}
sample() { printf '%s %s %s\n' "$1" "$(awk '$1=="VmRSS:" {print $2}' /proc/$TP/status)" "$(fds_at_rest)"; }
restarts() { "$TENDCTL" -s "$W/ctl.sock" status --json 2>/dev/null | python3 -c 'import sys, json; print(sum(s["restarts"] for s in json.load(sys.stdin)["services"]))' 2>/dev/null || echo "?"; }
echo "soak: $N services, restart_delay = 0, $DURATION s; /status every 10 ms, reload every 1 s"
echo "time_s rss_kb fixed_fds sockets_max pipes_beyond_children_max"
start=$(date +%s)
first=
while :; do
	el=$(( $(date +%s) - start ))
	[ -d /proc/$TP ] || { echo "soak: tend died"; exit 1; }
	s=$(sample "$el"); echo "$s"
	[ -z "$first" ] && [ "$el" -ge 60 ] && first=$s
	[ "$el" -ge "$DURATION" ] && break
	sleep 30 & wait $! # so that INT/TERM end the soak at once
done
last=$(sample "$el")
read -r _ rss1 fd1 so1 px1 <<<"$first"
read -r _ rss2 fd2 so2 px2 <<<"$last"
read -r pok pbad plast <"$W/poll"
read -r rok rbad <"$W/reload"
echo "restarts in all: $(restarts)"
echo "GET /status: $pok ok, $pbad failed (last error: $plast)"
echo "tendctl reload: $rok ok, $rbad failed"
echo "after 1 min: RSS $rss1 KiB, $fd1 fixed fds, $so1 sockets, $px1 pipes beyond one a child; at the end: RSS $rss2 KiB, $fd2, $so2, $px2"
status=0
[ "$pbad" = 0 ] && [ "$rbad" = 0 ] || { echo "soak: FAIL: requests failed"; status=1; }
[ "$fd2" = "$fd1" ] || { echo "soak: FAIL: the fixed fds moved"; status=1; }
[ "$so2" -le 50 ] || { echo "soak: FAIL: more sockets than listeners and client slots"; status=1; }
[ "$px2" -le "$N" ] || { echo "soak: FAIL: more pipes than services beyond the children"; status=1; }
[ "$rss2" -le $((rss1 + SLACK_KB)) ] || { echo "soak: FAIL: RSS grew"; status=1; }
[ "$status" = 0 ] && echo "soak: PASS"
exit "$status"
