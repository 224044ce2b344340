#!/bin/bash
# [network]: an interface that never appears ends tend with 70 once `wait`
# has run out (not before, and not long after), naming the interface and
# the wait.
. "$TOP_SRCDIR/test/lib.sh"
. "$TOP_SRCDIR/test/integration/net-lib.sh"

cat >"$NET_TMP/tend.ini" <<'EOF2'
[network]
interface = never0
wait = 1s
address = 172.20.0.5/24

[service:x]
command = sleep 1000
EOF2

t0=$(date +%s%N)
net_start "$NET_TMP/tend.ini"
net_wait
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check_eq "exit status" 70 "$NET_RC"
check "not before the wait ran out (${ms}ms)" test "$ms" -ge 950
check "soon after the wait ran out (${ms}ms)" test "$ms" -le 3000
check "says which interface and how long" grep -q "interface 'never0' did not appear within 1s" "$NET_TMP/err"
check "not ready" bash -c "! grep -q 'network ready' '$NET_TMP/err'"
