#!/bin/bash
# Orderly shutdown: stop_signal to each service's process group, SIGKILL
# at stop_timeout (a service and its grandchild ignoring SIGTERM), then the
# leftovers of the namespace get SIGTERM and SIGKILL after 2 s; a second
# SIGTERM skips every wait; exit statuses; and what the command of
# single-command mode leaves behind is ended too.
. "$TOP_SRCDIR/test/lib.sh"
need_root
tmp=$(mktmp)

# start_pid1 INI: tend as PID 1 of a new PID namespace; sets $outer and $inner.
start_pid1() {
	unshare --pid --fork --mount-proc "$TEND" -c "$1" 2>>"$tmp/log" &
	outer=$!
	cleanup "kill -KILL $outer"
	wait_until 5 sh -c "pgrep -P $outer >/dev/null" || die "tend did not start"
	inner=$(pgrep -P "$outer")
}
alive() { kill -0 "$1" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }
ms() { echo $(( $(date +%s%N) / 1000000 )); }

# A: a service ignoring TERM, and its grandchild ignoring TERM too.
cat >"$tmp/a.ini" <<INI
[tend]
control =
stop_timeout = 1s
[service:stubborn]
command = sh -c 'trap "" TERM; sleep 1000 & echo \$! > $tmp/gc.pid; while :; do sleep 0.05; done'
INI
start_pid1 "$tmp/a.ini"
wait_file 5 "$tmp/gc.pid" || die "service did not start"
# The grandchild's pid in the file is the inner namespace's: find it from outside.
hostgc=$(pgrep --ns "$inner" --nslist pid -f '^sleep 1000$' | head -1)
check "A: the grandchild is running" test -n "$hostgc"
t0=$(ms)
kill -TERM "$inner"
wait "$outer"; rc=$?
elapsed=$(( $(ms) - t0 ))
check_eq "A: orderly shutdown with no main service exits 0" 0 "$rc"
check "A: took the stop_timeout (1s), not much more ($elapsed ms)" test "$elapsed" -ge 900 -a "$elapsed" -lt 5000
check "A: the grandchild ignoring TERM is gone" sh -c "! kill -0 ${hostgc:-999999} 2>/dev/null"
check "A: the SIGKILL is logged" grep -q "stubborn: did not stop within 1s, sending SIGKILL" "$tmp/log"

# B: a second SIGTERM skips the 30 s stop_timeout.
sed 's/stop_timeout = 1s/stop_timeout = 30s/' "$tmp/a.ini" >"$tmp/b.ini"
rm -f "$tmp/gc.pid"
start_pid1 "$tmp/b.ini"
wait_file 5 "$tmp/gc.pid" || die "service did not start"
t0=$(ms)
kill -TERM "$inner"
wait_until 5 grep -q "SIGTERM: shutting down" "$tmp/log"
kill -TERM "$inner"
wait "$outer"; rc=$?
elapsed=$(( $(ms) - t0 ))
check "B: a second SIGTERM ends it at once ($elapsed ms)" test "$elapsed" -lt 5000
check_eq "B: still exit 0 (no main service)" 0 "$rc"

# C: a daemon that left its service's session and ignores TERM: as PID 1,
# tend SIGTERMs everything left, then SIGKILLs it after 2 s.
cat >"$tmp/c.ini" <<INI
[tend]
control =
[service:spawner]
command = sh -c 'setsid sh -c "trap \"\" TERM; echo \\\$\\\$ > $tmp/daemon.pid; exec sleep 1000" & exec sleep 1000'
INI
start_pid1 "$tmp/c.ini"
wait_file 5 "$tmp/daemon.pid" || die "daemon did not start"
t0=$(ms)
kill -TERM "$inner"
wait "$outer"; rc=$?
elapsed=$(( $(ms) - t0 ))
check_eq "C: exit 0" 0 "$rc"
check "C: leftovers got 2 s before SIGKILL ($elapsed ms)" test "$elapsed" -ge 1800 -a "$elapsed" -lt 6000
check "C: that is logged" grep -q "processes left after 2s, sending SIGKILL" "$tmp/log"

# D: the main service's status: 143 after an orderly stop by TERM, 137
# when a second SIGTERM had to SIGKILL it.
cat >"$tmp/d.ini" <<INI
[tend]
control =
main = app
[service:app]
command = sleep 1000
INI
start_pid1 "$tmp/d.ini"
wait_until 5 grep -q "app: ready" "$tmp/log"
kill -TERM "$inner"; wait "$outer"
check_eq "D: main stopped by TERM: 143" 143 "$?"
: >"$tmp/log"
sed 's/command = sleep 1000/command = sh -c "trap \\"\\" TERM; while :; do sleep 0.05; done"/' "$tmp/d.ini" >"$tmp/e.ini"
start_pid1 "$tmp/e.ini"
wait_until 5 grep -q "app: ready" "$tmp/log"
kill -TERM "$inner"
wait_until 5 grep -q "SIGTERM: shutting down" "$tmp/log"
kill -TERM "$inner"; wait "$outer"
check_eq "D: main SIGKILLed after a second TERM: 137" 137 "$?"

# E: single-command mode, as a subreaper: what the command left behind
# gets SIGTERM when it exits (tini leaves it to the kernel).
"$TEND" -- sh -c "sleep 1000 & echo \$! > $tmp/left.pid; exit 5" 2>/dev/null
check_eq "E: the command's status" 5 "$?"
left=$(cat "$tmp/left.pid")
check "E: its leftover is gone" sh -c "! kill -0 $left 2>/dev/null"
