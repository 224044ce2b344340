#!/bin/bash
# Boot: while tend waits for its [network] interface, nothing starts a
# service and nothing frees what the network set-up reads. tend runs as
# PID 1 of a pid and network namespace this test made; during the wait the
# test rewrites tend.ini (a service changed, one removed, one added, the
# [network] section changed) and sends SIGHUP, `tendctl reload`, `tendctl
# restart`, `tendctl start` and `tendctl stop`+`start`, each from inside
# the namespace as `runc exec` would. Then it moves the interface in.
# Asserted: no service process exists before the interface arrives (stamps
# with a time, and tend's children in /proc), the network comes up as the
# boot's [network] said, the reloaded service set is what runs, no
# sanitizer report, exit 0 on SIGTERM. A second run: SIGTERM while still
# waiting ends tend at once with 0, having started nothing.
. "$TOP_SRCDIR/test/lib.sh"
. "$TOP_SRCDIR/test/integration/net-lib.sh"
[ -x "$TENDCTL" ] || skip "needs $TENDCTL (make builds it)"

S=$NET_TMP/stamps
mkdir -p "$S"
# A service that records the time (ms) it started, then stays.
svc() { # svc NAME [after]
	printf '[service:%s]\ncommand = sh -c "date +%%s%%3N >>%s/%s; exec sleep 1000"\n' \
		"$1" "$S" "$1"
	[ -n "${2:-}" ] && printf 'after = %s\n' "$2"
	echo
}
write_ini() { # write_ini INTERFACE SERVICES...
	local ifc=$1; shift
	{
		printf '[network]\ninterface = %s\nwait = 20s\naddress = 172.21.0.5/24\n\n' "$ifc"
		for s in "$@"; do svc ${s/:/ }; done
	} >"$NET_TMP/tend.ini"
}
# tendctl inside tend's pid and mount namespaces (its /run), like runc exec.
ictl() { nsenter -t "$NET_PID" -p -m -- "$TENDCTL" "$@"; }
children() { cat /proc/"$NET_PID"/task/*/children 2>/dev/null | tr -d ' \n'; }
nothing_started() { [ -z "$(ls "$S")" ] && [ -z "$(children)" ]; }

# ---- 1. reload, restart, start during the wait ---------------------------
write_ini ceth0 a b:a c
net_peer_ns
net_start "$NET_TMP/tend.ini"
[ -n "$NET_PID" ] || die "tend ended at once: $(cat "$NET_TMP/err")"
wait_until 10 sh -c "nsenter -t $NET_PID -p -m -- '$TENDCTL' status >/dev/null 2>&1" ||
	die "the control socket does not answer: $(cat "$NET_TMP/err")"
check "waiting: no service yet" nothing_started

# The new file: a changed (now after d), b removed, d added; [network]
# names another interface (a change that needs a restart of tend).
write_ini other0 a:d c d
sed -i 's/exec sleep 1000/exec sleep 1001/' "$NET_TMP/tend.ini"
kill -HUP "$NET_PID"
check "SIGHUP during the wait: reloaded" wait_until 5 grep -q "configuration reloaded" "$NET_TMP/err"
out=$(ictl reload 2>&1); rc=$?
check_eq "tendctl reload during the wait: exit 0" 0 "$rc"
check "reload: [network] changes need a restart of tend" grep -q "changes to \[network\] need a restart" "$NET_TMP/err"
out=$(ictl restart a 2>&1); rc=$?
check_eq "tendctl restart a during the wait: exit 0" 0 "$rc"
check_eq "tendctl restart a: still waiting" "a: waiting" "$out"
ictl restart c >/dev/null 2>&1
ictl stop d >/dev/null 2>&1
out=$(ictl start d 2>&1)
check_eq "tendctl stop, start d during the wait: waiting" "d: waiting" "$out"
kill -HUP "$NET_PID"
check "second SIGHUP: reloaded" wait_until 5 sh -c "[ \$(grep -c 'configuration reloaded' '$NET_TMP/err') -ge 2 ]"
# Give a wrong start every chance to show: tend's loop has handled all of
# the above (the answers came back), and a started service writes its
# stamp within milliseconds.
sleep 0.5
check "after reloads and restarts: still no service process" nothing_started
check "after reloads and restarts: tend still waits" kill -0 "$NET_PID"
states=$(ictl status --json | jq -r '[.services[] | "\(.name)=\(.state)"] | join(" ")')
check_eq "the reloaded set, all waiting" "a=waiting c=waiting d=waiting" "$states"

t_in=$(date +%s%3N)
net_veth_into "h$TID" ceth0 || die "could not make the veth pair"
net_ready 10 || die "network not ready: $(cat "$NET_TMP/err")"
check "the boot's interface configured" bash -c "nsenter -t $NET_PID -n ip -j addr show ceth0 | jq -e '.[0].addr_info[] | select(.local==\"172.21.0.5\")' >/dev/null"
for n in a c d; do
	check "$n started once the network was up" wait_file 10 "$S/$n"
done
sleep 0.3
for n in a c d; do
	check_eq "$n started once" 1 "$(wc -l <"$S/$n" 2>/dev/null || echo 0)"
	check "$n started after the interface arrived" test "$(head -1 "$S/$n")" -ge "$t_in"
done
check "b (removed) never started" test ! -e "$S/b"
apid=$(ictl status a --json | jq -r '.services[0].pid // empty')
check "a runs the reloaded command" bash -c "nsenter -t $NET_PID -m -- cat /proc/${apid:-none}/cmdline | tr '\\0' ' ' | grep -q 'sleep 1001'"
check "d before a (the reloaded order)" test "$(cat "$S/d")" -le "$(cat "$S/a")"
kill -TERM "$NET_PID"
net_wait
check_eq "SIGTERM after boot: exit 0" 0 "$NET_RC"
check "no sanitizer report" bash -c "! grep -q 'Sanitizer' '$NET_TMP/err'"
check "no garbage interface name" bash -c "! grep -q 'did not appear' '$NET_TMP/err'"
cp "$NET_TMP/err" "$NET_TMP/err.1"

# ---- 2. SIGTERM during the wait -------------------------------------------
rm -f "$S"/*
write_ini ceth1 a b:a
net_start "$NET_TMP/tend.ini"
[ -n "$NET_PID" ] || die "tend ended at once: $(cat "$NET_TMP/err")"
wait_until 10 sh -c "nsenter -t $NET_PID -p -m -- '$TENDCTL' status >/dev/null 2>&1" ||
	die "the control socket does not answer: $(cat "$NET_TMP/err")"
kill -HUP "$NET_PID"
wait_until 5 grep -q "configuration reloaded" "$NET_TMP/err"
t0=$(date +%s%N)
kill -TERM "$NET_PID"
net_wait
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check_eq "SIGTERM during the wait: exit 0" 0 "$NET_RC"
check "SIGTERM during the wait: at once (${ms}ms)" test "$ms" -lt 3000
check "SIGTERM during the wait: an orderly shutdown, the first" grep -q "SIGTERM: shutting down" "$NET_TMP/err"
check "SIGTERM during the wait: nothing started" test -z "$(ls "$S")"
check "SIGTERM during the wait: no sanitizer report" bash -c "! grep -q 'Sanitizer' '$NET_TMP/err'"
if [ "$_failed" != 0 ]; then
	echo "# log of run 1:"; sed 's/^/#   /' "$NET_TMP/err.1" | tail -40
	echo "# log of run 2:"; sed 's/^/#   /' "$NET_TMP/err" | tail -20
fi
