#!/bin/bash
# drain: on shutdown tend first reports itself not ready (/ready 503, while
# /live stays 200 and the services keep running) for `drain`, then stops
# the services. Through SIGTERM and through `tendctl shutdown`.
. "$TOP_SRCDIR/test/lib.sh"
. "$TOP_SRCDIR/test/integration/ctl-lib.sh"

PORT=$(free_port)
cat >"$T/tend.ini" <<INI
[tend]
control = $SOCK
http = 127.0.0.1:$PORT
drain = 3s
[service:web]
command = sleep 1000
INI
ready_is() { [ "$(http_code /ready)" = "$1" ]; }

for how in SIGTERM "tendctl shutdown"; do
	tend_start "$T/tend.ini"
	wait_until 10 ready_is 200 || die "$how: /ready never 200; log: $(cat "$LOG")"
	web=$(svc_pid_of web)
	t0=$(date +%s%N)
	if [ "$how" = SIGTERM ]; then kill -TERM "$TEND_PID"; else ctl shutdown >/dev/null; fi
	check "$how: /ready turns 503" wait_until 2 ready_is 503
	check_eq "$how: /ready says why" stopping "$(http_body /ready)"
	check_eq "$how: /live is still 200" 200 "$(http_code /live)"
	check "$how: web still runs while draining" kill -0 "$web"
	check_eq "$how: tendctl status still answers" 0 "$(ctl_rc status)"
	check "$how: status says stopping" jqe '.tend.stopping == true and .tend.ready == false' < <(ctl status --json)
	check_eq "$how: start is refused while shutting down" 1 "$(ctl_rc start web)"
	check "$how: web stops after the drain" wait_until 10 proc_ended "$web"
	el=$(( ($(date +%s%N) - t0) / 1000000 ))
	check "$how: not before the 3 s drain ($el ms)" test "$el" -ge 2900
	check "$how: tend ends" tend_wait 10
	check_eq "$how: exit 0" 0 "$TEND_RC"
done
