#!/bin/bash
# Reload through `tendctl reload` and SIGHUP: an invalid file changes
# nothing (same pids) and its errors come back to tendctl (exit 1); a valid
# one starts the added services, stops the removed ones, restarts the
# changed ones and leaves the others alone (same pids); changes to [tend]
# are reported as needing a restart.
. "$TOP_SRCDIR/test/lib.sh"
. "$TOP_SRCDIR/test/integration/ctl-lib.sh"

write_ini() { # write_ini [tend lines] -- then the services, NAME=COMMAND
	{
		echo "[tend]"
		echo "control = $SOCK"
		while [ $# -gt 0 ] && [ "$1" != -- ]; do echo "$1"; shift; done
		[ $# -gt 0 ] && shift
		for s in "$@"; do printf '[service:%s]\ncommand = %s\n' "${s%%=*}" "${s#*=}"; done
	} >"$T/tend.ini"
}
pids() { ctl status --json | jq -r '[.services[] | "\(.name)=\(.pid)"] | join(" ")'; }
all_ready() { [ "$(ctl status --json | jq '[.services[] | select(.state != "ready")] | length')" = 0 ]; }

write_ini -- a="sleep 1000" b="sleep 1001" c="sleep 1002"
tend_start "$T/tend.ini"
ctl_up 10 || die "the control socket does not answer; log: $(cat "$LOG")"
wait_until 10 all_ready || die "services not ready"
before=$(pids)
pa=$(svc_pid_of a); pb=$(svc_pid_of b); pc=$(svc_pid_of c)

# 1. An invalid file: nothing changes, the errors come back.
cp "$T/tend.ini" "$T/good.ini"
printf '[service:d]\ncommand = sleep 1003\nrestart = sometimes\nbogus = 1\n' >>"$T/tend.ini"
err=$(ctl reload 2>&1); rc=$?
check_eq "invalid file: exit 1" 1 "$rc"
check "invalid file: the errors, FILE:LINE" grep -q "^$T/tend.ini:[0-9]*: .*restart" <<<"$err"
check "invalid file: every error" grep -q "^$T/tend.ini:[0-9]*: .*bogus" <<<"$err"
check "invalid file: nothing changed, says tendctl" grep -q "nothing changed" <<<"$err"
check "invalid file: the errors are logged" log_has "tend.ini:[0-9]*: .*bogus"
check_eq "invalid file: the same services and pids" "$before" "$(pids)"
check "invalid file: no d" sh -c "! '$TENDCTL' -s '$SOCK' status d >/dev/null 2>&1"
# and through SIGHUP
kill -HUP "$TEND_PID"
check "SIGHUP, invalid file: logged" wait_until 5 sh -c "[ \$(grep -c 'tend.ini:[0-9]*: .*bogus' '$LOG') -ge 2 ]"
check_eq "SIGHUP, invalid file: the same pids" "$before" "$(pids)"

# 2. Added, removed, changed, unchanged.
write_ini -- a="sleep 1000" b="sleep 1011" d="sleep 1003"
out=$(ctl reload 2>&1); rc=$?
check_eq "valid file: exit 0" 0 "$rc"
check "valid file: b reported as changed" grep -q "'b' changed" <<<"$out"
check "a: untouched (same pid)" test "$(svc_pid_of a)" = "$pa"
check "b: restarted (new pid)" wait_until 10 sh -c "p=\$('$TENDCTL' -s '$SOCK' status b --json | jq -r '.services[0].pid // empty'); [ -n \"\$p\" ] && [ \"\$p\" != $pb ]"
check "b: the old process ended" wait_until 10 proc_ended "$pb"
check "b: runs the new command" wait_until 10 sh -c "tr '\\0' ' ' </proc/\$('$TENDCTL' -s '$SOCK' status b --json | jq -r .services[0].pid)/cmdline | grep -q 'sleep 1011'"
check "c: its process ended" wait_until 10 proc_ended "$pc"
check "c: gone from the status" wait_until 10 sh -c "! '$TENDCTL' -s '$SOCK' status c >/dev/null 2>&1"
check "d: started" wait_until 10 state_is d ready
check_eq "the services now" "a b d" "$(ctl status --json | jq -r '[.services[].name] | join(" ")')"
check_eq "a: still the same pid after all that" "$pa" "$(svc_pid_of a)"
check_eq "restarts by reload are not automatic restarts" 0 "$(ctl status b --json | jq .services[0].restarts)"

# 3. SIGHUP: a change of d only.
pb2=$(svc_pid_of b); pd=$(svc_pid_of d)
write_ini -- a="sleep 1000" b="sleep 1011" d="sleep 1004"
kill -HUP "$TEND_PID"
check "SIGHUP: d restarted" wait_until 10 sh -c "p=\$('$TENDCTL' -s '$SOCK' status d --json | jq -r '.services[0].pid // empty'); [ -n \"\$p\" ] && [ \"\$p\" != $pd ]"
check_eq "SIGHUP: a untouched" "$pa" "$(svc_pid_of a)"
check_eq "SIGHUP: b untouched" "$pb2" "$(svc_pid_of b)"

# 4. [tend] changes cannot be applied live: said so.
write_ini "drain = 1s" -- a="sleep 1000" b="sleep 1011" d="sleep 1004"
out=$(ctl reload 2>&1); rc=$?
check_eq "[tend] change: exit 0" 0 "$rc"
check "[tend] change: needs a restart, says tendctl" grep -q "\[tend\] need a restart" <<<"$out"
check_eq "[tend] change: a untouched" "$pa" "$(svc_pid_of a)"

tend_stop 10
check_eq "tend ends normally" 0 "$TEND_RC"
