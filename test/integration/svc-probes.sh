#!/bin/bash
# Probes: ready tcp/http/exec pass and the service becomes ready (its
# dependent starts); http 5xx is not ready, 3xx is; ready_timeout stops the
# service as a failure; health_retries failures in a row restart it as a
# failure (a probe server the test controls flips the health); ready =
# notify through NOTIFY_SOCKET; READY=1 / STOPPING=1 upward to a socket the
# test binds.
. "$TOP_SRCDIR/test/lib.sh"
need_cmd /usr/bin/python3
. "$TOP_SRCDIR/test/integration/svc-lib.sh"

PORT=$(free_port)
echo 500 >"$T/code"
http_server "$PORT" "$T/code"
TPORT=$(free_port)

cat >"$T/ready.ini" <<EOT
[service:h]
command = sleep 1000
ready = http://127.0.0.1:$PORT/health
[service:after_h]
command = sh -c '$(stamp "$T/after_h")'
restart = no
after = h

[service:x]
command = sleep 1000
ready = exec:sh -c 'echo >> $T/xprobes; test -e $T/xflag'
[service:after_x]
command = sh -c '$(stamp "$T/after_x")'
restart = no
after = x

[service:t]
command = sleep 1000
ready = tcp://127.0.0.1:$TPORT
[service:after_t]
command = sh -c '$(stamp "$T/after_t")'
restart = no
after = t
EOT
tend_start "$T/ready.ini"
wait_log 10 "$(svclog t)started"
wait_log 10 "$(svclog h)started"
wait_log 10 "$(svclog x)started"
# The probes have been tried a few times, failing: requests in the server's
# log and lines of the exec probe are the evidence (no sleep).
wait_lines 10 "$T/code.log" 3
wait_lines 10 "$T/xprobes" 3
check "http 500: not ready" log_lacks "$(svclog h)ready"
check "exec failing: not ready" log_lacks "$(svclog x)ready"
check "tcp closed: not ready" log_lacks "$(svclog t)ready"
check "dependents held while not ready" test ! -e "$T/after_h" -a ! -e "$T/after_x" -a ! -e "$T/after_t"

echo 302 >"$T/code"
wait_file 10 "$T/after_h"
check "http 302: ready" log_has "$(svclog h)ready after"
check "http: dependent started once ready" test -s "$T/after_h"
check "exec still not ready" test ! -e "$T/after_x"
: >"$T/xflag"
wait_file 10 "$T/after_x"
check "exec: ready once the command succeeds" log_has "$(svclog x)ready after"
/usr/bin/python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8); time.sleep(600)' "$TPORT" &
LPID=$!
cleanup "kill -KILL $LPID"
wait_file 10 "$T/after_t"
check "tcp: ready once the port accepts" log_has "$(svclog t)ready after"
tend_stop
check_eq "orderly shutdown: 0" 0 "$TEND_RC"
kill -KILL "$LPID" 2>/dev/null; wait "$LPID" 2>/dev/null

# ready_timeout: stopped, counted as a failure (restart = no: failed, exit 1)
: >"$LOG"
cat >"$T/rt.ini" <<EOT
[service:slow]
command = sh -c 'echo \$\$\$\$ > $T/slow.pid; exec sleep 1000'
ready = tcp://127.0.0.1:$TPORT
ready_timeout = 500ms
restart = no
EOT
T0=$(now_ms)
tend_start "$T/rt.ini"
tend_wait 10
T1=$(now_ms)
check "ready_timeout: logged" log_has "$(svclog slow)not ready after 500ms"
check "ready_timeout: with the ready probe's last reason" log_has "$(svclog slow)not ready after 500ms (ready probe: connection refused), stopping"
check_eq "ready_timeout is a failure: tend exits 1" 1 "$TEND_RC"
check "ready_timeout: not before 500 ms" test $((T1 - T0)) -ge 500
check "ready_timeout: the service was stopped" proc_ended "$(svc_pid "$T/slow.pid")"

# ready_timeout under on-failure: restarted, and restart_limit gives up.
: >"$LOG"
cat >"$T/rt2.ini" <<EOT
[service:slow]
command = sh -c '$(stamp "$T/slow2.start"); exec sleep 1000'
ready = tcp://127.0.0.1:$TPORT
ready_timeout = 200ms
restart = on-failure
restart_delay = 10ms
restart_limit = 1
EOT
tend_start "$T/rt2.ini"
tend_wait 10
check_eq "ready_timeout + on-failure: started twice (one restart)" 2 "$(wc -l <"$T/slow2.start")"
check "then failed: giving up" log_has "giving up after 1 restarts"
check_eq "exit 1" 1 "$TEND_RC"

# health: 3 failures in a row restart the service, as a failure.
: >"$LOG"
echo 200 >"$T/code"
cat >"$T/health.ini" <<EOT
[service:web]
command = sh -c '$(stamp "$T/web.start"); exec sleep 1000'
ready = http://127.0.0.1:$PORT/ready
health = http://127.0.0.1:$PORT/health
health_interval = 100ms
health_timeout = 1s
health_retries = 3
restart = on-failure
restart_delay = 10ms
EOT
tend_start "$T/health.ini"
wait_log 10 "$(svclog web)ready after"
check_eq "healthy: started once" 1 "$(wc -l <"$T/web.start")"
echo 503 >"$T/code"
wait_lines 10 "$T/web.start" 2 || fail "health failures did not restart the service"
check "health: each failure counted" log_has "$(svclog web)health check failed (.*), 2 of 3"
check "health: restart after 3 in a row" log_has "health check failed 3 times in a row"
check "restarted as a failure (on-failure restarted it)" log_has "$(svclog web)killed by SIGTERM, restart in"
echo 200 >"$T/code"
wait_until 10 test "$(log_count "web: ready after")" -ge 2
N=$(wc -l <"$T/web.start")
tend_stop
check_eq "health good again: no further restart" "$N" "$(wc -l <"$T/web.start")"

# health with restart = no: ends failed
: >"$LOG"
echo 200 >"$T/code"
cat >"$T/health2.ini" <<EOT
[service:web]
command = sleep 1000
health = exec:test ! -e $T/sick
health_interval = 50ms
health_retries = 2
restart = no
EOT
tend_start "$T/health2.ini"
wait_log 10 "$(svclog web)ready after"
: >"$T/sick"
tend_wait 10
check_eq "health failure, restart = no: failed, tend exits 1" 1 "$TEND_RC"

# ready = notify: READY=1 from the service through its NOTIFY_SOCKET.
: >"$LOG"
cat >"$T/notify.py" <<'EOT'
import os, socket, sys, time
path = os.environ["NOTIFY_SOCKET"]
if path.startswith("@"):
    path = "\0" + path[1:]
open(sys.argv[1], "w").write(os.environ["NOTIFY_SOCKET"])
while not os.path.exists(sys.argv[2]):
    time.sleep(0.02)
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"STATUS=warming up\nREADY=1", path)
time.sleep(1000)
EOT
cat >"$T/notify.ini" <<EOT
[service:n]
command = /usr/bin/python3 $T/notify.py $T/n.sock $T/go
ready = notify
[service:after_n]
command = sh -c '$(stamp "$T/after_n")'
restart = no
after = n
[service:plain]
command = sh -c 'tr "\\\\0" "\\\\n" < /proc/self/environ > $T/plain.env; exec sleep 1000'
EOT
tend_start "$T/notify.ini"
wait_file 10 "$T/n.sock" || die "notify service did not start: $(cat "$LOG")"
wait_file 10 "$T/plain.env"
check "notify: the service got a NOTIFY_SOCKET" test -s "$T/n.sock"
check "notify: a service without ready = notify gets none" sh -c "! grep -q '^NOTIFY_SOCKET=' '$T/plain.env'"
check "notify: not ready before READY=1" log_lacks "$(svclog n)ready"
: >"$T/go"
wait_file 10 "$T/after_n" || fail "READY=1 did not make the service ready: $(cat "$LOG")"
check "notify: ready after READY=1" log_has "$(svclog n)ready after"
tend_stop

# READY=1 from a process outside the service is not believed.
: >"$LOG"
rm -f "$T/go" "$T/n.sock" "$T/after_n"
cat >"$T/notify2.ini" <<EOT
[service:n]
command = /usr/bin/python3 $T/notify.py $T/n.sock $T/never
ready = notify
EOT
tend_start "$T/notify2.ini" -v
wait_file 10 "$T/n.sock"
NS=$(cat "$T/n.sock")
/usr/bin/python3 - "$NS" <<'EOT'
import socket, sys
p = sys.argv[1]
p = "\0" + p[1:] if p.startswith("@") else p
socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b"READY=1", p)
EOT
wait_log 10 "not of a notify service"
check "notify: READY=1 from a stranger is ignored" log_lacks "$(svclog n)ready"
tend_stop

# Upward: READY=1 once the main service is ready, STOPPING=1 on shutdown.
: >"$LOG"
rm -f "$T/mflag"
/usr/bin/python3 - "$T/up.sock" "$T/up.msgs" <<'EOT' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
while True:
    m = s.recv(4096)
    with open(sys.argv[2], "a") as f:
        f.write(m.decode().replace("\n", " ") + "\n")
EOT
UPID=$!
cleanup "kill -KILL $UPID"
wait_until 10 test -S "$T/up.sock"
cat >"$T/up.ini" <<EOT
[tend]
main = m
[service:m]
command = sleep 1000
ready = exec:test -e $T/mflag
[service:other]
command = sleep 1000
EOT
TEND_ENV=(NOTIFY_SOCKET=$T/up.sock)
tend_start "$T/up.ini"
wait_log 10 "$(svclog other)ready after"
wait_log 10 "$(svclog m)started"
check "upward: no READY=1 while main is not ready" sh -c "! grep -qs READY=1 '$T/up.msgs'"
: >"$T/mflag"
wait_until 10 grep -qs READY=1 "$T/up.msgs" || fail "no READY=1 upward: $(cat "$LOG")"
check "upward: READY=1 after main is ready" grep -q "READY=1" "$T/up.msgs"
check "upward: no STOPPING=1 yet" sh -c "! grep -q STOPPING=1 '$T/up.msgs'"
tend_stop
wait_until 5 grep -q STOPPING=1 "$T/up.msgs"
check "upward: STOPPING=1 on shutdown" grep -q "STOPPING=1" "$T/up.msgs"
check_eq "upward: READY=1 sent once" 1 "$(grep -c READY=1 "$T/up.msgs")"
check_eq "main stopped by tend: exit 143 (its status)" 143 "$TEND_RC"
TEND_ENV=()
