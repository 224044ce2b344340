#!/bin/bash
# The HTTP endpoint ([tend] http): /live, /ready (503 until the service's
# ready probe passes), /status (the JSON of tendctl status --json),
# /metrics (Prometheus text), HEAD, 404 and 405, malformed, over-long and
# slow requests; and off when `http` is not set.
. "$TOP_SRCDIR/test/lib.sh"
. "$TOP_SRCDIR/test/integration/ctl-lib.sh"

PORT=$(free_port)
GATE=$(free_port)
cat >"$T/tend.ini" <<INI
[tend]
control = $SOCK
http = 127.0.0.1:$PORT
main = web
[service:web]
command = sleep 1000
ready = tcp://127.0.0.1:$GATE
ready_timeout = 60s
[service:side]
command = sh -c 'exit 3'
restart = no
INI
tend_start "$T/tend.ini"
wait_until 10 sh -c "curl -s -o /dev/null -m 1 http://127.0.0.1:$PORT/live" || die "no HTTP; log: $(cat "$LOG")"

check_eq "/live: 200" 200 "$(http_code /live)"
check_eq "/live: the body" live "$(http_body /live)"
check_eq "/ready before web's probe passes: 503" 503 "$(http_code /ready)"
check_eq "web: running" running "$(svc_state web)"

# Let the ready probe pass: something listens on the gate port.
socat TCP-LISTEN:"$GATE",bind=127.0.0.1,reuseaddr,fork /dev/null >/dev/null 2>&1 &
cleanup "kill -KILL $!"
check "/ready once web is ready: 200" wait_until 10 sh -c "[ \$(curl -s -o /dev/null -w '%{http_code}' -m 2 http://127.0.0.1:$PORT/ready) = 200 ]"
check_eq "/ready: the body" ready "$(http_body /ready)"

# /status is tendctl's JSON
wait_until 5 state_is side failed
s=$(http_body /status)
check "/status: JSON" jqe . <<<"$s"
check_eq "/status: content type" "application/json" "$(curl -s -o /dev/null -w '%{content_type}' http://127.0.0.1:$PORT/status)"
check_eq "/status: the same as tendctl status --json" \
	"$(ctl status --json | jq -c '.services[] | [.name, .state, .pid, .restarts, .last_exit, .last_start]')" \
	"$(jq -c '.services[] | [.name, .state, .pid, .restarts, .last_exit, .last_start]' <<<"$s")"
check "/status: tend ready, web the main service" jqe '.tend.ready and .tend.main == "web"' <<<"$s"
check_eq "/status: side's last exit" "exited 3" "$(jq -r '.services[1].last_exit' <<<"$s")"

# /metrics
m=$(http_body /metrics)
check "/metrics: web's state" grep -qx 'tend_service_state{service="web",state="ready"} 1' <<<"$m"
check "/metrics: not in another state" grep -qx 'tend_service_state{service="web",state="running"} 0' <<<"$m"
check "/metrics: restarts" grep -qx 'tend_service_restarts_total{service="web"} 0' <<<"$m"
check "/metrics: side's last exit code" grep -qx 'tend_service_last_exit_code{service="side"} 3' <<<"$m"
check "/metrics: uptime" grep -Eqx 'tend_service_uptime_seconds\{service="web"\} [0-9]+\.[0-9]{3}' <<<"$m"
check "/metrics: probe failures" grep -qx 'tend_service_probe_failures{service="web"} 0' <<<"$m"
check "/metrics: tend ready" grep -qx 'tend_ready 1' <<<"$m"
rss=$(awk '$1=="process_resident_memory_bytes" {print $2}' <<<"$m")
check "/metrics: tend's RSS ($rss) near /proc's" test $(( rss / 1024 )) -gt 0 -a $(( rss / 1024 - $(rss_kb "$TEND_PID") )) -lt 2048 -a $(( $(rss_kb "$TEND_PID") - rss / 1024 )) -lt 2048
check "/metrics: open fds" grep -Eqx 'process_open_fds [0-9]+' <<<"$m"
check "/metrics: every sample has a TYPE" bash -c "awk '/^# TYPE/ {t[\$3]=1; next} /^#/ {next} {n=\$1; sub(/\\{.*/, \"\", n); if (!(n in t)) bad=1} END {exit bad}' <<<\"\$1\"" _ "$m"
check_eq "/metrics: content type" "text/plain; version=0.0.4; charset=utf-8" "$(curl -s -o /dev/null -w '%{content_type}' http://127.0.0.1:$PORT/metrics)"

# methods, paths, malformed
check_eq "HEAD /live: 200" 200 "$(http_code /live -I)"
check_eq "HEAD: no body" "" "$(curl -s -I -m 5 http://127.0.0.1:$PORT/live | sed -n '/^\r$/,$p' | tail -n +2)"
check_eq "POST /live: 405" 405 "$(http_code /live -X POST)"
check_eq "PUT /ready: 405" 405 "$(http_code /ready -X PUT)"
check_eq "GET /nope: 404" 404 "$(http_code /nope)"
check_eq "GET /: 404" 404 "$(http_code /)"
check_eq "a query string is ignored" 200 "$(http_code '/live?x=1')"
raw_http() { printf "$1" | socat -t 5 - "TCP:127.0.0.1:$PORT" | head -1 | tr -d '\r'; }
check_eq "garbage: 400" "HTTP/1.0 400 Bad Request" "$(raw_http 'hello\r\n\r\n')"
check_eq "no version: 400" "HTTP/1.0 400 Bad Request" "$(raw_http 'GET /live\r\n\r\n')"
check_eq "HTTP/2.0: 400" "HTTP/1.0 400 Bad Request" "$(raw_http 'GET /live HTTP/2.0\r\n\r\n')"
check_eq "bare LF request: 200" "HTTP/1.0 200 OK" "$(raw_http 'GET /live HTTP/1.0\n\n')"
check_eq "incomplete, then EOF: 400" "HTTP/1.0 400 Bad Request" "$(raw_http 'GET /live HTTP/1.1\r\n')"
long=$(head -c 20000 /dev/zero | tr '\0' a)
check_eq "a 20 kB header: 431" 431 "$(http_code /live -H "X-Long: $long")"
check_eq "after all that: /live 200" 200 "$(http_code /live)"

# slow: a request line that never ends does not hold the others
exec {slow}<>"/dev/tcp/127.0.0.1/$PORT"
printf 'GET /li' >&$slow
t0=$(date +%s%N)
check_eq "a slow client: /ready still answers" 200 "$(http_code /ready)"
check "a slow client: at once" test $(( ($(date +%s%N) - t0) / 1000000 )) -lt 1000
slow_408() { timeout 15 head -1 <&"$slow" | grep -q ' 408 '; }
check "a slow client: 408 after the timeout" slow_408
exec {slow}>&-

tend_stop 10
check "the port is closed once tend is gone" sh -c "! curl -s -m 2 -o /dev/null http://127.0.0.1:$PORT/live"

# http not set: nothing listens
cat >"$T/off.ini" <<INI
[tend]
control = $SOCK
[service:web]
command = sleep 1000
INI
tend_start "$T/off.ini"
ctl_up 10
check "http not set: nothing on the port" sh -c "! curl -s -m 2 -o /dev/null http://127.0.0.1:$PORT/live"
tend_stop 10
