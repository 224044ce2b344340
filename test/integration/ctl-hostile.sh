#!/bin/bash
# Slow and hostile clients of the control socket never block tend or the
# other clients, and never grow tend's memory: a client that sends no
# newline (timed out after 5 s, while others are answered at once), 1 MiB
# of garbage (refused, tend fine), more clients than tend serves at once
# (a new one served, the oldest idle one dropped), clients that never read their answer or go
# away mid-request. Once they are gone tend is idle again (no timer left).
. "$TOP_SRCDIR/test/lib.sh"
. "$TOP_SRCDIR/test/integration/ctl-lib.sh"
PY=/usr/bin/python3
[ -x "$PY" ] || skip "needs $PY"

cat >"$T/tend.ini" <<INI
[tend]
control = $SOCK
[service:web]
command = sleep 1000
INI
tend_start "$T/tend.ini"
ctl_up 10 || die "the control socket does not answer; log: $(cat "$LOG")"

# ms CMD...: how long CMD takes, in milliseconds.
ms() { local t0; t0=$(date +%s%N); "$@" >/dev/null 2>&1; echo $(( ($(date +%s%N) - t0) / 1000000 )); }
quick() { local t; t=$(ms ctl status); [ "$t" -lt 1000 ] || { echo "# status took $t ms"; return 1; }; }
# The number of connected clients: tend's unix sockets minus its listening one.
alive() { kill -0 "$1" 2>/dev/null; }
# tend's open fds compared with N (each client is one).
fds_gt() { [ "$(fd_count "$TEND_PID")" -gt "$1" ]; }
fds_eq() { [ "$(fd_count "$TEND_PID")" -eq "$1" ]; }
# send_bytes: stdin to the socket as fast as it takes it, then what tend
# answered (tend may stop reading and close long before the end).
send_bytes() {
	"$PY" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
data = sys.stdin.buffer.read()
try:
    s.sendall(data)
except OSError:
    pass
out = b""
try:
    while True:
        b = s.recv(65536)
        if not b:
            break
        out += b
except OSError:
    pass
sys.stdout.write(out.decode(errors="replace"))
' "$SOCK"
}

rss0=$(rss_kb "$TEND_PID"); fds0=$(fd_count "$TEND_PID")

# 1. No newline for 5 s: "stat" and then nothing; socat keeps it open.
t0=$(date +%s%N)
{ printf 'stat'; sleep 30; } | socat -t 30 - "UNIX-CONNECT:$SOCK" >"$T/slow.out" 2>/dev/null &
slow=$!
cleanup "kill -KILL $slow"
wait_until 5 fds_gt "$fds0" || fail "the slow client did not connect"
check "slow client: status still answers at once" quick
sleep 2
check "slow client: after 2 s, still connected" alive "$slow"
check "slow client: after 2 s, status answers at once" quick
check "slow client: status answers at once, 5 times" sh -c 'for i in 1 2 3 4 5; do "$0" -s "$1" status >/dev/null || exit 1; done' "$TENDCTL" "$SOCK"
check "slow client: timed out within 10 s" wait_until 10 grep -q "ERR timed out" "$T/slow.out"
el=$(( ($(date +%s%N) - t0) / 1000000 ))
check "slow client: not before 4.5 s ($el ms)" test "$el" -ge 4500
check "slow client: tend closed it" wait_until 5 fds_eq "$fds0"

# 2. 1 MiB without a newline: refused after 4 KiB, tend fine.
out=$(head -c 1048576 /dev/zero | tr '\0' x | send_bytes)
check_eq "1 MiB of garbage: refused" "ERR request too long (at most 4096 bytes)" "$out"
check "1 MiB of garbage: status answers" quick
# and random bytes (newlines, NULs) ten times over
for i in $(seq 10); do head -c 1048576 /dev/urandom | send_bytes >/dev/null; done
check "10 MiB of random bytes: status answers" quick
check_eq "random bytes: web untouched" ready "$(svc_state web)"
check "random bytes: tend still runs" kill -0 "$TEND_PID"
rss1=$(rss_kb "$TEND_PID")
check "memory: RSS grew by less than 4 MiB ($rss0 -> $rss1 KiB)" test $(( rss1 - rss0 )) -lt 4096

# 3. More clients than tend serves (16), idle: a new one is served, and
# the oldest idle one is dropped for it (told why).
pids=()
for i in $(seq 16); do
	sleep 30 | socat -t 30 - "UNIX-CONNECT:$SOCK" >"$T/idle$i.out" 2>&1 &
	pids+=($!)
	wait_until 5 fds_eq $(( fds0 + i ))
	cleanup "kill -KILL $!"
done
wait_until 10 fds_eq $(( fds0 + 16 )) || fail "16 clients did not connect"
err=$(ctl status 2>&1); rc=$?
check_eq "17th client: served (0)" 0 "$rc"
check "17th client: the table" grep -q "^web " <<<"$err"
check_eq "17th client: tend holds 16 clients at most" $(( fds0 + 15 )) "$(fd_count "$TEND_PID")"
check "the oldest idle client was dropped, and told why" \
	wait_until 5 grep -q "ERR dropped: too many clients, and this one the oldest unfinished" "$T/idle1.out"
kill -KILL "${pids[@]}" 2>/dev/null
check "the 16 gone: tend closes them" wait_until 5 fds_eq "$fds0"
check "the 16 gone: status answers" quick

# 4. A client that asks and never reads; one that asks and resets at once.
"$PY" - "$SOCK" <<'PYEOF' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(b"status --json\n"); time.sleep(30)
PYEOF
noread=$!
cleanup "kill -KILL $noread"
check "a client that does not read: status answers" quick
for i in $(seq 20); do
"$PY" - "$SOCK" <<'PYEOF'
import socket, struct, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(b"status --json\n")
s.close()
PYEOF
done
check "20 clients gone mid-answer: status answers" quick
check "20 clients gone mid-answer: tend still runs" kill -0 "$TEND_PID"
kill -KILL "$noread"; wait "$noread" 2>/dev/null
check "all gone: tend holds no client fd" wait_until 5 fds_eq "$fds0"

# 5. Idle again: with no client, no timer is left (no wake-up in 2 s).
ctx() { awk '/ctxt_switches/ {n += $2} END {print n}' "/proc/$TEND_PID/status"; }
c0=$(ctx); sleep 2; c1=$(ctx)
check "idle after the clients: no wake-up in 2 s ($c0 -> $c1)" test "$c1" -eq "$c0"

check_eq "at the end: web is still ready" ready "$(svc_state web)"
tend_stop 10
check_eq "tend ends normally" 0 "$TEND_RC"
