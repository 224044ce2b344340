#!/bin/bash
# [network] without CAP_NET_ADMIN: tend exits 70 and says that the bundle
# must grant CAP_NET_ADMIN to tend.
. "$TOP_SRCDIR/test/lib.sh"
. "$TOP_SRCDIR/test/integration/net-lib.sh"
need_cmd setpriv

cat >"$NET_TMP/tend.ini" <<'EOF2'
[network]
interface = ceth0
wait = 1s
address = 172.20.0.5/24

[service:x]
command = sleep 1000
EOF2

NET_WRAP=(setpriv --bounding-set=-net_admin --inh-caps=-net_admin)
net_start "$NET_TMP/tend.ini"
net_wait
check_eq "exit status" 70 "$NET_RC"
check "names the missing capability" grep -q "CAP_NET_ADMIN" "$NET_TMP/err"
check "says the bundle must grant it" grep -q "must grant CAP_NET_ADMIN to tend" "$NET_TMP/err"
check "says what failed" grep -q "unable to bring 'lo' up: Operation not permitted" "$NET_TMP/err"
