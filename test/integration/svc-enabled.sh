#!/bin/bash
# (r2) enabled = no: the service is not started with the others; status
# says `disabled` (tendctl status, --json, /status, the /metrics state
# label); `tendctl start NAME` starts it; a reload keeps a disabled one
# disabled, also when it changed; restart does not start it; tend with
# only it ended well exits 0.
. "$TOP_SRCDIR/test/lib.sh"
. "$TOP_SRCDIR/test/integration/ctl-lib.sh"

PORT=$(free_port)
write_ini() {
	cat >"$T/tend.ini" <<EOT
[tend]
control = $SOCK
http = 127.0.0.1:$PORT

[service:on]
command = sh -c 'echo \$\$\$\$ >$T/on.pid; exec sleep 1000'

[service:off]
command = sh -c 'echo \$\$\$\$ >$T/off.pid; exec sleep 1000'
enabled = no

[service:later]
command = sh -c 'echo \$\$\$\$ >$T/later.pid; exec sleep $1'
enabled = no
EOT
}
write_ini 1000
tend_start "$T/tend.ini"
ctl_up 10 || die "no control socket: $(cat "$LOG")"
wait_file 10 "$T/on.pid" || die "on did not start: $(cat "$LOG")"
wait_until 5 state_is on ready

check_eq "json: off is disabled" disabled "$(svc_state off)"
check "table: off disabled" sh -c "'$TENDCTL' -s '$SOCK' status off | grep -Eq '^off +disabled'"
check_eq "/status: disabled" disabled "$(http_body /status | jq -r '.services[] | select(.name=="off") | .state')"
check "/metrics: the disabled label is 1" sh -c "curl -s -m 5 http://127.0.0.1:$PORT/metrics | grep -q 'service=\"off\",state=\"disabled\"} 1'"
check "off was not started" test ! -e "$T/off.pid"
check_eq "/ready (no main): 200, a disabled service is not waited for" 200 "$(http_code /ready)"
check_eq "restart does not start it: 0" 0 "$(ctl_rc restart off)"
check_eq "... still disabled" disabled "$(svc_state off)"
check_eq "reload (unchanged): 0" 0 "$(ctl_rc reload)"
write_ini 999
check_eq "reload (later changed): 0" 0 "$(ctl_rc reload)"
check_eq "after reloads: off still disabled" disabled "$(svc_state off)"
check_eq "after reloads: later still disabled" disabled "$(svc_state later)"
check_eq "start off: 0" 0 "$(ctl_rc start off)"
check "off started by tendctl start" wait_file 10 "$T/off.pid"
check "... and is ready" wait_until 5 state_is off ready
check "later never started" test ! -e "$T/later.pid"
tend_stop
check_eq "tend exits 0" 0 "$TEND_RC"

# Only a disabled service left besides one that ended well: exit 0.
cat >"$T/end.ini" <<EOT
[service:job]
type = oneshot
command = true
restart = no

[service:off]
command = sleep 1000
enabled = no
EOT
tend_start "$T/end.ini"
tend_wait 10
check_eq "a disabled service does not make the end a failure: 0" 0 "$TEND_RC"
