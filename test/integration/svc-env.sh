#!/bin/bash
# Environment of a service: tend's own, then env_file, then env (later
# wins); tend's NOTIFY_SOCKET never reaches a service; no value of the
# environment ever appears in tend's log, even at -v.
. "$TOP_SRCDIR/test/lib.sh"
. "$TOP_SRCDIR/test/integration/svc-lib.sh"

SECRET=s3cr3t-$TID-hunter2
cat >"$T/web.env" <<EOT
# a comment
FROM_FILE=file
BOTH_FILE_ENV=file
TEND_AND_FILE=file
export EXPORTED="quoted value"
PASSWORD=$SECRET
EOT
chmod 600 "$T/web.env"
cat >"$T/tend.ini" <<EOT
[service:web]
command = sh -c 'echo \$\$\$\$ > $T/pid; exec sleep 1000'
env_file = $T/web.env
env = BOTH_FILE_ENV=env
env = TEND_AND_ENV=env
env = ONLY_ENV=env
env = DB_PASSWORD=$SECRET
EOT

TEND_ENV=(FROM_TEND=tend TEND_AND_FILE=tend TEND_AND_ENV=tend NOTIFY_SOCKET=$T/upward.sock)
tend_start "$T/tend.ini" -v
wait_file 10 "$T/pid" || die "service did not start: $(cat "$LOG")"
PID=$(svc_pid "$T/pid")
wait_until 5 test -r "/proc/$PID/environ"
wait_until 5 grep -q sleep "/proc/$PID/comm"
envof() { tr '\0' '\n' <"/proc/$PID/environ" | sed -n "s/^$1=//p"; }

check_eq "tend's own variable is passed" tend "$(envof FROM_TEND)"
check_eq "env_file overrides tend's" file "$(envof TEND_AND_FILE)"
check_eq "env overrides tend's" env "$(envof TEND_AND_ENV)"
check_eq "env overrides env_file" env "$(envof BOTH_FILE_ENV)"
check_eq "env_file alone" file "$(envof FROM_FILE)"
check_eq "env alone" env "$(envof ONLY_ENV)"
check_eq "env_file: export and quotes" "quoted value" "$(envof EXPORTED)"
check_eq "PATH inherited from tend" "$PATH" "$(envof PATH)"
check "tend's NOTIFY_SOCKET is not visible to the service" \
	sh -c "! tr '\0' '\n' </proc/$PID/environ | grep -q '^NOTIFY_SOCKET='"
check_eq "each variable once" "" \
	"$(tr '\0' '\n' <"/proc/$PID/environ" | cut -d= -f1 | sort | uniq -d)"

tend_stop
check_eq "tend exits 0 after SIGTERM (no main)" 0 "$TEND_RC"
check "the log is not empty (-v)" test -s "$LOG"
check "no secret value in tend's log" sh -c "! grep -q -e '$SECRET' '$LOG'"
check "no secret value in tend's stdout" sh -c "! grep -q -e '$SECRET' '$OUT'"

# A world-readable env_file is warned about, by name, still without values.
: >"$LOG"
chmod 644 "$T/web.env"
tend_start "$T/tend.ini"
wait_log 10 "readable by everyone" 
check "world-readable env_file is warned about" log_has "env_file '$T/web.env' is readable by everyone"
tend_stop
check "still no secret value in the log" sh -c "! grep -q -e '$SECRET' '$LOG'"

# A missing env_file is a failed start, with a clear line, not a crash.
: >"$LOG"
cat >"$T/bad.ini" <<EOT
[service:web]
command = true
env_file = $T/missing.env
restart = no
EOT
tend_start "$T/bad.ini"
tend_wait 10
check_eq "missing env_file: tend exits 1 (the only service failed)" 1 "$TEND_RC"
check "missing env_file: logged with its name" log_has "cannot read env_file '$T/missing.env'"

# A line that is not KEY=VALUE: a failed start naming the file and the
# line number, never the line itself (it may hold a secret).
: >"$LOG"
printf 'A=1\n\n# comment\nexport  B="2"\nsecret-without-equals-%s\nC=3\n' "$SECRET" >"$T/broken.env"
chmod 0600 "$T/broken.env"
sed "s|$T/missing.env|$T/broken.env|" "$T/bad.ini" >"$T/broken.ini"
tend_start "$T/broken.ini"
tend_wait 10
check_eq "broken env_file: tend exits 1" 1 "$TEND_RC"
check "broken env_file: file and line 5 named" log_has "env_file '$T/broken.env': line 5 is not KEY=VALUE"
check "broken env_file: the line's text is not printed" sh -c "! grep -q -e '$SECRET' '$LOG'"
