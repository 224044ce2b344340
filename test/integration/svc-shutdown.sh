#!/bin/bash
# Orderly shutdown: services stop in reverse dependency order (times
# written by each service's TERM trap), each whole process group gets the
# stop signal, a service ignoring TERM (and its children) is SIGKILLed after
# its stop_timeout, and what escaped its group is still ended. Once as a
# subreaper, once as PID 1 of a new pid namespace.
. "$TOP_SRCDIR/test/lib.sh"
. "$TOP_SRCDIR/test/integration/svc-lib.sh"

# A service NAME: on TERM, appends "NAME TIME" to $T/order, takes 150 ms
# to finish (so an order is visible), exits 0.
svc() {
	cat <<EOT
[service:$1]
command = sh -c 'stop() { echo $1 \$\$(( \$\$(date +%s%N) / 1000000 )) >> $T/order; sleep 0.15; exit 0; }; trap stop TERM; echo >> $T/up; while :; do sleep 0.05; done'
EOT
}
{
	svc db
	svc app;   echo "after = db"
	svc front; echo "after = app"
	svc worker; echo "after = db"
	svc solo
} >"$T/order.ini"

run_order() {
	local mode=$1
	wait_lines 10 "$T/up" 5 || { fail "$mode: services did not start: $(tail -5 "$LOG")"; return; }
	tend_stop 20
	check_eq "$mode: exit 0 after an orderly shutdown" 0 "$TEND_RC"
	local names
	names=$(sort -k2,2n "$T/order" | awk '{print $1}' | xargs)
	pos() { echo "$names" | tr ' ' '\n' | grep -nx "$1" | cut -d: -f1; }
	check_eq "$mode: every service got TERM once" 5 "$(wc -l <"$T/order")"
	check "$mode: front stops before app ($names)" test "$(pos front)" -lt "$(pos app)"
	check "$mode: app stops before db ($names)" test "$(pos app)" -lt "$(pos db)"
	check "$mode: worker stops before db ($names)" test "$(pos worker)" -lt "$(pos db)"
	# app's TERM comes only once front has exited (150 ms after its own)
	local tf ta
	tf=$(awk '$1=="front" {print $2}' "$T/order"); ta=$(awk '$1=="app" {print $2}' "$T/order")
	check "$mode: app waited for front to end ($((ta - tf)) ms)" test $((ta - tf)) -ge 140
	# independent ones stop together, in the first wave
	local ts
	ts=$(awk '$1=="solo" {print $2}' "$T/order")
	check "$mode: solo stops with the first wave" test $((ts - tf)) -lt 140 -a $((tf - ts)) -lt 140
}

rm -f "$T/order" "$T/up"
tend_start "$T/order.ini"
run_order subreaper

if command -v unshare >/dev/null && [ "$(id -u)" = 0 ]; then
	: >"$LOG"
	rm -f "$T/order" "$T/up"
	tend_start_pid1 "$T/order.ini"
	check_eq "pid1: tend is PID 1 of its namespace" 1 "$(awk '/^NSpid:/ {print $3}' "/proc/$TEND_SIG_PID/status")"
	run_order pid1
fi

# Whole process group, stop_timeout, SIGKILL, and an escaped process.
: >"$LOG"
cat >"$T/kill.ini" <<EOT
[service:group]
command = sh -c 'sleep 1000 & echo \$\$! > $T/group.child; wait'

[service:stubborn]
command = sh -c 'trap "" TERM; sleep 1000 & echo \$\$! > $T/stubborn.child; echo \$\$\$\$ > $T/stubborn.pid; while :; do sleep 0.05; done'
stop_timeout = 700ms

[service:escaper]
command = sh -c 'setsid sleep 1000 & echo \$\$! > $T/escaped.pid; exec sleep 1000'
EOT
tend_start "$T/kill.ini"
wait_file 10 "$T/group.child"
wait_file 10 "$T/stubborn.child"
wait_file 10 "$T/stubborn.pid"
wait_file 10 "$T/escaped.pid"
G=$(cat "$T/group.child"); SC=$(cat "$T/stubborn.child"); SP=$(cat "$T/stubborn.pid"); EP=$(cat "$T/escaped.pid")
wait_until 5 grep -qx sleep "/proc/$EP/comm"
check "escaped process runs in a session of its own" \
	test "$(awk '{sub(/.*\) /,""); print $4}' "/proc/$EP/stat")" = "$EP"
T0=$(now_ms)
kill -TERM "$TEND_PID"
wait_log 10 "$(svclog group)stopped"
check "group: its child is gone with it" proc_ended "$G"
check "stubborn: still alive before stop_timeout" test ! "$(proc_ended "$SP" && echo dead)"
tend_wait 10
T1=$(now_ms)
check "stubborn: SIGKILL after stop_timeout logged" log_has "$(svclog stubborn)did not stop within 700ms, sending SIGKILL"
check "stubborn: shutdown took at least stop_timeout ($((T1 - T0)) ms)" test $((T1 - T0)) -ge 700
check "stubborn: shutdown did not wait much longer ($((T1 - T0)) ms)" test $((T1 - T0)) -lt 5000
check "stubborn: the service is gone" proc_ended "$SP"
check "stubborn: its child (ignoring TERM too) is gone" proc_ended "$SC"
check "escaped: the process that left the group is gone too" proc_ended "$EP"
check_eq "exit 0 (no main)" 0 "$TEND_RC"

# A second SIGTERM skips the wait: SIGKILL at once.
: >"$LOG"
rm -f "$T/stubborn.pid"
cat >"$T/kill2.ini" <<EOT
[service:stubborn]
command = sh -c 'trap "" TERM; echo \$\$\$\$ > $T/stubborn.pid; while :; do sleep 0.05; done'
stop_timeout = 30s
EOT
tend_start "$T/kill2.ini"
wait_file 10 "$T/stubborn.pid"
kill -TERM "$TEND_PID"
wait_log 5 "shutting down"
T0=$(now_ms)
kill -TERM "$TEND_PID"
tend_wait 10
T1=$(now_ms)
check "second SIGTERM: ended at once ($((T1 - T0)) ms), not after 30 s" test $((T1 - T0)) -lt 3000
check_eq "second SIGTERM: exit 0 (no main)" 0 "$TEND_RC"

# A main service that ignores TERM is SIGKILLed after its stop_timeout:
# tend's status is then 137, as the main service's own.
: >"$LOG"
rm -f "$T/stubborn.pid"
cat >"$T/kill3.ini" <<EOT
[tend]
main = m
[service:m]
command = sh -c 'trap "" TERM; echo \$\$\$\$ > $T/stubborn.pid; while :; do sleep 0.05; done'
stop_timeout = 300ms
EOT
tend_start "$T/kill3.ini"
wait_file 10 "$T/stubborn.pid"
tend_stop
check_eq "main SIGKILLed after stop_timeout: tend exits 137" 137 "$TEND_RC"
