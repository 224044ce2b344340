#!/bin/bash
# audit-args: tend's command line against the contract (section 1, the
# flags table): `-- COMMAND` next to a configuration file, a file with no
# service, `--check` with and without a file, `-v` / `-q`.
. "$TOP_SRCDIR/test/lib.sh"
. "$TOP_SRCDIR/test/integration/svc-lib.sh"
need_cmd jq

# --- -c FILE -- COMMAND: COMMAND is added as service `main` and is the
# main service: its exit ends tend with its status while the file's own
# service still runs (that one is stopped, not waited for).
cat >"$T/side.ini" <<EOT
[tend]
control = $T/tend.sock
[service:side]
command = sh -c 'echo \$\$\$\$ > $T/side.pid; exec sleep 60'
EOT
tend_start "$T/side.ini" -- sh -c "until [ -s $T/side.pid ]; do sleep 0.02; done; exit 7"
tend_wait 20
check_eq "-c FILE -- COMMAND: the command is the main service (tend exits 7)" 7 "$TEND_RC"
check "-c FILE -- COMMAND: its service is named 'main'" log_has "$(svclog main)exited with 7"
check "-c FILE -- COMMAND: the file's service was stopped" log_has "$(svclog side)stopped"
check "-c FILE -- COMMAND: the file's service is gone" proc_ended "$(svc_pid "$T/side.pid")"

# The status while both run: `main` is listed and is tend's main service.
: >"$LOG"
tend_start "$T/side.ini" -- sleep 60
wait_until 10 sh -c "'$TENDCTL' -s '$T/tend.sock' status --json >/dev/null 2>&1" ||
	fail "control socket never answered: $(tail -3 "$LOG")"
j=$("$TENDCTL" -s "$T/tend.sock" status --json 2>/dev/null)
check_eq "-c FILE -- COMMAND: tend's main service is 'main'" main "$(jq -r '.tend.main' <<<"$j")"
check_eq "-c FILE -- COMMAND: both services are there" "main side" \
	"$(jq -r '[.services[].name] | sort | join(" ")' <<<"$j")"
tend_stop
check_eq "-c FILE -- COMMAND: SIGTERM, main killed by TERM: 143" 143 "$TEND_RC"

# --- [service:main] in the file plus a COMMAND: 78, when running too (not
# only under --check), and nothing is started.
cat >"$T/main.ini" <<EOT
[tend]
control =
[service:main]
command = touch $T/started-anyway
EOT
"$TEND" -c "$T/main.ini" -- touch "$T/started-anyway" 2>"$T/err"
check_eq "[service:main] + -- COMMAND: 78" 78 "$?"
check "[service:main] + -- COMMAND: FILE:LINE: message" grep -q "^$T/main.ini:[0-9]*: .*main" "$T/err"
check "[service:main] + -- COMMAND: nothing started" test ! -e "$T/started-anyway"

# --- a file with no service and no COMMAND: 78 (running, not --check).
printf '[tend]\ncontrol =\n' >"$T/empty.ini"
"$TEND" -c "$T/empty.ini" 2>"$T/err"
check_eq "a file with no service, no COMMAND: 78" 78 "$?"
check "a file with no service: says so" grep -qi "no service" "$T/err"
# ... and with a COMMAND it runs that command.
"$TEND" -c "$T/empty.ini" -- sh -c 'exit 5' 2>"$T/err"
check_eq "a file with no service + COMMAND: the command's status" 5 "$?"

# --- --check: valid is 0 and silent, with or without a COMMAND.
"$TEND" --check -c "$T/side.ini" >"$T/out" 2>"$T/err"
check_eq "--check, valid file: 0" 0 "$?"
check_eq "--check, valid file: nothing on stderr" "" "$(cat "$T/err")"
check_eq "--check, valid file: nothing on stdout" "" "$(cat "$T/out")"
"$TEND" --check -c "$T/side.ini" -- sh -c 'exit 1' >"$T/out" 2>"$T/err"
check_eq "--check, valid file -- COMMAND: 0" 0 "$?"
check_eq "--check, valid file -- COMMAND: nothing on stderr" "" "$(cat "$T/err")"
check "--check never runs the command" test ! -e "$T/started-anyway"
"$TEND" --check -c "$T/empty.ini" -- true 2>"$T/err"
check_eq "--check, file without service -- COMMAND: 0" 0 "$?"
"$TEND" --check -c "$T/empty.ini" 2>"$T/err"
check_eq "--check, file without service, no COMMAND: 78" 78 "$?"

# --check follows the same -c / -- rules as a real run: with no -c and no
# default file, `-- COMMAND` is single-command mode (valid: 0) and nothing
# at all is "nothing to run" (64). A missing default file is only an error
# when it was named with -c.
if [ -e /etc/tend/tend.ini ]; then
	echo "# /etc/tend/tend.ini exists here: default-file cases not tried"
else
	"$TEND" --check -- true >"$T/out" 2>"$T/err"
	check_eq "--check -- COMMAND, no default file: 0 (single-command mode is valid)" 0 "$?"
	check_eq "--check -- COMMAND, no default file: nothing on stderr" "" "$(cat "$T/err")"
	"$TEND" --check >"$T/out" 2>"$T/err"
	check_eq "--check, no default file, no COMMAND: 64 (nothing to run)" 64 "$?"
	check "--check, nothing at all: says 'nothing to run'" grep -q "nothing to run" "$T/err"
fi

# --- -v / -q: more / less logging, errors always.
cat >"$T/v.ini" <<EOT
[tend]
control =
[service:x]
command = sh -c 'exit 0'
restart = no
EOT
"$TEND" -c "$T/v.ini" 2>"$T/n.log"; rc_n=$?
"$TEND" -v -c "$T/v.ini" 2>"$T/v.log"; rc_v=$?
"$TEND" -q -c "$T/v.ini" 2>"$T/q.log"; rc_q=$?
check_eq "-v, default, -q: the same status" "0 0 0" "$rc_v $rc_n $rc_q"
nv=$(wc -l <"$T/v.log"); nn=$(wc -l <"$T/n.log"); nq=$(wc -l <"$T/q.log")
check "-v logs more than the default ($nv > $nn)" test "$nv" -gt "$nn"
check "-q logs less than the default ($nq < $nn)" test "$nq" -lt "$nn"
check "default: the exit is logged" grep -q "x: exited with 0" "$T/n.log"
check "-q: the exit is not logged" sh -c "! grep -q 'x: exited with 0' '$T/q.log'"
# An error still shows under -q.
"$TEND" -q -c /dev/null/nope.ini 2>"$T/q2.log"
check_eq "-q: a config error is still 78" 78 "$?"
check "-q: ... and still said" test -s "$T/q2.log"
cat >"$T/qerr.ini" <<EOT
[tend]
control =
[service:x]
command = /nonexistent/prog$TID
restart = no
EOT
"$TEND" -q -c "$T/qerr.ini" 2>"$T/q3.log"
check_eq "-q: a failed start still fails the run (exit 1)" 1 "$?"
check "-q: the failed start is still logged" grep -q "cannot execute '/nonexistent/prog$TID'" "$T/q3.log"
# Single-command mode is quiet by default (tini-like), -v makes it talk.
"$TEND" -- true 2>"$T/s.log"
"$TEND" -v -- true 2>"$T/sv.log"
check "single-command: -v logs more than the default" \
	test "$(wc -l <"$T/sv.log")" -gt "$(wc -l <"$T/s.log")"
