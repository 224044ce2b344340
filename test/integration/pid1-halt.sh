#!/bin/bash
# pid1-halt: SIGPWR (LXC's lxc-stop) and SIGRTMIN+3 (systemd's halt) start
# an orderly shutdown of a configuration's tend, as SIGTERM does: services
# get their stop_signal, tend exits 0 (no main service) and logs why. In
# single-command mode they are forwarded to the command like any other
# signal, and tend goes on.
. "$TOP_SRCDIR/test/lib.sh"
need_root
need_cmd unshare pgrep
recv="$TOP_BUILDDIR/test/tools/sigrecv"
[ -x "$recv" ] || die "build test/tools first (make check)"
T=$(mktmp)

cat >"$T/tend.ini" <<INI
[tend]
control =
[service:web]
command = sh -c 'trap "echo stopped >>$T/web; exit 0" TERM; echo up >>$T/web; while :; do sleep 0.05; done'
stop_timeout = 5s
INI

# The pid that gets signals for tend: with unshare --fork, its child.
inner() { pgrep -P "$1" | head -n1; }

for sig in PWR RTMIN+3; do
	# Config mode, tend as PID 1 of a PID namespace.
	: >"$T/web"
	unshare --pid --fork --kill-child --mount-proc "$TEND" -c "$T/tend.ini" 2>"$T/err" &
	upid=$!
	cleanup "kill -KILL $upid"
	wait_until 10 grep -qx up "$T/web" || { cat "$T/err"; fail "SIG$sig: the service did not start"; continue; }
	tpid=$(inner "$upid")
	kill -s "$sig" "$tpid"
	if wait_until 10 sh -c "! kill -0 $upid 2>/dev/null"; then
		wait "$upid"
		check_eq "SIG$sig, config mode: tend exits 0 after an orderly shutdown" 0 "$?"
	else
		fail "SIG$sig, config mode: tend still runs 10 s later"
		kill -KILL "$upid"; wait "$upid" 2>/dev/null
	fi
	check_eq "SIG$sig: the service got its stop_signal" "up stopped" "$(tr '\n' ' ' <"$T/web" | sed 's/ $//')"
	check "SIG$sig: the log says why" grep -q "tend: SIG$sig: shutting down" "$T/err"

	# Single-command mode: forwarded, and tend goes on.
	num=$(kill -l "$sig")
	: >"$T/log"; rm -f "$T/stop"
	unshare --pid --fork --kill-child --mount-proc "$TEND" -- "$recv" "$T/log" "$T/stop" &
	upid=$!
	cleanup "kill -KILL $upid"
	wait_until 10 grep -q ready "$T/log" || { fail "SIG$sig: the receiver did not start"; continue; }
	tpid=$(inner "$upid")
	kill -s "$sig" "$tpid"
	check "SIG$sig, single-command mode: forwarded to the command ($num)" wait_until 5 grep -qx "$num" "$T/log"
	check "SIG$sig, single-command mode: tend goes on" kill -0 "$tpid"
	touch "$T/stop"; kill -USR1 "$tpid"
	wait "$upid"
	check_eq "SIG$sig, single-command mode: the command's status" 0 "$?"
done
