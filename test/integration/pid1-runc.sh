#!/bin/bash
# tend as PID 1 of a runc container (the bundle is made here: the host's
# /usr, /bin, /lib... bind-mounted read-only, the freshly built tend): it
# starts services in dependency order, `runc kill CONTAINER TERM` stops
# them in reverse order and ends the container with tend's status, and
# runc's own /proc, /sys, /dev are left alone (mount = auto).
. "$TOP_SRCDIR/test/lib.sh"
need_root
need_cmd runc jq
tmp=$(mktmp)
name=tend-test-$TID
b=$tmp/bundle
mkdir -p "$tmp/cfg"

cat >"$tmp/cfg/tend.ini" <<'INI'
[tend]
control =
stop_timeout = 5s
[service:db]
command = sh -c 'trap "echo db-stopped >> /cfg/order; exit 0" TERM; echo db-up >> /cfg/order; while :; do sleep 0.05; done'
[service:app]
command = sh -c 'trap "echo app-stopped >> /cfg/order; exit 0" TERM; echo app-up >> /cfg/order; while :; do sleep 0.05; done'
after = db
INI

runc_host_bundle "$b" "$tmp/cfg" || die "cannot make the bundle"

runc run -b "$b" "$name" >"$tmp/out" 2>"$tmp/log" </dev/null &
rpid=$!
cleanup "runc delete -f $name"
cleanup "kill -KILL $rpid"
wait_until 20 grep -qs app-up "$tmp/cfg/order" || { cat "$tmp/log"; die "the services did not start"; }
check_eq "started in dependency order" "db-up app-up" "$(tr '\n' ' ' <"$tmp/cfg/order" | sed 's/ $//')"
check_eq "tend is PID 1" "tend" "$(runc exec "$name" cat /proc/1/comm)"
check "runc's mounts left alone (nothing mounted by tend)" sh -c "! grep -q mount '$tmp/log'"

runc kill "$name" TERM
wait "$rpid"
rc=$?
check_eq "the container ends with tend's status (no main service: 0)" 0 "$rc"
check_eq "stopped in reverse order" "db-up app-up app-stopped db-stopped" "$(tr '\n' ' ' <"$tmp/cfg/order" | sed 's/ $//')"
check "runc no longer lists it" sh -c "! runc list -q | grep -qx '$name'"
