#!/bin/bash
# audit-secrets: "Secrets (environment values) never appear in logs"
# (section 1), including the error messages about a malformed `env` line
# (at start, under --check, and in the log of a failed reload), and the
# reload of a changed value. Also: services and probes never see tend's
# own NOTIFY_SOCKET (the single-command mode's command included).
. "$TOP_SRCDIR/test/lib.sh"
. "$TOP_SRCDIR/test/integration/ctl-lib.sh"

S1=topsecret1$TID
S2=topsecret2$TID
S3=topsecret3$TID

# --- a malformed env line: the error names the line, not the value.
cat >"$T/bad.ini" <<EOT
[tend]
control =
[service:x]
command = true
env = 1DB_PASSWORD=$S1
env = DB PASSWORD=$S2
EOT
"$TEND" --check -c "$T/bad.ini" 2>"$T/err"
check_eq "--check, malformed env: 78" 78 "$?"
check "--check, malformed env: FILE:LINE named" grep -q "^$T/bad.ini:5: " "$T/err"
check "--check, malformed env: the value is not printed" sh -c "! grep -q -e '$S1' -e '$S2' '$T/err'"
"$TEND" -c "$T/bad.ini" 2>"$T/err"
check_eq "run, malformed env: 78" 78 "$?"
check "run, malformed env: the value is not printed" sh -c "! grep -q -e '$S1' -e '$S2' '$T/err'"

# --- reload: a changed value, then a malformed one; tend's log (at -v)
# never shows a value.
cat >"$T/tend.ini" <<EOT
[tend]
control = $SOCK
[service:web]
command = sleep 60
env = DB_PASSWORD=$S1
EOT
tend_start "$T/tend.ini" -v
ctl_up 10 && wait_until 10 state_is web ready || fail "web did not start: $(tail -3 "$LOG")"
sed -i "s/=$S1\$/=$S2/" "$T/tend.ini"
check_eq "reload, changed value: 0" 0 "$(ctl_rc reload)"
check "reload, changed value: web restarted" wait_log 10 "'web' changed"
echo "env = 1DB_PASSWORD=$S3" >>"$T/tend.ini"
check_eq "reload, malformed env: refused (1)" 1 "$(ctl_rc reload)"
check "reload, malformed env: the error is logged" wait_log 5 "tend.ini:6: "
tend_stop
check "the log is not empty" test -s "$LOG"
check "reload of a changed value: no value in tend's log" sh -c "! grep -q -e '$S1' -e '$S2' '$LOG'"
check "failed reload (malformed env): no value in tend's log" sh -c "! grep -q -e '$S3' '$LOG'"
check "reload: no value on tend's stdout" sh -c "! grep -q -e '$S1' -e '$S2' -e '$S3' '$OUT'"

# --- NOTIFY_SOCKET: tend's own is for tend alone.
: >"$LOG"
cat >"$T/n.ini" <<EOT
[tend]
control =
[service:x]
command = sh -c 'cat /proc/self/environ >$T/x.env; exec sleep 60'
ready = exec:sh -c 'env >$T/probe.env'
[service:n]
command = sh -c 'echo "\$\$NOTIFY_SOCKET" >$T/n.sock; exec sleep 60'
ready = notify
EOT
TEND_ENV=(NOTIFY_SOCKET=$T/upward.sock)
tend_start "$T/n.ini"
wait_file 10 "$T/x.env" && wait_file 10 "$T/probe.env" && wait_file 10 "$T/n.sock" ||
	fail "services did not start: $(tail -3 "$LOG")"
check "service: no NOTIFY_SOCKET of tend's" sh -c "! tr '\\0' '\\n' <'$T/x.env' | grep -q '^NOTIFY_SOCKET='"
check "exec probe: no NOTIFY_SOCKET of tend's" sh -c "! grep -q '^NOTIFY_SOCKET=' '$T/probe.env'"
check "ready = notify: a socket of its own" test -s "$T/n.sock"
check "ready = notify: not tend's" test "$(cat "$T/n.sock")" != "$T/upward.sock"
tend_stop
TEND_ENV=()
out=$(NOTIFY_SOCKET=$T/upward.sock "$TEND" -- sh -c 'echo "ns=${NOTIFY_SOCKET-unset}"')
check_eq "single-command mode: the command does not see tend's NOTIFY_SOCKET" "ns=unset" "$out"
