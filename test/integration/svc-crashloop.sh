#!/bin/bash
# A crash loop of 10,000 restarts with restart_delay = 0 (restart = always,
# restart_limit = 10000 so that it ends by itself): afterwards tend has the
# same open fds and about the same RSS as before the loop began. The loop
# starts only when the test opens a gate (a oneshot it is `after`), so the
# "before" is measured on a quiet tend. SVC_CRASH_RESTARTS overrides the
# count.
. "$TOP_SRCDIR/test/lib.sh"
. "$TOP_SRCDIR/test/integration/svc-lib.sh"

N=${SVC_CRASH_RESTARTS:-10000}
STAMP=$TOP_BUILDDIR/test/helpers/svc-stamp
[ -x "$STAMP" ] || STAMP=$(command -v true)

cat >"$T/tend.ini" <<EOT
[service:gate]
type = oneshot
command = sh -c 'while [ ! -e $T/gate ]; do sleep 0.02; done'

[service:crash]
command = $STAMP
restart = always
restart_delay = 0
restart_limit = $N
restart_window = 1h
after = gate

[service:steady]
command = sleep 1000
EOT
tend_start "$T/tend.ini"
wait_log 10 "$(svclog steady)ready"
wait_log 10 "$(svclog gate)started"
FD0=$(fd_count "$TEND_PID"); RSS0=$(rss_kb "$TEND_PID")
ls -l "/proc/$TEND_PID/fd" >"$T/fd0"
T0=$(now_ms)
: >"$T/gate"
wait_log 600 "$(svclog crash)exited with 0, giving up after $N restarts" ||
	fail "the crash loop did not end: $(tail -3 "$LOG")"
T1=$(now_ms)
echo "# $N restarts in $((T1 - T0)) ms"
FD1=$(fd_count "$TEND_PID"); RSS1=$(rss_kb "$TEND_PID")
check_eq "$N restarts logged" "$N" "$(log_count "$(svclog crash)exited with 0, restart in 0ms")"
check_eq "tend's open fds after the loop are those before ($FD0)" "$FD0" "$FD1" ||
	diff "$T/fd0" <(ls -l "/proc/$TEND_PID/fd")
check "tend's RSS after the loop within 1 MiB of before (${RSS0} -> ${RSS1} KiB)" \
	test $((RSS1 - RSS0)) -lt 1024
check "no zombie left" sh -c "! ps -o stat= --ppid $TEND_PID | grep -q Z"
check "tend still answers: steady is still there" test "$(ps -o pid= --ppid "$TEND_PID" | wc -l)" -ge 1
tend_stop
# SIGTERM with no main: 0 (an orderly shutdown), whatever state crash is in.
check_eq "orderly exit: 0" 0 "$TEND_RC"
