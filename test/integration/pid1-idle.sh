#!/bin/bash
# Idle is idle: with nothing to do (no probes), tend makes no system call
# and takes no wake-up. Observed from outside over 5 s: the context-switch
# counters of /proc/PID/status do not move, and strace sees nothing.
# (tend keeps a periodic watcher far in the future so that libev does not
# cap its wait at 59.7 s, its MAX_BLOCKTIME.)
. "$TOP_SRCDIR/test/lib.sh"
need_root
need_cmd strace
tmp=$(mktmp)

cat >"$tmp/tend.ini" <<INI
[tend]
control = $tmp/tend.sock
[service:a]
command = sleep 1000
[service:b]
command = sleep 1000
after = a
restart = always
INI
"$TEND" -c "$tmp/tend.ini" 2>"$tmp/log" &
tpid=$!
cleanup "kill -TERM $tpid; wait $tpid"
wait_until 10 grep -q "b: ready" "$tmp/log" || die "tend did not start its services"
# Let the start-up settle: wait until the counters stop moving.
ctx() { awk '/ctxt_switches/ {s += $2} END {print s}' "/proc/$tpid/status"; }
wait_until 5 sh -c "a=\$(awk '/ctxt_switches/ {s += \$2} END {print s}' /proc/$tpid/status); sleep 0.2; b=\$(awk '/ctxt_switches/ {s += \$2} END {print s}' /proc/$tpid/status); [ \"\$a\" = \"\$b\" ]"
before=$(ctx)
# A wait on nothing: the point is that time passes while we watch.
timeout 5 tail -f /dev/null
after=$(ctx)
check_eq "no wake-up in 5 s (context switches)" "$before" "$after"

timeout -s INT 5 strace -f -c -p "$tpid" -o "$tmp/strace" 2>/dev/null
calls=$(awk '$NF != "total" && $4 ~ /^[0-9]+$/ && $NF != "restart_syscall" {n += $4} END {print n + 0}' "$tmp/strace")
cat "$tmp/strace"
check_eq "no system call in 5 s under strace" 0 "$calls"
