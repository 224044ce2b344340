#!/bin/bash
# tendctl against a running tend: every command, its output and its exit
# status (0 done, 1 refused, 64 usage, 69 unreachable); a stop asked for
# with tendctl is not a failure and stays down; restart is not counted as
# an automatic restart; shutdown ends tend and removes the socket.
. "$TOP_SRCDIR/test/lib.sh"
. "$TOP_SRCDIR/test/integration/ctl-lib.sh"

cat >"$T/tend.ini" <<INI
[tend]
control = $SOCK
[service:web]
command = sleep 1000
restart = always
[service:worker]
command = sh -c 'trap "echo usr1 >> $T/usr1" USR1; while :; do sleep 0.05; done'
[service:once]
command = true
type = oneshot
restart = no
INI
tend_start "$T/tend.ini"
ctl_up 10 || die "the control socket does not answer; log: $(cat "$LOG")"
wait_until 10 state_is web ready || die "web not ready"
wait_until 10 state_is worker ready || die "worker not ready"
wait_until 10 state_is once exited || die "once did not exit"

# status: the table
out=$(ctl status); rc=$?
check_eq "status: exit 0" 0 "$rc"
check "status: the header" sh -c "printf '%s\n' \"\$1\" | head -1 | grep -Eq '^NAME +STATE +PID +UPTIME +RESTARTS +LAST EXIT\$'" _ "$out"
webpid=$(svc_pid_of web)
check "status: web's row: ready, its pid, no exit yet" sh -c "printf '%s\n' \"\$1\" | grep -Eq '^web +ready +$webpid +[0-9]+s +0 +-\$'" _ "$out"
check "status: once exited 0" sh -c "printf '%s\n' \"\$1\" | grep -Eq '^once +exited +- +- +0 +exited 0\$'" _ "$out"
check_eq "status: 4 lines" 4 "$(printf '%s\n' "$out" | wc -l)"
# the columns line up: STATE starts at the same column on every line
cols=$(printf '%s\n' "$out" | awk '{ print index($0, $2) }' | sort -u | wc -l)
check_eq "status: aligned columns" 1 "$cols"
check_eq "status NAME: one row" 2 "$(ctl status worker | wc -l)"
check_eq "status NAME: that row" worker "$(ctl status worker | awk 'NR==2 {print $1}')"
check_eq "status of an unknown service: 1" 1 "$(ctl_rc status nosuch)"
check "status of an unknown service: the reason" sh -c "'$TENDCTL' -s '$SOCK' status nosuch 2>&1 | grep -q \"no service 'nosuch'\""

# status --json
j=$(ctl status --json)
check_eq "json: the services" "web worker once" "$(jq -r '[.services[].name] | join(" ")' <<<"$j")"
check_eq "json: web's pid" "$webpid" "$(jq -r '.services[0].pid' <<<"$j")"
check "json: uptime is a number of seconds" jqe '.services[0].uptime | type == "number" and . >= 0' <<<"$j"
check "json: last start is a time" jqe ".services[0].last_start >= $(( $(date +%s) - 60 ))" <<<"$j"
check_eq "json: once's last exit" "exited 0|0|null" "$(jq -r '.services[2] | "\(.last_exit)|\(.last_exit_code)|\(.pid)"' <<<"$j")"
check "json: exit time of once" jqe '.services[2].last_exit_time > 0' <<<"$j"
check "json: probe states" jqe '.services[0].ready_probe.type == "none" and .services[0].ready_probe.passed == true and .services[0].health_probe.failures == 0' <<<"$j"
check "json: tend ready, not stopping" jqe '.tend.ready == true and .tend.stopping == false' <<<"$j"

# stop: stays stopped, not restarted by restart = always
check_eq "stop web: exit 0" 0 "$(ctl_rc stop web)"
check "stop web: its process ends" wait_until 10 proc_ended "$webpid"
check "stop web: stopped" wait_until 10 state_is web stopped
sleep 0.5 # longer than restart_delay: a restart would show by now
check_eq "stop web: still stopped (no restart)" stopped "$(svc_state web)"
check_eq "stop web: not counted as a restart" 0 "$(ctl status web --json | jq .services[0].restarts)"
check "stop web: tend keeps running" kill -0 "$TEND_PID"
check_eq "stop of a stopped service: 0" 0 "$(ctl_rc stop web)"

# start
check_eq "start web: exit 0" 0 "$(ctl_rc start web)"
check "start web: ready again" wait_until 10 state_is web ready
pid2=$(svc_pid_of web)
check "start web: a new pid" test -n "$pid2" -a "$pid2" != "$webpid"
check_eq "start of a running service: 0" 0 "$(ctl_rc start web)"
check_eq "start: the same pid still" "$pid2" "$(svc_pid_of web)"

# restart: a new process, not an automatic restart
check_eq "restart web: exit 0" 0 "$(ctl_rc restart web)"
check "restart web: a new pid" wait_until 10 sh -c "p=\$('$TENDCTL' -s '$SOCK' status web --json | jq -r '.services[0].pid // empty'); [ -n \"\$p\" ] && [ \"\$p\" != $pid2 ]"
check "restart web: ready" wait_until 10 state_is web ready
check "restart web: the old process is gone" proc_ended "$pid2"
check_eq "restart web: not counted as a restart" 0 "$(ctl status web --json | jq .services[0].restarts)"

# signal
check_eq "signal worker USR1: exit 0" 0 "$(ctl_rc signal worker USR1)"
check "signal worker USR1: delivered" wait_file 5 "$T/usr1"
check_eq "signal with a number" 0 "$(ctl_rc signal worker 10)"
check "signal with a number: delivered" wait_lines 5 "$T/usr1" 2
check_eq "signal: an unknown signal is refused" 1 "$(ctl_rc signal worker NOPE)"
check_eq "signal: a service not running is refused" 1 "$(ctl_rc signal once TERM)"
check_eq "signal: an unknown service is refused" 1 "$(ctl_rc signal nosuch TERM)"
check "signal: the worker is still running" state_is worker ready

# reload (an unchanged file: nothing changes)
wpid=$(svc_pid_of worker)
check_eq "reload of an unchanged file: 0" 0 "$(ctl_rc reload)"
check_eq "reload: worker untouched" "$wpid" "$(svc_pid_of worker)"

# usage and reachability
check_eq "no command: 64" 64 "$(ctl_rc)"
check_eq "unknown command: 64" 64 "$(ctl_rc frobnicate)"
check_eq "start without a name: 64" 64 "$(ctl_rc start)"
check_eq "stop with two names: 64" 64 "$(ctl_rc stop a b)"
check_eq "signal without a signal: 64" 64 "$(ctl_rc signal web)"
check_eq "status with a bad option: 64" 64 "$(ctl_rc status --bogus)"
check_eq "a name with a blank: 64" 64 "$(ctl_rc start 'a b')"
check_eq "no such socket: 69" 69 "$("$TENDCTL" -s "$T/none.sock" status >/dev/null 2>&1; echo $?)"
check_eq "--help: 0" 0 "$("$TENDCTL" --help >/dev/null; echo $?)"

# the protocol, raw: answer lines, then OK / ERR
check_eq "raw: a last line OK" OK "$(raw 'status web' | tail -1)"
check_eq "raw: ERR with a reason" "ERR unknown command 'hello'" "$(raw 'hello' | tail -1)"
check_eq "raw: an empty line" "ERR empty request" "$(raw '' | tail -1)"
check_eq "raw: a request without its newline" OK "$(printf 'status' | socat -t 5 - "UNIX-CONNECT:$SOCK" | tail -1)"

# shutdown: exit 0, tend ends in order, the socket file is removed
out=$(ctl shutdown); rc=$?
check_eq "shutdown: exit 0" 0 "$rc"
check "shutdown: tend ends" tend_wait 15
check_eq "shutdown: tend's status 0" 0 "$TEND_RC"
check "shutdown: the socket file is removed" test ! -e "$SOCK"
check "shutdown: logged" log_has "shutdown requested"
check_eq "after shutdown: 69" 69 "$(ctl_rc status)"
