#!/bin/bash
# A service cannot gain capabilities through tend (issue 11, hole 3): a
# service with no `user` (uid 0, no capability) can write the root-owned
# tend.ini; it appends a [service:evil] with `capabilities = SYS_ADMIN` and
# asks for a reload, by `tendctl reload` and by SIGHUP to tend, and tries
# `stop` from an orphan it leaves behind (re-parented to tend). tend
# refuses every state-changing request of a service's process (tendctl
# exits 1 with the reason), ignores the SIGHUP with a warning naming the
# sender, and no process ever holds CAP_SYS_ADMIN. `status` stays open to
# the service. The host (a process not descended from tend) and, with tend
# as PID 1, a process entered into its namespaces (as `runc exec` does)
# keep full control: reload, SIGHUP, stop.
. "$TOP_SRCDIR/test/lib.sh"
need_root
need_cmd nsenter unshare
. "$TOP_SRCDIR/test/integration/ctl-lib.sh"

INI=$T/tend.ini
write_ini() {
	printf '[tend]\ncontrol = %s\n[service:web]\ncommand = sleep 1000\n[service:shell]\ncommand = /bin/sh %s\n' \
		"$SOCK" "$T/shell.sh" >"$INI"
}
# The attacker's shell: a service that runs what the test drops in
# $T/cmd, one at a time, as the service (uid 0, no capability).
printf '%s\n' \
	"while :; do" \
	"	if [ -f $T/cmd ]; then" \
	"		mv $T/cmd $T/cmd.run" \
	"		/bin/sh $T/cmd.run >$T/cmd.out 2>&1" \
	"		echo \$? >$T/cmd.rc.tmp; mv $T/cmd.rc.tmp $T/cmd.rc" \
	"	fi" \
	"	sleep 0.05" \
	"done" >"$T/shell.sh"
# inside CMD: run CMD in the service; its output in $OUTSIDE, status in $RC.
inside() {
	rm -f "$T/cmd.rc"
	printf '%s\n' "$1" >"$T/cmd"
	wait_until 20 test -f "$T/cmd.rc" || { fail "the service did not run: $1"; RC=x; OUTSIDE=; return; }
	RC=$(cat "$T/cmd.rc"); OUTSIDE=$(cat "$T/cmd.out")
}
APPEND="printf '\\n[service:evil]\\ncommand = sleep 1002\\ncapabilities = SYS_ADMIN\\n' >>$INI"
# Any process in the tree of tend (tend itself aside) with CAP_SYS_ADMIN
# (bit 21) in any of its sets.
tree() { local p=$1 c; for c in $(ps -o pid= --ppid "$p" 2>/dev/null); do echo "$c"; tree "$c"; done; }
no_sys_admin() {
	local p k v
	for p in $(tree "$1"); do
		for k in CapPrm CapEff CapBnd CapAmb CapInh; do
			v=$(proc_status "$p" "$k"); [ -n "$v" ] || continue
			if [ $(( 0x$v >> 21 & 1 )) = 1 ]; then echo "# pid $p has SYS_ADMIN in $k ($v)"; return 1; fi
		done
	done
	return 0
}
no_evil() { ! ctl status evil >/dev/null 2>&1; }
REFUSAL="tendctl: permission denied: pid [0-9]* is a process of a service of tend; it may only ask for status"

# ---- 1. tend on the host (subreaper): the service, its orphan, the host.
write_ini
tend_start "$INI"
ctl_up 10 || die "the control socket does not answer; log: $(cat "$LOG")"
wait_until 10 state_is web ready || die "web not ready"
tend=$TEND_PID

inside "$APPEND; $TENDCTL -s $SOCK reload"
check_eq "service, tendctl reload: exit 1" 1 "$RC"
check "service, tendctl reload: the refusal says why ($OUTSIDE)" grep -q "^$REFUSAL" <<<"$OUTSIDE"
check "service, tendctl reload: no service evil" no_evil
check "service, tendctl reload: no process with SYS_ADMIN" no_sys_admin "$tend"
check "the refusal is logged" wait_log 5 "control socket: refused reload from pid [0-9]*, a process of a service"

# A client that asks and is gone at once, before tend can look at it
# (its pid may even be reused): never believed.
inside "i=0; while [ \$i -lt 20 ]; do printf 'reload\\n' | socat -u - UNIX-CONNECT:$SOCK; i=\$((i + 1)); done"
check "service, 20 clients that ask for reload and exit at once: no service evil" no_evil
check "service, clients gone at once: no process with SYS_ADMIN" no_sys_admin "$tend"

inside "kill -HUP $tend"
check_eq "service, SIGHUP: sent (kill exits 0)" 0 "$RC"
check "service, SIGHUP: ignored with a warning naming the sender" \
	wait_log 5 "^tend: warning: SIGHUP from pid [0-9]*, \(a process of a service\|which could not be checked\): ignored"
check "service, SIGHUP: no service evil" no_evil
check "service, SIGHUP: no process with SYS_ADMIN" no_sys_admin "$tend"

# A storm of them: still ignored, and the warning rate-limited (one line,
# or two with a count, not a thousand).
inside "i=0; while [ \$i -lt 1000 ]; do kill -HUP $tend; i=\$((i + 1)); done"
check_eq "service, 1000 SIGHUPs: sent" 0 "$RC"
check "service, 1000 SIGHUPs: at most 2 warnings in the log" test "$(log_count 'SIGHUP from pid')" -le 2
check "service, 1000 SIGHUPs: never reloaded" log_lacks "configuration reloaded"
check "service, 1000 SIGHUPs: no service evil" no_evil

inside "$TENDCTL -s $SOCK stop web; $TENDCTL -s $SOCK restart web; $TENDCTL -s $SOCK signal web KILL; $TENDCTL -s $SOCK shutdown; $TENDCTL -s $SOCK start web; echo \$?"
check_eq "service: stop, restart, signal, shutdown, start all refused" 5 "$(grep -c "^$REFUSAL" <<<"$OUTSIDE")"
check_eq "service: the last one exits 1" 1 "$(tail -1 <<<"$OUTSIDE")"
check_eq "service: web is still ready" ready "$(svc_state web)"

# An orphan: its parent exits, tend adopts it (subreaper); still a
# service's process.
inside "(/bin/sh -c 'while [ \$(cut -d\" \" -f4 /proc/\$\$/stat) != $tend ]; do sleep 0.02; done; $TENDCTL -s $SOCK stop web >$T/orphan.out 2>&1; echo \$? >$T/orphan.rc' &) ; true"
check "orphan: it ran" wait_until 10 test -s "$T/orphan.rc"
check_eq "orphan, stop: exit 1" 1 "$(cat "$T/orphan.rc")"
check "orphan, stop: the refusal" grep -q "^$REFUSAL" "$T/orphan.out"
check_eq "orphan: web is still ready" ready "$(svc_state web)"

inside "$TENDCTL -s $SOCK status web"
check_eq "service, status: allowed (exit 0)" 0 "$RC"
check "service, status: the table" grep -q "^web .*ready" <<<"$OUTSIDE"

# The host keeps control. (The file still holds evil: take it out first.)
write_ini
out=$(ctl reload 2>&1); rc=$?
check_eq "host, tendctl reload: exit 0 ($out)" 0 "$rc"
kill -HUP "$tend"
check "host, SIGHUP: reloaded" wait_log 5 "configuration reloaded"
check_eq "host, stop: exit 0" 0 "$(ctl_rc stop web)"
check "host, stop: web stopped" wait_until 10 state_is web stopped
check_eq "host, start: exit 0" 0 "$(ctl_rc start web)"
tend_stop 10
check_eq "tend ended normally" 0 "$TEND_RC"

# ---- 2. tend as PID 1 of its namespaces (a container).
: >"$LOG"
write_ini
rm -f "$T/cmd" "$T/cmd.rc"
tend_start_pid1 "$INI" || die "tend did not start as PID 1"
ctl_up 10 || die "the control socket does not answer; log: $(cat "$LOG")"
wait_until 10 state_is web ready || die "web not ready"
inside "$APPEND; $TENDCTL -s $SOCK reload"
check_eq "PID 1, service, tendctl reload: exit 1" 1 "$RC"
check "PID 1, service, tendctl reload: the refusal" grep -q "^$REFUSAL" <<<"$OUTSIDE"
inside "kill -HUP 1"
check "PID 1, service, SIGHUP: ignored with a warning" \
	wait_log 5 "^tend: warning: SIGHUP from pid [0-9]*, \(a process of a service\|which could not be checked\): ignored"
check "PID 1: no service evil" no_evil
check "PID 1: no process with SYS_ADMIN" no_sys_admin "$TEND_SIG_PID"
# As runc exec does: a process entered into tend's namespaces, its parent
# outside (ppid 0 from inside).
write_ini
out=$(nsenter -t "$TEND_SIG_PID" -p -m -- "$TENDCTL" -s "$SOCK" reload 2>&1); rc=$?
check_eq "PID 1, entered process (runc exec), reload: exit 0 ($out)" 0 "$rc"
out=$(nsenter -t "$TEND_SIG_PID" -p -m -- /bin/sh -c "$TENDCTL -s $SOCK restart web" 2>&1); rc=$?
check_eq "PID 1, a child of an entered shell, restart: exit 0 ($out)" 0 "$rc"
check_eq "PID 1, the host (outside the namespace), stop: exit 0" 0 "$(ctl_rc stop web)"
kill -HUP "$TEND_SIG_PID"
check "PID 1, SIGHUP from the host: reloaded" wait_log 5 "configuration reloaded"
tend_stop 10
check_eq "PID 1: tend ended normally" 0 "$TEND_RC"

# ---- 3. In a real runc container: the service asks, `runc exec` and
# `runc kill HUP` from the host are obeyed.
if ! command -v runc >/dev/null 2>&1; then
	echo "# no runc: the container case is covered by nsenter above only"
	exit 0
fi
name=tend-trust-$TID
C=$T/cfg; b=$T/bundle
mkdir -p "$C"
printf '%s\n' '[tend]' 'control = /cfg/ctl.sock' '[service:web]' 'command = sleep 1000' '[service:attacker]' \
	"command = /bin/sh -c 'printf \"\\\\n[service:evil]\\\\ncommand = sleep 1002\\\\ncapabilities = SYS_ADMIN\\\\n\" >>/cfg/tend.ini; /tendctl -s /cfg/ctl.sock reload >/cfg/reload.out 2>&1; echo \$? >/cfg/reload.rc; kill -HUP 1; echo \$? >/cfg/hup.rc; exec sleep 1000'" \
	>"$C/tend.ini"
cp "$C/tend.ini" "$C/attacked.ini"
runc_host_bundle "$b" "$C" "/tendctl=$TENDCTL" || die "cannot make the bundle"
runc run -b "$b" "$name" >"$T/runc.out" 2>"$T/runc.log" </dev/null &
rpid=$!
cleanup "runc delete -f $name"
cleanup "kill -KILL $rpid"
in_ctl() { runc exec "$name" /tendctl -s /cfg/ctl.sock "$@"; }
wait_until 20 test -s "$C/hup.rc" || { cat "$T/runc.log"; die "the attacker did not run in the container"; }
check_eq "runc, service, tendctl reload: exit 1" 1 "$(cat "$C/reload.rc")"
check "runc, service, tendctl reload: the refusal" grep -q "^$REFUSAL" "$C/reload.out"
check "runc, service, SIGHUP to PID 1: ignored with a warning" \
	wait_until 5 grep -q "^tend: warning: SIGHUP from pid [0-9]*, \(a process of a service\|which could not be checked\): ignored" "$T/runc.log"
check "runc: no service evil" sh -c "! runc exec $name /tendctl -s /cfg/ctl.sock status evil >/dev/null 2>&1"
check "runc: no process with SYS_ADMIN" no_sys_admin "$(runc state "$name" | jq .pid)"
out=$(in_ctl status web 2>&1); rc=$?
check_eq "runc exec tendctl status: exit 0 ($out)" 0 "$rc"
out=$(in_ctl restart web 2>&1); rc=$?
check_eq "runc exec tendctl restart: exit 0 ($out)" 0 "$rc"
# The host's operator wants evil after all: runc exec reload, then HUP.
out=$(in_ctl reload 2>&1); rc=$?
check_eq "runc exec tendctl reload: exit 0 ($out)" 0 "$rc"
check "runc exec tendctl reload: evil is started" grep -q "'evil' added" <<<"$out"
printf '%s\n' '[tend]' 'control = /cfg/ctl.sock' '[service:web]' 'command = sleep 1000' >"$C/tend.ini"
runc kill "$name" HUP
check "runc kill HUP: reloaded (evil removed)" wait_until 10 grep -q "'evil' removed" "$T/runc.log"
runc kill "$name" TERM
check "runc: the container ends" wait_until 20 sh -c "! kill -0 $rpid 2>/dev/null"
