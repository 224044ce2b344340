#!/bin/bash
# An exec: probe runs as its service does: the service's user, its
# capabilities and nothing more, no_new_privs, its directory. Without that
# it would run as tend, root with every capability.
. "$TOP_SRCDIR/test/lib.sh"
need_root
tmp=$(mktmp)
chmod 1777 "$tmp"
mkdir -m 0755 "$tmp/dir"

cat >"$tmp/tend.ini" <<INI
[tend]
control =
[service:web]
command = sleep 1000
user = 65534
capabilities = NET_BIND_SERVICE
directory = $tmp/dir
health = exec:sh -c 'grep -E "^(Uid|CapEff|CapBnd|NoNewPrivs):" /proc/self/status >$tmp/probe.status; pwd >>$tmp/probe.status'
health_interval = 100ms
INI
"$TEND" -c "$tmp/tend.ini" 2>"$tmp/log" &
tpid=$!
cleanup "kill -TERM $tpid; wait $tpid"
wait_file 10 "$tmp/probe.status" || die "the probe never ran: $(cat "$tmp/log")"
wait_until 5 grep -q '^/' "$tmp/probe.status"
st() { awk -v k="$1:" '$1==k { print $2 }' "$tmp/probe.status"; }
check_eq "the probe runs as the service's user" 65534 "$(st Uid)"
check_eq "with the service's capabilities only (NET_BIND_SERVICE)" 0000000000000400 "$(st CapEff)"
check_eq "its bounding set too" 0000000000000400 "$(st CapBnd)"
check_eq "no_new_privs" 1 "$(st NoNewPrivs)"
check_eq "in the service's directory" "$tmp/dir" "$(tail -n 1 "$tmp/probe.status")"
