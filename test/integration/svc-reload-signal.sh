#!/bin/bash
# (r2) reload_signal and `tendctl reload NAME`: the service's reload_signal
# (HUP by default, USR1 here) reaches its process, seen by a trap in it;
# `tendctl reload` without a name still reloads the configuration; an
# unknown name or a service not running is refused (1, reason); a
# service's own process asking for it is refused like every request that
# changes state.
. "$TOP_SRCDIR/test/lib.sh"
. "$TOP_SRCDIR/test/integration/ctl-lib.sh"
chmod 755 "$T"

svc() { # NAME LOG
	printf '[service:%s]\ncommand = sh -c '"'"'trap "echo HUP >>%s" HUP; trap "echo USR1 >>%s" USR1; echo $$$$ >%s.pid; while :; do sleep 1000 & wait $!; done'"'"'\n' "$1" "$2" "$2" "$2"
}
{
	printf '[tend]\ncontrol = %s\n\n' "$SOCK"
	svc usr1 "$T/usr1.log"; echo 'reload_signal = USR1'; echo
	svc hup "$T/hup.log"; echo
	printf '[service:asker]\ncommand = sh -c '"'"'"%s" -s "%s" reload hup >%s/asker.out 2>&1; echo $$? >%s/asker.rc; exec sleep 1000'"'"'\n' "$TENDCTL" "$SOCK" "$T" "$T"
	echo 'after = hup'; echo
	printf '[service:off]\ncommand = sleep 1000\nenabled = no\n'
} >"$T/tend.ini"
tend_start "$T/tend.ini"
ctl_up 10 || die "no control socket: $(cat "$LOG")"
wait_file 10 "$T/usr1.log.pid" && wait_file 10 "$T/hup.log.pid" || die "services did not start: $(cat "$LOG")"
wait_file 10 "$T/asker.rc" || die "asker did not run: $(cat "$LOG")"

check_eq "reload usr1: exit 0" 0 "$(ctl_rc reload usr1)"
check "usr1 got SIGUSR1 (its reload_signal)" wait_until 5 grep -qx USR1 "$T/usr1.log"
check_eq "reload hup: exit 0" 0 "$(ctl_rc reload hup)"
check "hup got SIGHUP (the default)" wait_until 5 grep -qx HUP "$T/hup.log"
check_eq "usr1 got nothing else" USR1 "$(paste -sd, "$T/usr1.log")"
check "the request is logged" log_has "usr1: SIGUSR1 sent on request (reload)"
check_eq "reload of an unknown service: 1" 1 "$(ctl_rc reload nosuch)"
check "... with the reason" sh -c "'$TENDCTL' -s '$SOCK' reload nosuch 2>&1 | grep -q \"no service 'nosuch'\""
check_eq "reload of a service not running: 1" 1 "$(ctl_rc reload off)"
check_eq "reload from a service's own process: refused (1)" 1 "$(cat "$T/asker.rc")"
check_eq "... hup did not get a second HUP" HUP "$(paste -sd, "$T/hup.log")"
check_eq "reload (no name) still reloads the configuration: 0" 0 "$(ctl_rc reload)"
check "... and the reload is logged" wait_log 5 "reload"
check_eq "reload with two names: usage (64)" 64 "$(ctl_rc reload a b)"
tend_stop
