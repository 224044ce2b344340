#!/bin/bash
# (r2) every = DURATION on a oneshot: run again DURATION after each start
# (starts timestamped by the service), never while it runs (a run longer
# than the period starts the next one when it ends, never two at once);
# between runs tend is idle: strace sees no system call; tendctl stop
# calls the next run off; a oneshot alone with `every` keeps tend up.
# `every` on a simple service is a configuration error.
. "$TOP_SRCDIR/test/lib.sh"
need_cmd strace
. "$TOP_SRCDIR/test/integration/ctl-lib.sh"

cat >"$T/tend.ini" <<EOT
[tend]
control = $SOCK

[service:tick]
type = oneshot
command = sh -c '$(stamp "$T/tick")'
every = 3s

[service:slow]
type = oneshot
command = sh -c 'echo "start \$(date +%s%N)" >>$T/slow; sleep 1.5; echo "end \$(date +%s%N)" >>$T/slow'
every = 1s
EOT
tend_start "$T/tend.ini"
ctl_up 10 || die "no control socket: $(cat "$LOG")"
wait_lines 10 "$T/tick" 1 || die "tick did not run: $(cat "$LOG")"
# Between tick's runs (3 s apart): tend is idle. slow runs all the time,
# so watch a tend with only tick for that (below); here the periods.
wait_lines 15 "$T/tick" 3 || fail "tick ran fewer than 3 times in 15 s"
read -r t1 t2 t3 < <(head -3 "$T/tick" | paste -sd' ')
check "tick: 3 s between starts (1st to 2nd: $((t2 - t1)) ms)" test $((t2 - t1)) -ge 2900 -a $((t2 - t1)) -le 3600
check "tick: 3 s between starts (2nd to 3rd: $((t3 - t2)) ms)" test $((t3 - t2)) -ge 2900 -a $((t3 - t2)) -le 3600
check_eq "tick is exited between runs" exited "$(svc_state tick)"
wait_until 10 _has_lines "$T/slow" 6
check_eq "slow: never two runs at once (start/end alternate)" "start end start end start end" \
	"$(head -6 "$T/slow" | cut -d' ' -f1 | paste -sd' ')"
check_eq "tendctl stop calls the next run off: 0" 0 "$(ctl_rc stop tick)"
check_eq "... tick stopped" stopped "$(svc_state tick)"
n=$(wc -l <"$T/tick")
sleep 3.5 # the period that would have started it again
check_eq "... and it did not run again" "$n" "$(wc -l <"$T/tick")"
tend_stop
check_eq "tend exits 0" 0 "$TEND_RC"

# Idle between runs: a tend whose only service is a oneshot with every.
: >"$LOG"
cat >"$T/idle.ini" <<EOT
[service:tick]
type = oneshot
command = sh -c '$(stamp "$T/idle")'
every = 4s
EOT
tend_start "$T/idle.ini"
wait_lines 10 "$T/idle" 1 || die "tick did not run: $(cat "$LOG")"
wait_until 5 log_has "tick: exited with 0"
sleep 0.3
timeout -s INT 2 strace -f -c -p "$TEND_PID" -o "$T/strace" 2>/dev/null
calls=$(awk '$NF != "total" && $4 ~ /^[0-9]+$/ && $NF != "restart_syscall" {n += $4} END {print n + 0}' "$T/strace")
check_eq "no system call between runs (2 s under strace)" 0 "$calls"
check "tend is still up (a run is due)" test -e "/proc/$TEND_PID"
wait_lines 10 "$T/idle" 2
check "the next run came" _has_lines "$T/idle" 2
tend_stop
check_eq "shutdown while a run is due: 0" 0 "$TEND_RC"
