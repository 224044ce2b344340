#!/bin/bash
# Rotation and trust (issue 15, contract section 6): a rotation renames
# FILE.N and makes a new FILE. In a folder the service can write, it could
# swap a symbolic link in for FILE.1 (or FILE) before the rotation and have
# tend, with root's rights, rename over or write into a file of root's:
# tend refuses log_max_size there, at start, with a clear reason (and for
# a service running as root, whose folders they all are). The attack is
# real: the service plants the link, then writes well over the size.
# Root's file stays byte for byte what it was.
. "$TOP_SRCDIR/test/lib.sh"
need_root
need_cmd cmp
id nobody >/dev/null 2>&1 || skip "needs user nobody"
. "$TOP_SRCDIR/test/integration/svc-lib.sh"
chmod 755 "$T"
mkdir -m 700 "$T/root"
printf 'root only\n' >"$T/root/target"
chmod 600 "$T/root/target"
cp -p "$T/root/target" "$T/orig"
mkdir -m 755 "$T/evil" "$T/rootlog"
chown nobody "$T/evil"
# Before its first line the service plants links to root's file for the
# rotated names, then floods.
cat >"$T/evil.sh" <<EOT
#!/bin/sh
for i in 1 2 3; do ln -sf $T/root/target \$1.\$i; done
i=0; while [ \$i -lt 3000 ]; do echo "flood line \$i to fill the log well past its size"; i=\$((i+1)); done
exec sleep 1000
EOT
chmod 755 "$T/evil.sh"
cat >"$T/tend.ini" <<EOT
[service:evil]
command = $T/evil.sh $T/evil/out.log
user = nobody
stdout = $T/evil/out.log
log_max_size = 4K
log_max_files = 3
restart = no
[service:rootsvc]
command = $T/evil.sh $T/rootlog/out.log
stdout = $T/rootlog/out.log
log_max_size = 4K
log_max_files = 3
restart = no
EOT
tend_start "$T/tend.ini"
wait_log 10 "$(svclog evil)cannot start" || fail "the service-writable folder: start refused"
wait_log 10 "$(svclog rootsvc)cannot start" || fail "the root service: start refused"
check "the reason names the file and the folder rule" \
	grep -q "evil: cannot start: cannot rotate '$T/evil/out.log' (log_max_size): a folder on its path is not root's alone" "$LOG"
check "the reason for a root service" \
	grep -q "rootsvc: cannot start: cannot rotate '$T/rootlog/out.log' (log_max_size): it runs as root" "$LOG"
# Give an unfixed tend (which lets them run) the time to flood and rotate.
sleep 1
check "root's file is unchanged" cmp -s "$T/orig" "$T/root/target"
check_eq "root's file: same owner and mode" "0 600" "$(stat -c '%u %a' "$T/root/target")"
check "no rotated file was made" sh -c "! ls '$T/evil' '$T/rootlog' | grep -q '\.[0-9]\$' || ! ls -l '$T/evil' '$T/rootlog' | grep -v -- '->' | grep -q 'out.log\.'"
tend_stop
