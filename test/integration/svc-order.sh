#!/bin/bash
# Start order: `after` waits for readiness (here a tcp ready probe on a
# port the test opens when it chooses); independent services start
# together; a oneshot is ready when it exits 0; a failed oneshot holds back
# what is after it with a clear line; with no main, tend ends when nothing
# is left: 0 if every service succeeded, else 1.
. "$TOP_SRCDIR/test/lib.sh"
need_cmd /usr/bin/python3
. "$TOP_SRCDIR/test/integration/svc-lib.sh"

PORT=$(free_port)
cat >"$T/tend.ini" <<EOT
[service:db]
command = sh -c '$(stamp "$T/db.start"); exec sleep 1000'
ready = tcp://127.0.0.1:$PORT
ready_timeout = 30s

[service:web]
command = sh -c '$(stamp "$T/web.start"); exec sleep 1000'
after = db

[service:indep]
command = sh -c '$(stamp "$T/indep.start"); exec sleep 1000'

[service:migrate]
type = oneshot
command = sh -c '$(stamp "$T/migrate.start"); sleep 0.3; $(stamp "$T/migrate.end")'

[service:app]
command = sh -c '$(stamp "$T/app.start"); exec sleep 1000'
after = migrate, indep
EOT

tend_start "$T/tend.ini"
wait_file 10 "$T/db.start" || die "db did not start: $(cat "$LOG")"
wait_file 10 "$T/indep.start"
check "independent services start together (both started while db is not ready)" \
	test -s "$T/indep.start"
check_eq "independent: started within 1 s of each other" yes \
	"$( (( $(cat "$T/indep.start") - $(cat "$T/db.start") < 1000 && $(cat "$T/db.start") - $(cat "$T/indep.start") < 1000 )) && echo yes)"
wait_file 10 "$T/app.start"
check "oneshot: dependent started after the oneshot ended" \
	test "$(cat "$T/app.start")" -ge "$(cat "$T/migrate.end")"
check "oneshot: ready logged when it exits 0" log_has "migrate: exited with 0"

# db is not ready (nothing listens): web must still be waiting.
wait_log 10 "app: started"
check "web waits for db's readiness" test ! -e "$T/web.start"
OPENED=$(now_ms)
http_server "$PORT" "$T/nothing"
wait_file 10 "$T/web.start" || fail "web never started after db became ready"
check "web started after db's port opened" test "$(cat "$T/web.start")" -ge "$OPENED"
check "db logged ready" log_has "db: ready after"
check_eq "web started once" 1 "$(wc -l <"$T/web.start")"
tend_stop
check_eq "orderly shutdown, no main: exit 0" 0 "$TEND_RC"

# A failed oneshot holds back what is after it; nothing left: exit 1.
: >"$LOG"
cat >"$T/fail.ini" <<EOT
[service:migrate]
type = oneshot
command = sh -c 'exit 3'
restart = no

[service:app]
command = sh -c '$(stamp "$T/held.start"); exec sleep 1000'
after = migrate

[service:other]
command = sh -c '$(stamp "$T/other.start"); exit 0'
restart = no
EOT
tend_start "$T/fail.ini"
tend_wait 10
check_eq "failed oneshot, nothing left running: tend exits 1" 1 "$TEND_RC"
check "failed oneshot: the dependent never started" test ! -e "$T/held.start"
check "failed oneshot: clear log line" log_has "app: not started: 'migrate' failed"
check "an independent service still ran" test -s "$T/other.start"

# A oneshot that fails first and succeeds on its restart lets its
# dependents go.
: >"$LOG"
cat >"$T/retry.ini" <<EOT
[service:migrate]
type = oneshot
command = sh -c 'if [ -e $T/tried ]; then exit 0; fi; : > $T/tried; exit 1'
restart = on-failure
restart_delay = 50ms

[service:app]
command = sh -c '$(stamp "$T/retry.start"); exit 0'
restart = no
after = migrate
EOT
tend_start "$T/retry.ini"
tend_wait 10
check "oneshot succeeding on its second run releases its dependent" test -s "$T/retry.start"
check_eq "everything ended in success: tend exits 0" 0 "$TEND_RC"

# No main, all ended: 0 when every one succeeded (success_exit counts).
: >"$LOG"
cat >"$T/allok.ini" <<EOT
[service:a]
command = true
restart = no
[service:b]
command = sh -c 'exit 143'
success_exit = 0, 143
restart = on-failure
[service:c]
type = oneshot
command = true
EOT
tend_start "$T/allok.ini"
tend_wait 10
check_eq "no main, all succeeded: exit 0" 0 "$TEND_RC"
check "logged that nothing is left" log_has "no service left running"

: >"$LOG"
cat >"$T/onebad.ini" <<EOT
[service:a]
command = true
restart = no
[service:b]
command = sh -c 'exit 2'
restart = no
EOT
tend_start "$T/onebad.ini"
tend_wait 10
check_eq "no main, one failed: exit 1" 1 "$TEND_RC"

# A main service decides on its own: its status, whatever the others do.
: >"$LOG"
cat >"$T/main.ini" <<EOT
[tend]
main = m
[service:m]
command = sh -c 'exit 42'
restart = no
[service:bg]
command = sleep 1000
EOT
tend_start "$T/main.ini"
tend_wait 10
check_eq "main service's exit status is tend's" 42 "$TEND_RC"
