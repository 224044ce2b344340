#!/bin/bash
# stdout = tagged under back-pressure: tend's stdout is a FIFO whose reader
# does not read at first. A service writing as fast as it can (`yes`) and a
# counter (`seq`) are slowed down, not lost: meanwhile another service's
# health probe keeps running, a crash-looping service keeps restarting,
# and tend's memory stays bounded. Then the reader drains everything: every
# line whole, prefixed, the counter complete and in order. A reader that
# goes away does not kill or stall tend either.
. "$TOP_SRCDIR/test/lib.sh"
need_cmd /usr/bin/python3 yes seq
. "$TOP_SRCDIR/test/integration/svc-lib.sh"

N=300000
mkfifo "$T/fifo"
# The reader: opens the FIFO at once, reads nothing until $T/go exists,
# then copies everything to $T/got.
/usr/bin/python3 - "$T/fifo" "$T/go" "$T/got" <<'EOT' &
import os, sys, time
f = os.open(sys.argv[1], os.O_RDONLY)
while not os.path.exists(sys.argv[2]):
    time.sleep(0.02)
with open(sys.argv[3], "wb") as out:
    while True:
        b = os.read(f, 65536)
        if not b:
            break
        out.write(b)
        out.flush()
EOT
RPID=$!
cleanup "kill -KILL $RPID"

cat >"$T/tend.ini" <<EOT
[service:yes]
command = yes
stdout = tagged

[service:seq]
command = seq $N
stdout = tagged
restart = no

[service:web]
command = sleep 1000
health = exec:sh -c 'echo >> $T/probes'
health_interval = 50ms

[service:crash]
command = sh -c '$(stamp "$T/crash.start"); exit 1'
restart = always
restart_delay = 50ms
restart_delay_max = 50ms
EOT
OUT=$T/fifo tend_start "$T/tend.ini"
wait_log 10 "$(svclog yes)started"
wait_lines 10 "$T/probes" 1
RSS0=$(rss_kb "$TEND_PID")
P0=$(wc -l <"$T/probes"); C0=$(wc -l <"$T/crash.start")
# While nobody reads tend's stdout: probes and restarts go on.
wait_lines 20 "$T/probes" $((P0 + 20)) || fail "health probes stalled while stdout is blocked"
wait_lines 20 "$T/crash.start" $((C0 + 10)) || fail "restarts stalled while stdout is blocked"
check "stdout blocked: health probes still run ($(( $(wc -l <"$T/probes") - P0 )) more)" \
	test "$(wc -l <"$T/probes")" -ge $((P0 + 20))
check "stdout blocked: a crash-looping service still restarts" test "$(wc -l <"$T/crash.start")" -ge $((C0 + 10))
YPID=$(ps -o pid=,comm= --ppid "$TEND_PID" | awk '$2=="yes" {print $1}')
wait_until 5 grep -qE "^(anon_)?pipe_write$" "/proc/$YPID/wchan"
check "stdout blocked: yes sleeps in a write to its full pipe" grep -qE "^(anon_)?pipe_write$" "/proc/$YPID/wchan"
# tend writes its stdout through a description of its own: the one it
# shares with its parent and with services (web: stdout = inherit) is not
# made non-blocking under them.
WPID=$(ps -o pid=,comm= --ppid "$TEND_PID" | awk '$2=="sleep" {print $1}')
fl=$(awk '$1 == "flags:" {print $2}' "/proc/$WPID/fdinfo/1")
check "the stdout web inherits is not O_NONBLOCK (flags $fl)" test $((8#$fl & 04000)) = 0
RSS1=$(rss_kb "$TEND_PID")
check "stdout blocked: tend's RSS bounded (${RSS0} -> ${RSS1} KiB)" test $((RSS1 - RSS0)) -lt 20480
check "stdout blocked: the counter has not finished (it is held back too)" log_lacks "$(svclog seq)exited"

# Let the reader go.
: >"$T/go"
wait_log 60 "$(svclog seq)exited with 0" || fail "seq did not finish once stdout was read"
wait_until 30 grep -q "^seq: $N\$" "$T/got" || fail "the counter's last line never arrived"
RSS2=$(rss_kb "$TEND_PID")
check "draining: tend's RSS still bounded (${RSS2} KiB)" test $((RSS2 - RSS0)) -lt 20480
kill -TERM "$TEND_PID"
wait_until 20 proc_ended "$RPID"
tend_wait 10
check_eq "tend exits 0" 0 "$TEND_RC"
grep '^seq: ' "$T/got" | cut -c6- >"$T/seq.got"
seq "$N" >"$T/seq.want"
check "the counter arrived whole and in order (no loss)" cmp -s "$T/seq.want" "$T/seq.got"
check_eq "every yes line is whole and tagged" 0 "$(grep '^yes: ' "$T/got" | grep -cvx 'yes: y')"
# Also what tend relays from a pipe at the very end (output_free, at
# shutdown: the rest of yes's pipe) must be split into tagged lines.
check_eq "no line without a service prefix" 0 "$(grep -cv '^\(yes\|seq\): ' "$T/got")"
check "tend's own log stays on stderr" log_has "$(svclog web)started"

# The reader goes away: tend is neither killed (SIGPIPE) nor stalled.
: >"$LOG"
rm -f "$T/crash.start"
cat >"$T/gone.ini" <<EOT
[service:yes]
command = yes
stdout = tagged
[service:crash]
command = sh -c '$(stamp "$T/crash.start"); exit 1'
restart = always
restart_delay = 50ms
restart_delay_max = 50ms
EOT
/usr/bin/python3 -c 'import os,sys; f=os.open(sys.argv[1], os.O_RDONLY); os.read(f, 100000)' "$T/fifo" &
R2=$!
cleanup "kill -KILL $R2"
OUT=$T/fifo tend_start "$T/gone.ini"
wait "$R2"
wait_lines 10 "$T/crash.start" 10 || fail "tend stalled after its stdout reader left"
check "reader gone: tend still alive" test ! "$(proc_ended "$TEND_PID" && echo dead)"
tend_stop
check_eq "reader gone: orderly exit 0" 0 "$TEND_RC"
