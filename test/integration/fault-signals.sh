#!/usr/bin/env bash
# A storm of signals (a million USR1/USR2/HUP/WINCH/CHLD over 10 s) on tend
# as PID 1 while its services crash and restart with no delay: tend keeps
# supervising (services still restart), its memory stays flat, and the
# SIGTERM sent at the end of the storm is not lost: tend shuts down in order
# with 0 (contract: SIGTERM ends config mode with the main service's status).
. "$TOP_SRCDIR/test/lib.sh"
. "$TOP_SRCDIR/test/integration/svc-lib.sh"
need_root
need_cmd unshare
storm="$TOP_BUILDDIR/test/tools/sigstorm"
[ -x "$storm" ] || skip "needs $storm (make check builds it)"
# ASan keeps freed memory in quarantine (256 MiB by default), which would
# look like growth: measure tend's own memory, not the sanitizer's.
export ASAN_OPTIONS="$ASAN_OPTIONS:quarantine_size_mb=0:malloc_context_size=0"

# The services ignore the forwarded signals they would otherwise die of
# (USR1, USR2) only half of the time: `crash` dies on them, `steady` traps
# them; both count their starts.
cat >"$T/tend.ini" <<INI
[service:crash]
command = sh -c 'echo x >> $T/crash.starts; sleep 0.05; exit 1'
restart = always
restart_delay = 0

[service:steady]
command = sh -c 'trap "" USR1 USR2 HUP WINCH; echo x >> $T/steady.starts; while :; do sleep 1; done'
restart = always
restart_delay = 0
INI

tend_start_pid1 "$T/tend.ini" || die "tend did not start"
wait_lines 10 "$T/steady.starts" 1 || die "steady did not start"
wait_lines 10 "$T/crash.starts" 3 || die "crash is not restarting"

# Memory after a first second of storm, and at its end.
"$storm" "$TEND_SIG_PID" 10 1000000 >"$T/sent" &
storm_pid=$!
cleanup "kill -KILL $storm_pid"
sleep 1.5 # let the storm reach its pace before the first measure
rss0=$(rss_kb "$TEND_SIG_PID")
fd0=$(fd_count "$TEND_SIG_PID")
starts0=$(wc -l <"$T/crash.starts")
wait "$storm_pid"; src=$?
check_eq "the storm did not end tend" 0 "$src"
sent=$(cat "$T/sent")
check "at least 500,000 signals were delivered in 10 s (sent $sent)" [ "$sent" -ge 500000 ]
rss1=$(rss_kb "$TEND_SIG_PID")
fd1=$(fd_count "$TEND_SIG_PID")
starts1=$(wc -l <"$T/crash.starts")
check "services kept restarting during the storm ($starts0 -> $starts1 starts)" [ "$starts1" -gt $((starts0 + 10)) ]
check "tend's memory stayed flat (VmRSS $rss0 -> $rss1 KiB)" [ "$rss1" -le $((rss0 + 2048)) ]
# A service being started holds a pipe or two for a moment: a leak would
# grow with the hundreds of restarts, not by two.
check "tend's open fds stayed flat ($fd0 -> $fd1)" [ "$fd1" -le $((fd0 + 2)) ]
check_eq "steady was never restarted" 1 "$(wc -l <"$T/steady.starts")"

# The SIGTERM right behind the storm is not lost.
kill -TERM "$TEND_SIG_PID"
if tend_wait 20; then
	check_eq "SIGTERM after the storm ends tend with 0" 0 "$TEND_RC"
else
	fail "tend did not end after SIGTERM"
fi
check "no sanitizer report" log_lacks 'ERROR: AddressSanitizer\|runtime error'
