#!/bin/bash
# Trust, env_file (contract section 6): a service can never make tend read
# a file the service itself could not.
#
# The attack: a service running as nobody keeps its env_file in a folder it
# owns. It replaces the file with a symbolic link to root's own KEY=VALUE
# file (mode 0600 in a root-only folder), exits 1 and waits to be
# restarted. tend must not read root's file for it: the restart fails with
# a line naming the env_file, and no environment of the service, nor
# tend's log, ever holds root's secret. Swapping in a FIFO must not hang
# the start.
#
# What must keep working: an env_file of root's, mode 0600, in a folder
# only root can change (/etc/tend/app.env), given by the operator to a
# service with a `user`; an env_file in the service's own folder.
. "$TOP_SRCDIR/test/lib.sh"
need_root
need_cmd mkfifo
id nobody >/dev/null 2>&1 || skip "needs user nobody"
. "$TOP_SRCDIR/test/integration/svc-lib.sh"
chmod 755 "$T"

SECRET=root-secret-$TID-hunter2
OPSECRET=db-password-$TID-given
mkdir -m 700 "$T/root"
printf 'ROOT_SECRET=%s\n' "$SECRET" >"$T/root/secret.env"
chmod 600 "$T/root/secret.env"
# The operator's file for the service: root's folder, root's file, 0600.
mkdir -m 755 "$T/etc"
printf 'DB_PASSWORD=%s\n' "$OPSECRET" >"$T/etc/app.env"
chmod 600 "$T/etc/app.env"

svcdir() { mkdir -m 755 "$T/$1" && chown nobody "$T/$1"; }
svcdir evil
svcdir fifo
svcdir pids
printf 'APP_VAR=fine\n' >"$T/evil/app.env"
printf 'APP_VAR=fine\n' >"$T/fifo/app.env"
chown nobody "$T/evil/app.env" "$T/fifo/app.env"

# evil: the first run records its environment and swaps its env_file for
# a link to root's; a second run (if tend let it start) records it again.
cat >"$T/evil.sh" <<EOT
#!/bin/sh
D=$T/evil
if [ ! -e \$D/swapped ]; then
	env >\$D/env.1
	: >\$D/swapped
	rm -f \$D/app.env
	ln -s $T/root/secret.env \$D/app.env
	exit 1
fi
env >\$D/env.2
echo \$\$ >\$D/pid
exec sleep 1000
EOT
cat >"$T/fifo.sh" <<EOT
#!/bin/sh
D=$T/fifo
if [ ! -e \$D/swapped ]; then
	: >\$D/swapped
	rm -f \$D/app.env
	mkfifo \$D/app.env
	exit 1
fi
echo \$\$ >\$D/pid
exec sleep 1000
EOT
chmod 755 "$T"/*.sh

cat >"$T/tend.ini" <<EOT
[service:evil]
command = sh $T/evil.sh
user = nobody
env_file = $T/evil/app.env
restart = on-failure
restart_delay = 100ms

[service:fifo]
command = sh $T/fifo.sh
user = nobody
env_file = $T/fifo/app.env
restart = on-failure
restart_delay = 100ms

[service:app]
command = sh -c 'echo \$\$\$\$ >$T/pids/app; exec sleep 1000'
user = nobody
env_file = $T/etc/app.env
EOT

tend_start "$T/tend.ini" -v

# --- the attack
evil_done() { test -s "$T/evil/pid" || log_has "$(svclog evil)cannot start"; }
wait_until 15 evil_done || fail "evil: neither restarted nor refused: $(tail -5 "$LOG")"
check "first run: the service's own env_file was read" grep -qx "APP_VAR=fine" "$T/evil/env.1"
check "symlink attack: the restart failed, it did not run" test ! -e "$T/evil/env.2"
check "symlink attack: no environment the service saw holds root's secret" \
	sh -c "! cat '$T/evil/env.1' '$T/evil/env.2' 2>/dev/null | grep -q '$SECRET'"
if [ -s "$T/evil/pid" ]; then
	check "symlink attack: /proc/PID/environ lacks root's secret" \
		sh -c "! tr '\0' '\n' </proc/$(cat "$T/evil/pid")/environ | grep -q '$SECRET'"
fi
check "symlink attack: the log line names the env_file" \
	log_has "$(svclog evil)cannot start: cannot read env_file '$T/evil/app.env'"

# --- the FIFO: a clear failed start, not a child stuck in open()
wait_until 15 log_has "$(svclog fifo)cannot start: .*env_file '$T/fifo/app.env'"
check "FIFO swapped in: the start fails, naming the env_file" \
	log_has "$(svclog fifo)cannot start: .*env_file '$T/fifo/app.env'"
check "FIFO swapped in: the service did not run" test ! -e "$T/fifo/pid"

# --- the ordinary case: root's 0600 file given to a `user =` service
if wait_file 10 "$T/pids/app"; then
	APID=$(cat "$T/pids/app")
	wait_until 5 grep -qx sleep "/proc/$APID/comm"
	check_eq "root's 0600 env_file: the service (nobody) has its value" "$OPSECRET" \
		"$(tr '\0' '\n' <"/proc/$APID/environ" | sed -n 's/^DB_PASSWORD=//p')"
	check_eq "root's 0600 env_file: the service runs as nobody" 65534 "$(proc_status "$APID" Uid | awk '{print $1}')"
else
	fail "app with root's env_file did not start: $(tail -3 "$LOG")"
fi

# The refusals, for the record.
grep "cannot start" "$LOG" | sort -u | sed 's/^/# /'
tend_stop
check_eq "tend stops cleanly" 0 "$TEND_RC"
check "no secret in tend's log" sh -c "! grep -q -e '$SECRET' -e '$OPSECRET' '$LOG'"
check "no secret in tend's stdout" sh -c "! grep -q -e '$SECRET' -e '$OPSECRET' '$OUT'"
