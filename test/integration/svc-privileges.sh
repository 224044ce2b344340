#!/bin/bash
# Privileges of a service, read from /proc/PID/status: the five capability
# sets are exactly `capabilities` (none by default), also for a non-root
# user; NoNewPrivs by default; Uid/Gid/Groups from the container's own
# /etc/passwd and /etc/group (here: a scratch copy bind-mounted over them in
# a private mount namespace, the host's files are never touched); start
# failures (no such user, no such program) under the restart policy and as
# tend's exit status.
. "$TOP_SRCDIR/test/lib.sh"
need_root
need_cmd unshare mount
. "$TOP_SRCDIR/test/integration/svc-lib.sh"
chmod 755 "$T"
mkdir -m 1777 "$T/run"

REAL_TEND=$TEND
# tend in a private mount namespace whose /etc/passwd and /etc/group are
# ours; the same pid all along (unshare without --fork, then exec).
mkdir "$T/etc"
cp /etc/passwd /etc/group "$T/etc/"
cat >>"$T/etc/passwd" <<EOT
svcapp:x:1500:1500:test user:/nonexistent:/usr/sbin/nologin
svcnogrp:x:1510:1510:no group entry:/nonexistent:/usr/sbin/nologin
EOT
cat >>"$T/etc/group" <<EOT
svcapp:x:1500:
svcx1:x:1601:someone,svcapp
svcx2:x:1602:svcapp
svcx3:x:1603:someone
EOT
cat >"$T/tend-wrap" <<EOT
#!/bin/sh
exec unshare --mount sh -c 'mount --bind "$T/etc/passwd" /etc/passwd && mount --bind "$T/etc/group" /etc/group && exec "\$0" "\$@"' "$REAL_TEND" "\$@"
EOT
chmod 755 "$T/tend-wrap"

# run_svc NAME 'INI KEYS (one per line)': start tend with that one service
# (sleeping, its pid in $T/NAME.pid); sets PID.
run_svc() {
	local name=$1 keys=$2
	rm -f "$T/run/$name.pid"
	{
		echo "[service:$name]"
		echo "command = sh -c 'echo \$\$\$\$ > $T/run/$name.pid; exec sleep 1000'"
		printf '%s\n' "$keys"
	} >"$T/$name.ini"
	TEND=$T/tend-wrap tend_start "$T/$name.ini"
	wait_file 10 "$T/run/$name.pid" || { fail "$name: did not start: $(tail -3 "$LOG")"; PID=; return 1; }
	PID=$(svc_pid "$T/run/$name.pid")
	# Past the exec of sleep: what we read is the service's, not the shell's
	wait_until 5 grep -qx sleep "/proc/$PID/comm"
}
st() { proc_status "$PID" "$1"; }
# The five sets as one line.
caps() { echo "$(st CapInh) $(st CapPrm) $(st CapEff) $(st CapBnd) $(st CapAmb)"; }
Z=0000000000000000
NBS=0000000000000400                 # CAP_NET_BIND_SERVICE (10)
NBS_RAW=0000000000002400             # + CAP_NET_RAW (13)

# --- default: no capability at all, no_new_privs, tend's own ids
if run_svc plain ""; then
	check_eq "default: all five capability sets empty" "$Z $Z $Z $Z $Z" "$(caps)"
	check_eq "default: NoNewPrivs 1" 1 "$(st NoNewPrivs)"
	check_eq "default: runs as tend's uid (root)" "0 0 0 0" "$(st Uid)"
	tend_stop
	check_eq "stopped by tend: exit 0" 0 "$TEND_RC"
fi

# --- capabilities, root
if run_svc caps "capabilities = net_bind_service, CAP_NET_RAW"; then
	check_eq "root + capabilities: exactly NET_BIND_SERVICE,NET_RAW in all five sets" \
		"$NBS_RAW $NBS_RAW $NBS_RAW $NBS_RAW $NBS_RAW" "$(caps)"
	tend_stop
fi

# --- capabilities kept by a non-root user (ambient), nobody from /etc/passwd
if run_svc nobodycap "user = nobody
capabilities = NET_BIND_SERVICE"; then
	check_eq "nobody + NET_BIND_SERVICE: all five sets" "$NBS $NBS $NBS $NBS $NBS" "$(caps)"
	check_eq "nobody: Uid" "65534 65534 65534 65534" "$(st Uid)"
	check_eq "nobody: Gid (primary group)" "65534 65534 65534 65534" "$(st Gid)"
	check_eq "nobody: Groups (only its primary)" "65534" "$(st Groups)"
	check_eq "nobody: NoNewPrivs 1" 1 "$(st NoNewPrivs)"
	tend_stop
fi

# --- numeric uid with capability, no_new_privileges = no
if run_svc numcap "user = 4242
capabilities = NET_BIND_SERVICE
no_new_privileges = no"; then
	check_eq "uid 4242 + NET_BIND_SERVICE: all five sets" "$NBS $NBS $NBS $NBS $NBS" "$(caps)"
	check_eq "no_new_privileges = no: NoNewPrivs 0" 0 "$(st NoNewPrivs)"
	check_eq "numeric user without entry: Uid" "4242 4242 4242 4242" "$(st Uid)"
	check_eq "numeric user without entry: Gid of the same number" "4242 4242 4242 4242" "$(st Gid)"
	check_eq "numeric user without entry: no supplementary groups at all (fine print)" "" "$(st Groups)"
	tend_stop
fi

# --- a named user with supplementary groups from /etc/group
if run_svc app "user = svcapp"; then
	check_eq "svcapp: Uid" "1500 1500 1500 1500" "$(st Uid)"
	check_eq "svcapp: Gid is its primary group" "1500 1500 1500 1500" "$(st Gid)"
	check_eq "svcapp: Groups = primary + every group listing it" "1500 1601 1602" "$(st Groups)"
	check_eq "svcapp: no capability" "$Z $Z $Z $Z $Z" "$(caps)"
	tend_stop
fi

# --- user + group by name: gid from `group`
if run_svc appgrp "user = svcapp
group = svcx3"; then
	check_eq "user + group: Gid from group" "1603 1603 1603 1603" "$(st Gid)"
	check_eq "user + group: Uid" "1500 1500 1500 1500" "$(st Uid)"
	tend_stop
fi

# --- numeric user that has an entry: its name's groups
if run_svc appnum "user = 1500"; then
	check_eq "numeric user with an entry: Groups from /etc/group" "1500 1601 1602" "$(st Groups)"
	tend_stop
fi

# --- group alone: tend's uid, that gid
if run_svc grponly "group = daemon"; then
	check_eq "group alone: Gid" "1 1 1 1" "$(st Gid)"
	check_eq "group alone: Uid stays tend's" "0 0 0 0" "$(st Uid)"
	tend_stop
fi

# --- a user with no entry in /etc/group for its primary gid
if run_svc nogrp "user = svcnogrp"; then
	check_eq "primary gid without a group entry" "1510 1510 1510 1510" "$(st Gid)"
	tend_stop
fi

# --- user not found: clear line, restart policy applies (2 restarts, failed)
: >"$LOG"
cat >"$T/ghost.ini" <<EOT
[service:ghost]
command = sleep 1000
user = ghost$TID
restart = on-failure
restart_delay = 10ms
restart_limit = 2
EOT
TEND=$T/tend-wrap tend_start "$T/ghost.ini"
tend_wait 10
check "user not found: clear log line" log_has "ghost: cannot start: user 'ghost$TID' not found in /etc/passwd"
check_eq "user not found: tried 3 times (restart policy applies)" 3 "$(log_count "not found in /etc/passwd")"
check "user not found: gives up under restart_limit" log_has "giving up after 2 restarts"
check_eq "user not found, no main: tend exits 1" 1 "$TEND_RC"

# --- group not found
: >"$LOG"
cat >"$T/ghostg.ini" <<EOT
[service:ghostg]
command = sleep 1000
group = ghostgroup$TID
restart = no
EOT
TEND=$T/tend-wrap tend_start "$T/ghostg.ini"
tend_wait 10
check "group not found: clear log line" log_has "group 'ghostgroup$TID' not found in /etc/group"

# --- main service that cannot start: 127 (no program), 126 (anything else)
: >"$LOG"
cat >"$T/main127.ini" <<EOT
[tend]
main = web
[service:web]
command = /nonexistent/prog$TID --flag
restart = no
EOT
tend_start "$T/main127.ini"
tend_wait 10
check_eq "main service without a program: tend exits 127" 127 "$TEND_RC"
check "no program: the log names it" log_has "cannot execute '/nonexistent/prog$TID'"

: >"$LOG"
cat >"$T/main126.ini" <<EOT
[tend]
main = web
[service:web]
command = sleep 1000
user = ghost$TID
restart = no
EOT
TEND=$T/tend-wrap tend_start "$T/main126.ini"
tend_wait 10
check_eq "main service with an unknown user: tend exits 126" 126 "$TEND_RC"

: >"$LOG"
printf '#!/bin/sh\nexit 0\n' >"$T/noexec"
chmod 644 "$T/noexec"
cat >"$T/main126b.ini" <<EOT
[tend]
main = web
[service:web]
command = $T/noexec
restart = no
EOT
tend_start "$T/main126b.ini"
tend_wait 10
check_eq "main service not executable: tend exits 126" 126 "$TEND_RC"

: >"$LOG"
cat >"$T/main126c.ini" <<EOT
[tend]
main = web
[service:web]
command = true
directory = $T/no-such-dir
restart = no
EOT
tend_start "$T/main126c.ini"
tend_wait 10
check_eq "main service with a missing directory: tend exits 126" 126 "$TEND_RC"
check "missing directory: the log names it" log_has "cannot change directory to '$T/no-such-dir'"
