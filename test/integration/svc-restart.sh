#!/bin/bash
# Restart policies: no / on-failure / always, success_exit, the backoff
# (restart_delay doubling to restart_delay_max, reset after restart_reset
# of running), restart_limit within restart_window, the main service's
# status as tend's, and a stop asked for by tend is never a failure.
# Timestamps: services append their start and end times (ms) to files;
# each delay is next start - previous end, checked with tolerances.
. "$TOP_SRCDIR/test/lib.sh"
. "$TOP_SRCDIR/test/integration/svc-lib.sh"

# A service script: run N (1, 2, ...) appends its start time to $1.start,
# sleeps the N-th word of $3 (seconds, default 0), appends its end time to
# $1.end and exits with the N-th word of $2 (the last word repeats).
cat >"$T/svc.sh" <<'EOT'
#!/bin/sh
f=$1; codes=$2; sleeps=${3:-0}
echo $(( $(date +%s%N) / 1000000 )) >> "$f.start"
n=$(wc -l < "$f.start")
pick() { i=$2; set -- $1; while [ "$i" -gt 1 ] && [ $# -gt 1 ]; do shift; i=$((i-1)); done; echo "$1"; }
s=$(pick "$sleeps" "$n"); [ "$s" = 0 ] || sleep "$s"
echo $(( $(date +%s%N) / 1000000 )) >> "$f.end"
exit "$(pick "$codes" "$n")"
EOT
chmod +x "$T/svc.sh"
starts() { wc -l <"$T/$1.start" 2>/dev/null || echo 0; }

# --- policies: each service's number of runs once everything settled
cat >"$T/policy.ini" <<EOT
[service:no_fail]
command = $T/svc.sh $T/no_fail 1
restart = no
[service:onf_ok]
command = $T/svc.sh $T/onf_ok 0
restart = on-failure
[service:onf_fail]
command = $T/svc.sh $T/onf_fail "1 1 0"
restart = on-failure
restart_delay = 10ms
[service:always]
command = $T/svc.sh $T/always "0 0 0 0"
restart = always
restart_delay = 10ms
restart_limit = 3
[service:succ143]
command = $T/svc.sh $T/succ143 143
restart = on-failure
success_exit = 0, 143
[service:fail_sig]
command = sh -c 'echo \$\$\$\$ >> $T/sig.pids; exec sleep 1000'
restart = on-failure
restart_delay = 10ms
EOT
tend_start "$T/policy.ini"
wait_file 10 "$T/sig.pids"
kill -KILL "$(head -1 "$T/sig.pids")"
wait_lines 10 "$T/sig.pids" 2
wait_lines 10 "$T/always.start" 4
wait_lines 10 "$T/onf_fail.start" 3
wait_log 10 "$(svclog always)exited with 0, giving up"
check_eq "restart = no: one run" 1 "$(starts no_fail)"
check_eq "on-failure, exit 0: one run" 1 "$(starts onf_ok)"
check_eq "on-failure, exit 1, 1, then 0: three runs" 3 "$(starts onf_fail)"
check_eq "always + restart_limit 3: clean exits restarted, 4 runs" 4 "$(starts always)"
check_eq "success_exit 143: not restarted under on-failure" 1 "$(starts succ143)"
check "killed by a signal tend did not send: a failure, restarted" log_has "$(svclog fail_sig)killed by SIGKILL, restart in"
check_eq "signal death: second run" 2 "$(wc -l <"$T/sig.pids")"
check "restart = no: its exit logged" log_has "$(svclog no_fail)exited with 1"
tend_stop
check "SIGTERM shutdown: the service is stopped, not restarted" \
	log_has "$(svclog fail_sig)stopped (killed by SIGTERM)"
check_eq "SIGTERM shutdown: no third run" 2 "$(wc -l <"$T/sig.pids")"
check_eq "SIGTERM shutdown with no main: exit 0" 0 "$TEND_RC"

# --- fine print: the last run of a service decides exited/failed. Under
# always + restart_limit, runs that all exit 0 end `exited`, so with
# nothing else tend ends with 0.
: >"$LOG"
rm -f "$T"/clean.*
cat >"$T/clean.ini" <<EOT
[service:clean]
command = $T/svc.sh $T/clean 0
restart = always
restart_delay = 10ms
restart_limit = 2
EOT
tend_start "$T/clean.ini"
tend_wait 10
check_eq "always, clean exits, restart_limit 2: three runs" 3 "$(starts clean)"
check_eq "last run succeeded: the service ended 'exited', tend exits 0" 0 "$TEND_RC"

# --- backoff: 100, 200, 400, 400 (max), then a long run resets it to 100
: >"$LOG"
cat >"$T/backoff.ini" <<EOT
[service:b]
command = $T/svc.sh $T/b "1" "0 0 0 0 0.6 0 0"
restart = on-failure
restart_delay = 100ms
restart_delay_max = 400ms
restart_reset = 500ms
EOT
tend_start "$T/backoff.ini"
wait_lines 20 "$T/b.start" 7
tend_stop
mapfile -t S <"$T/b.start"
mapfile -t E <"$T/b.end"
# delay i: start i+1 - end i; expected (ms) with a 5 ms rounding allowance
# below and a generous allowance above (a loaded machine is slow, never early).
EXPECT=(100 200 400 400 100 200)
for i in 0 1 2 3 4 5; do
	d=$(( S[i+1] - E[i] ))
	exp=${EXPECT[$i]}
	check "backoff delay $((i+1)): ${d}ms, expected ${exp}ms" test "$d" -ge $((exp - 5)) -a "$d" -lt $((exp + 250))
done
check "backoff is logged with its delay" log_has "$(svclog b)exited with 1, restart in 400ms"
check "the doubling stops at restart_delay_max" sh -c "! grep -q 'restart in 800ms' '$LOG'"

# --- restart_limit within restart_window: failed; as main, tend exits with its status
: >"$LOG"
cat >"$T/limit.ini" <<EOT
[tend]
main = m
[service:m]
command = $T/svc.sh $T/m 7
restart = on-failure
restart_delay = 10ms
restart_limit = 3
restart_window = 60s
[service:bg]
command = sleep 1000
EOT
tend_start "$T/limit.ini"
tend_wait 10
check_eq "restart_limit 3: four runs" 4 "$(starts m)"
check "restart_limit: giving up logged" log_has "$(svclog m)exited with 7, giving up after 3 restarts within 1m0s"
check_eq "main failed: tend exits with its status" 7 "$TEND_RC"

# --- restart_window: restarts spread wider than the window never add up
: >"$LOG"
cat >"$T/window.ini" <<EOT
[service:w]
command = $T/svc.sh $T/w 1
restart = on-failure
restart_delay = 200ms
restart_delay_max = 200ms
restart_limit = 2
restart_window = 150ms
EOT
tend_start "$T/window.ini"
wait_lines 10 "$T/w.start" 5
check "restart_window: restarts outside the window do not count" log_lacks "giving up"
tend_stop
check_eq "window: stopped by tend, exit 0" 0 "$TEND_RC"

# --- a main service stopped by tend's shutdown is not a failure: not
# restarted; tend's status is the main service's (killed by TERM: 143),
# and a main that exits 0 on TERM gives 0.
: >"$LOG"
rm -f "$T"/mt.*
cat >"$T/mterm.ini" <<EOT
[tend]
main = mt
[service:mt]
command = sh -c 'trap "exit 0" TERM; $(stamp "$T/mt.start"); while :; do sleep 0.05; done'
restart = always
EOT
tend_start "$T/mterm.ini"
wait_file 10 "$T/mt.start"
tend_stop
check_eq "main exits 0 on SIGTERM: tend exits 0" 0 "$TEND_RC"
check_eq "main stopped by tend is not restarted (always)" 1 "$(wc -l <"$T/mt.start")"
check "stopped by tend: no restart logged" log_lacks "restart in"
