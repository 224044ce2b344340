#!/bin/bash
# audit-end: how services and tend end (section 1, "Fine print"):
# - `tendctl stop` never ends tend, even of the last running service;
# - success_exit lists exit codes only; a death by a signal tend did not
#   ask for is a failure;
# - after its last run a service is `exited` when that run succeeded and
#   `failed` when it did not (restart = always + restart_limit included:
#   every automatic restart counts, after a clean exit too);
# - a second SIGTERM skips the drain too, and the status stays what it
#   would have been.
. "$TOP_SRCDIR/test/lib.sh"
. "$TOP_SRCDIR/test/integration/ctl-lib.sh"

# --- tendctl stop of the last running service: tend stays.
cat >"$T/only.ini" <<EOT
[tend]
control = $SOCK
[service:only]
command = sh -c 'echo x >> $T/only.start; exec sleep 60'
EOT
tend_start "$T/only.ini"
ctl_up 10 || fail "control socket never answered: $(tail -3 "$LOG")"
wait_until 10 state_is only ready
check_eq "stop the only service: 0" 0 "$(ctl_rc stop only)"
check "stop the only service: stopped" wait_until 10 state_is only stopped
# Give tend the chance to (wrongly) shut down: the control socket going
# away within 1 s would be it.
sleep 1
check "stop the only service: tend still runs" kill -0 "$TEND_PID"
check "stop the only service: no shutdown logged" log_lacks "shutting down"
check_eq "start it again: 0" 0 "$(ctl_rc start only)"
check "start it again: ready" wait_until 10 state_is only ready
check_eq "start it again: two runs" 2 "$(wc -l <"$T/only.start")"
tend_stop
check_eq "then SIGTERM, no main: 0" 0 "$TEND_RC"

# Same with that service being the main one: stopping main by tendctl is
# not main ending.
: >"$LOG"
cat >"$T/mainstop.ini" <<EOT
[tend]
control = $SOCK
main = web
[service:web]
command = sleep 60
EOT
tend_start "$T/mainstop.ini"
ctl_up 10 && wait_until 10 state_is web ready || fail "web did not start: $(tail -3 "$LOG")"
ctl_rc stop web >/dev/null
wait_until 10 state_is web stopped
sleep 1
check "stop the main service by tendctl: tend still runs" kill -0 "$TEND_PID"
tend_stop

# --- success_exit: exit codes only; a signal death tend did not ask for
# is a failure. Then the state after the last run, read from tendctl.
: >"$LOG"
cat >"$T/states.ini" <<EOT
[tend]
control = $SOCK
[service:keep]
command = sleep 60
[service:code143]
command = sh -c 'exit 143'
restart = no
success_exit = 0, 143
[service:sig143]
command = sh -c 'echo \$\$\$\$ > $T/sig143.pid; exec sleep 60'
restart = no
success_exit = 0, 143
[service:ok]
command = true
restart = no
[service:bad]
command = false
restart = no
[service:always]
command = sh -c 'echo x >> $T/always.start'
restart = always
restart_delay = 10ms
restart_limit = 2
[service:onf]
command = sh -c 'echo x >> $T/onf.start; exit 3'
restart = on-failure
restart_delay = 10ms
restart_limit = 2
EOT
tend_start "$T/states.ini"
ctl_up 10 || fail "control socket never answered: $(tail -3 "$LOG")"
wait_file 10 "$T/sig143.pid" && kill -TERM "$(cat "$T/sig143.pid")"
for s in code143 sig143 ok bad always onf; do
	wait_until 10 sh -c "s=\$('$TENDCTL' -s '$SOCK' status $s --json | jq -r '.services[0].state'); [ \"\$s\" = exited ] || [ \"\$s\" = failed ]"
done
check_eq "success_exit 143, exit 143: exited" exited "$(svc_state code143)"
check_eq "success_exit 143, killed by a TERM tend did not send: failed" failed "$(svc_state sig143)"
check_eq "... its last exit reads 'killed TERM'" "killed TERM" "$(ctl status sig143 --json | jq -r '.services[0].last_exit')"
check_eq "restart = no, exit 0: exited" exited "$(svc_state ok)"
check_eq "restart = no, exit 1: failed" failed "$(svc_state bad)"
check_eq "on-failure, restart_limit 2: three runs" 3 "$(wc -l <"$T/onf.start")"
check_eq "on-failure, gave up: failed" failed "$(svc_state onf)"
check_eq "always, restart_limit 2, clean exits: three runs (clean exits count)" 3 "$(wc -l <"$T/always.start")"
check_eq "always, restart_limit 2: the last run succeeded, so 'exited'" exited "$(svc_state always)"
check_eq "always: two automatic restarts counted" 2 "$(ctl status always --json | jq '.services[0].restarts')"
check "keep still runs: tend did not end" kill -0 "$TEND_PID"
tend_stop
check_eq "SIGTERM with no main: 0 (orderly shutdown)" 0 "$TEND_RC"

# The same rule decides tend's status when nothing is left: under always +
# restart_limit with clean exits only, every service ended in success.
: >"$LOG"
rm -f "$T/always.start"
cat >"$T/always.ini" <<EOT
[tend]
control =
[service:always]
command = sh -c 'echo x >> $T/always.start'
restart = always
restart_delay = 10ms
restart_limit = 2
EOT
tend_start "$T/always.ini"
tend_wait 20
check_eq "always + restart_limit, clean exits only, nothing left: exit 0" 0 "$TEND_RC"
# ... and as the main service, its status: 0.
: >"$LOG"
sed 's/^control =$/control =\nmain = always/' "$T/always.ini" >"$T/always-main.ini"
tend_start "$T/always-main.ini"
tend_wait 20
check_eq "always + restart_limit as main, clean exits: exit 0" 0 "$TEND_RC"

# --- drain: a second SIGTERM skips what is left of the drain; tend's
# status is what it would have been (main killed at once: 137).
: >"$LOG"
cat >"$T/drain.ini" <<EOT
[tend]
control = $SOCK
drain = 30s
main = web
[service:web]
command = sh -c 'trap "exit 0" TERM; echo \$\$\$\$ > $T/web.pid; while :; do sleep 0.05; done'
EOT
tend_start "$T/drain.ini"
wait_file 10 "$T/web.pid" || fail "web did not start: $(tail -3 "$LOG")"
kill -TERM "$TEND_PID"
wait_log 5 "draining for" || fail "no drain logged"
t0=$(now_ms)
kill -TERM "$TEND_PID"
tend_wait 10
el=$(( $(now_ms) - t0 ))
check "second SIGTERM during the drain: tend ends at once ($el ms), not after 30 s" test "$el" -lt 3000
check_eq "second SIGTERM during the drain: main SIGKILLed: 137" 137 "$TEND_RC"

# --- config mode: a main service killed by a signal tend did not send,
# restart = no: tend's status is 128+N, and the other services are stopped.
: >"$LOG"
rm -f "$T/web.pid"
cat >"$T/kill.ini" <<EOT
[tend]
control =
main = web
[service:web]
command = sh -c 'echo \$\$\$\$ > $T/web.pid; exec sleep 60'
restart = no
[service:other]
command = sleep 60
EOT
tend_start "$T/kill.ini"
wait_file 10 "$T/web.pid" || fail "web did not start: $(tail -3 "$LOG")"
wait_log 10 "$(svclog other)started"
kill -KILL "$(cat "$T/web.pid")"
tend_wait 10
check_eq "config mode: main killed by SIGKILL (not tend's): 137" 137 "$TEND_RC"
check "config mode: the other service was stopped" log_has "$(svclog other)stopped"
