#!/bin/bash
# [network] with no interface: only lo is brought up, and dns/hosts are
# still written.
. "$TOP_SRCDIR/test/lib.sh"
. "$TOP_SRCDIR/test/integration/net-lib.sh"

cat >"$NET_TMP/tend.ini" <<'EOF2'
[network]
dns = 9.9.9.9
hosts = db=10.0.0.10

[service:x]
command = sleep 1000
EOF2

# A line a previous tend wrote (same rootfs, tend restarted) is replaced,
# not repeated.
printf '10.9.9.9\tdb\t# tend\n' >>"$NET_ETC/hosts"

net_start "$NET_TMP/tend.ini"
[ -n "$NET_PID" ] || die "the subject ended at once: $(cat "$NET_TMP/err")"
net_ready 5 || die "network not ready: $(cat "$NET_TMP/err")"
check_eq "lo up" "UP" "$(cip -j link show lo | jq -r '.[0].flags | index("UP") | if . then "UP" else "DOWN" end')"
check_eq "lo has 127.0.0.1" "127.0.0.1" "$(cip -j addr show lo | jq -r '.[0].addr_info[] | select(.family=="inet") | .local')"
check_eq "only lo" "lo" "$(cip -j link show | jq -r '.[].ifname' | tr '\n' ' ' | sed 's/ $//')"
check_eq "resolv.conf" "nameserver 9.9.9.9" "$(grep '^nameserver' "$NET_TMP/resolv.conf")"
check_eq "hosts: db" "10.0.0.10" "$(awk '$2=="db" {print $1}' "$NET_ETC/hosts")"
check "hosts: foreign kept" grep -q 'foreign.example' "$NET_ETC/hosts"
check_eq "hosts: our old line replaced" "1" "$(grep -c 'db' "$NET_ETC/hosts")"
