#!/bin/bash
# "No service left running": decided once. A oneshot fails; the service
# `after` it is held back, which leaves nothing running. tend says so once,
# shuts down in order (the `drain` is waited, not skipped as by a second
# shutdown request) and exits 1.
. "$TOP_SRCDIR/test/lib.sh"
. "$TOP_SRCDIR/test/integration/svc-lib.sh"

cat >"$T/tend.ini" <<EOF2
[tend]
drain = 1s

[service:setup]
type = oneshot
command = false
restart = no

[service:app]
command = sleep 1000
after = setup
EOF2
t0=$(date +%s%N)
tend_start "$T/tend.ini"
tend_wait 10
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check_eq "exit 1 (a service failed)" 1 "$TEND_RC"
check "app held back" log_has "$(svclog app)not started: 'setup' failed"
check_eq "said once" 1 "$(log_count 'no service left running, shutting down')"
check "the drain was waited (${ms}ms)" test "$ms" -ge 950
check "no sanitizer report" log_lacks "Sanitizer"
[ "$_failed" = 0 ] || sed 's/^/#   /' "$LOG"
