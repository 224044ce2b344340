#!/bin/bash
# audit-signals: signals in config mode (section 1, "Signals"): SIGUSR1,
# SIGUSR2, SIGQUIT, SIGWINCH go to the main service, to every service when
# there is no main; SIGHUP reloads (and reaches no service); SIGINT is an
# orderly shutdown like SIGTERM. A reload keeps `-- COMMAND` as `main`.
. "$TOP_SRCDIR/test/lib.sh"
. "$TOP_SRCDIR/test/integration/ctl-lib.sh"

# A service that records each signal it gets in FILE, one name a line.
cat >"$T/rec.sh" <<'EOF'
#!/bin/bash
f=$1
for s in USR1 USR2 QUIT WINCH HUP INT; do trap "echo $s >> $f" $s; done
trap "echo TERM >> $f; exit 0" TERM
echo $$ > $f.pid
while :; do sleep 0.05; done
EOF
chmod 755 "$T/rec.sh"

send_all() {
	local s
	for s in USR1 USR2 QUIT WINCH; do
		kill -"$s" "$TEND_PID"
		wait_until 5 grep -qx "$s" "$1" || fail "SIG$s did not reach $1"
	done
}

# --- with a main service: only main gets them.
cat >"$T/main.ini" <<EOT
[tend]
control = $SOCK
main = m
[service:m]
command = $T/rec.sh $T/m
[service:o]
command = $T/rec.sh $T/o
EOT
tend_start "$T/main.ini"
wait_file 10 "$T/m.pid" && wait_file 10 "$T/o.pid" || fail "services did not start: $(tail -3 "$LOG")"
: >"$T/m"; : >"$T/o"
send_all "$T/m"
check_eq "main: USR1 USR2 QUIT WINCH reached the main service" "USR1 USR2 QUIT WINCH" "$(xargs <"$T/m")"
check_eq "main: the other service got none of them" "" "$(xargs <"$T/o")"
check "main: tend still runs" kill -0 "$TEND_PID"
kill -INT "$TEND_PID"
tend_wait 10
check_eq "SIGINT: orderly shutdown, main exits 0 on TERM: 0" 0 "$TEND_RC"
check "SIGINT: the services got TERM, not INT" grep -qx TERM "$T/o"
check "SIGINT: logged as a shutdown" log_has "SIGINT: shutting down"

# --- no main service: every service gets them.
: >"$LOG"
rm -f "$T"/a* "$T"/b*
cat >"$T/all.ini" <<EOT
[tend]
control = $SOCK
[service:a]
command = $T/rec.sh $T/a
[service:b]
command = $T/rec.sh $T/b
EOT
tend_start "$T/all.ini"
wait_file 10 "$T/a.pid" && wait_file 10 "$T/b.pid" || fail "services did not start: $(tail -3 "$LOG")"
: >"$T/a"; : >"$T/b"
send_all "$T/a"
wait_until 5 grep -qx WINCH "$T/b"
check_eq "no main: a got all four" "USR1 USR2 QUIT WINCH" "$(xargs <"$T/a")"
check_eq "no main: b got all four" "USR1 USR2 QUIT WINCH" "$(xargs <"$T/b")"

# --- SIGHUP reloads and reaches no service.
pa=$(svc_pid_of a)
cat >>"$T/all.ini" <<EOT
[service:c]
command = $T/rec.sh $T/c
EOT
kill -HUP "$TEND_PID"
check "SIGHUP: the added service starts" wait_file 10 "$T/c.pid"
check "SIGHUP: reload logged" wait_log 5 "configuration reloaded"
check "SIGHUP: no service got HUP" sh -c "! grep -qx HUP '$T/a' '$T/b'"
check_eq "SIGHUP: a untouched" "$pa" "$(svc_pid_of a)"
tend_stop
check_eq "no main: orderly shutdown: 0" 0 "$TEND_RC"

# --- a reload with -- COMMAND: `main` stays, untouched, and stays main.
: >"$LOG"
rm -f "$T"/a*
cat >"$T/cmd.ini" <<EOT
[tend]
control = $SOCK
[service:a]
command = $T/rec.sh $T/a
EOT
tend_start "$T/cmd.ini" -- "$T/rec.sh" "$T/main"
wait_file 10 "$T/main.pid" && wait_file 10 "$T/a.pid" || fail "services did not start: $(tail -3 "$LOG")"
ctl_up 10
mp=$(svc_pid_of main)
echo "stop_timeout = 3s" >>"$T/cmd.ini"
check_eq "-- COMMAND, reload: 0" 0 "$(ctl_rc reload)"
check_eq "-- COMMAND, reload: main untouched" "$mp" "$(svc_pid_of main)"
check_eq "-- COMMAND, reload: still the main service" main "$(ctl status --json | jq -r .tend.main)"
: >"$T/main"; : >"$T/a"
kill -USR1 "$TEND_PID"
check "-- COMMAND, after reload: USR1 to main" wait_until 5 grep -qx USR1 "$T/main"
check_eq "-- COMMAND, after reload: not to a" "" "$(xargs <"$T/a")"
tend_stop
check_eq "-- COMMAND: main's status (exit 0 on TERM)" 0 "$TEND_RC"
