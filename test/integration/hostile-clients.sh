#!/bin/bash
# Idle and slow clients never lock out a new one (issue 12, item 2), on
# the HTTP endpoint and on the control socket alike: with 200 idle
# connections held open on each (reopened as soon as tend drops one, at
# most 100 a second) and a slow-loris opening 3 more a second that send a
# byte every half second, `GET /live` answers 200 within 1 s and `tendctl
# status` answers within 1 s, every time; tend holds no more fds than its
# bounds (32 HTTP + 16 control clients). A client that sends nothing is
# closed after the request timeout (5 s) with 408 / "ERR timed out". Once
# the attackers are gone tend is idle again, with its fds back.
. "$TOP_SRCDIR/test/lib.sh"
. "$TOP_SRCDIR/test/integration/ctl-lib.sh"
PY=/usr/bin/python3
[ -x "$PY" ] || skip "needs $PY"

PORT=$(free_port)
cat >"$T/tend.ini" <<INI
[tend]
control = $SOCK
http = 127.0.0.1:$PORT
[service:web]
command = sleep 1000
INI
tend_start "$T/tend.ini"
ctl_up 10 || die "the control socket does not answer; log: $(cat "$LOG")"
wait_until 10 _port_open "$PORT" || die "no http on $PORT"
fds0=$(fd_count "$TEND_PID")

cat >"$T/hold.py" <<'EOF2'
# hold.py KIND ADDR N SECONDS: keep N idle connections open to ADDR (tcp
# port on 127.0.0.1, or a unix socket path), reopening each one tend drops
# (at most 100 a second), plus a slow-loris: 3 new connections a second,
# each sending one byte of a request every 0.5 s. Ends by itself.
import selectors, socket, sys, time
kind, addr, n, secs = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
sel = selectors.DefaultSelector()
def conn():
    try:
        if kind == "tcp":
            s = socket.create_connection(("127.0.0.1", int(addr)))
        else:
            s = socket.socket(socket.AF_UNIX); s.connect(addr)
    except OSError:
        return None
    s.setblocking(False)
    return s
idle, loris = set(), {}
for _ in range(n):
    s = conn()
    if s:
        idle.add(s); sel.register(s, selectors.EVENT_READ)
print("holding", len(idle), flush=True)
end, reopen_budget, t_budget, t_loris = time.time() + secs, 100, time.time(), time.time()
req = b"GET /live HTTP/1.1\r\nHost: x\r\n" if kind == "tcp" else b"status --json"
while time.time() < end:
    now = time.time()
    if now - t_budget >= 1:
        reopen_budget, t_budget = 100, now
    if now - t_loris >= 1:
        t_loris = now
        for _ in range(3):
            s = conn()
            if s:
                loris[s] = 0; sel.register(s, selectors.EVENT_READ)
    for s in list(loris):
        if loris[s] < len(req):
            try:
                s.send(req[loris[s]:loris[s] + 1]); loris[s] += 1
            except OSError:
                pass
    for key, _ in sel.select(timeout=0.5):
        s = key.fileobj
        try:
            data = s.recv(4096)
        except OSError:
            data = b""
        if data:
            continue
        sel.unregister(s); s.close()
        if s in idle:
            idle.discard(s)
            if reopen_budget > 0:
                reopen_budget -= 1
                t = conn()
                if t:
                    idle.add(t); sel.register(t, selectors.EVENT_READ)
        else:
            loris.pop(s, None)
EOF2

# ms CMD...: how long CMD takes, in ms ($MS_T), its status ($MS_RC), its
# output ($T/ms.out).
ms() { local t0; t0=$(date +%s%N); "$@" >"$T/ms.out" 2>&1; MS_RC=$?; MS_T=$(( ($(date +%s%N) - t0) / 1000000 )); }
live_fast() {
	local t code
	ms curl -s -o /dev/null -w '%{http_code}' -m 2 "http://127.0.0.1:$PORT/live"
	t=$MS_T; code=$(cat "$T/ms.out")
	[ "$code" = 200 ] && [ "$t" -lt 1000 ] || { echo "# /live: $code in $t ms"; return 1; }
}
status_fast() {
	local t
	ms "$TENDCTL" -s "$SOCK" status; t=$MS_T
	[ "$MS_RC" = 0 ] && [ "$t" -lt 1000 ] || { echo "# status: exit $MS_RC in $t ms: $(head -c 200 "$T/ms.out")"; return 1; }
}

"$PY" "$T/hold.py" tcp "$PORT" 200 40 >"$T/hold-http.out" 2>&1 &
hh=$!; cleanup "kill -KILL $hh"
"$PY" "$T/hold.py" unix "$SOCK" 200 40 >"$T/hold-ctl.out" 2>&1 &
hc=$!; cleanup "kill -KILL $hc"
wait_until 20 grep -q holding "$T/hold-http.out" || fail "the HTTP holder did not start"
wait_until 20 grep -q holding "$T/hold-ctl.out" || fail "the control holder did not start"
echo "# http: $(cat "$T/hold-http.out"); control: $(cat "$T/hold-ctl.out")"

slow_live=0; slow_status=0; maxfds=0
for i in $(seq 20); do
	live_fast || slow_live=$((slow_live + 1))
	status_fast || slow_status=$((slow_status + 1))
	f=$(fd_count "$TEND_PID"); [ "$f" -gt "$maxfds" ] && maxfds=$f
	sleep 0.5
done
check_eq "200 idle + slow-loris: /live answered 200 within 1 s, 20 times out of 20" 0 "$slow_live"
check_eq "200 idle + slow-loris: tendctl status answered within 1 s, 20 times out of 20" 0 "$slow_status"
check "tend's fds stay within its bounds ($fds0 + at most 48 clients; seen $maxfds)" test "$maxfds" -le $(( fds0 + 48 + 2 ))
check "tend still runs" kill -0 "$TEND_PID"
check_eq "web untouched" ready "$(svc_state web)"
kill -KILL "$hh" "$hc" 2>/dev/null; wait "$hh" "$hc" 2>/dev/null
check "the attackers gone: tend closes their connections" wait_until 10 sh -c "[ \$(ls /proc/$TEND_PID/fd | wc -l) -eq $fds0 ]"

# A lone idle client: closed after the request timeout, told why.
t0=$(date +%s%N)
out=$("$PY" -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(20)
print(s.recv(4096).decode(errors="replace").split("\r\n")[0])' "$PORT")
el=$(( ($(date +%s%N) - t0) / 1000000 ))
check_eq "an idle HTTP client: 408" "HTTP/1.0 408 Request Timeout" "$out"
check "an idle HTTP client: closed after about 5 s ($el ms)" test "$el" -ge 4500 -a "$el" -lt 8000
t0=$(date +%s%N)
out=$("$PY" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.settimeout(20)
print(s.recv(4096).decode(errors="replace").strip())' "$SOCK")
el=$(( ($(date +%s%N) - t0) / 1000000 ))
check_eq "an idle control client: ERR timed out" "ERR timed out" "$out"
check "an idle control client: closed after about 5 s ($el ms)" test "$el" -ge 4500 -a "$el" -lt 8000

ctx() { awk '/ctxt_switches/ {n += $2} END {print n}' "/proc/$TEND_PID/status"; }
wait_until 5 sh -c "[ \$(ls /proc/$TEND_PID/fd | wc -l) -eq $fds0 ]"
c0=$(ctx); sleep 2; c1=$(ctx)
check "idle again: no wake-up in 2 s ($c0 -> $c1)" test "$c1" -eq "$c0"
tend_stop 10
check_eq "tend ends normally" 0 "$TEND_RC"
