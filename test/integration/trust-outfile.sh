#!/bin/bash
# Trust, stdout/stderr = FILE (contract section 6): a service can never make
# tend write a file the service itself could not.
#
# The attack: a service running as nobody owns the folder its logs are in.
# It replaces both logs with symbolic links to files only root may write,
# exits 1 and waits to be restarted. tend must not open the targets with
# its own rights: they stay byte for byte what they were, and the start
# fails with a line naming the log. The same service swapping its log for
# a FIFO must not hang its start either.
#
# What must keep working: a log in a folder only root can change (the
# /var/log case) for a non-root service, also through root's own symbolic
# link; a log in the service's own folder.
. "$TOP_SRCDIR/test/lib.sh"
need_root
need_cmd mkfifo cmp
id nobody >/dev/null 2>&1 || skip "needs user nobody"
. "$TOP_SRCDIR/test/integration/svc-lib.sh"
chmod 755 "$T"

# Root's files the attack aims at: mode 0600 in a root-only folder.
mkdir -m 700 "$T/root"
printf 'root only, out\n' >"$T/root/target-out"
printf 'root only, err\n' >"$T/root/target-err"
chmod 600 "$T/root/target-out" "$T/root/target-err"
cp -p "$T/root/target-out" "$T/orig-out"
cp -p "$T/root/target-err" "$T/orig-err"

# Folders owned by the service's user.
svcdir() { mkdir -m 755 "$T/$1" && chown nobody "$T/$1"; }
svcdir evil
svcdir fifo
svcdir own
svcdir pids
# The /var/log case: root's folder, and root's link to it.
mkdir -m 755 "$T/log"
ln -s "$T/log" "$T/loglink"

# evil: first run swaps its logs for links to root's files and asks for a
# restart; a second run (if tend let it start) writes into them.
cat >"$T/evil.sh" <<EOT
#!/bin/sh
D=$T/evil
if [ ! -e \$D/swapped ]; then
	echo first-run; echo first-run-err >&2
	: >\$D/swapped
	rm -f \$D/out.log \$D/err.log
	ln -s $T/root/target-out \$D/out.log
	ln -s $T/root/target-err \$D/err.log
	exit 1
fi
echo ATTACK-OUT; echo ATTACK-ERR >&2
echo \$\$ >\$D/pid
exec sleep 1000
EOT
# fifo: swaps its log for a FIFO nobody reads.
cat >"$T/fifo.sh" <<EOT
#!/bin/sh
D=$T/fifo
if [ ! -e \$D/swapped ]; then
	: >\$D/swapped
	rm -f \$D/out.log
	mkfifo \$D/out.log
	exit 1
fi
echo \$\$ >\$D/pid
exec sleep 1000
EOT
# good: a well-behaved service, its pid in pids/NAME.
cat >"$T/good.sh" <<EOT
#!/bin/sh
echo "hello-out \$1"; echo "hello-err \$1" >&2
echo \$\$ >$T/pids/\$1
exec sleep 1000
EOT
chmod 755 "$T"/*.sh

cat >"$T/tend.ini" <<EOT
[service:evil]
command = sh $T/evil.sh
user = nobody
stdout = $T/evil/out.log
stderr = $T/evil/err.log
restart = on-failure
restart_delay = 100ms

[service:fifo]
command = sh $T/fifo.sh
user = nobody
stdout = $T/fifo/out.log
restart = on-failure
restart_delay = 100ms

[service:varlog]
command = sh $T/good.sh varlog
user = nobody
stdout = $T/log/app.log
stderr = $T/log/app.err

[service:linked]
command = sh $T/good.sh linked
user = nobody
stdout = $T/loglink/linked.log

[service:own]
command = sh $T/good.sh own
user = nobody
stdout = $T/own/out.log

[service:nnp]
command = sh $T/good.sh nnp
user = nobody
no_new_privileges = no
stdout = $T/log/nnp.log
restart = no
EOT

tend_start "$T/tend.ini"

# --- the attack
evil_done() { test -s "$T/evil/pid" || log_has "$(svclog evil)cannot start"; }
wait_until 15 evil_done || fail "evil: neither restarted nor refused: $(tail -5 "$LOG")"
check "symlink attack: root's stdout target unchanged, byte for byte" cmp -s "$T/orig-out" "$T/root/target-out"
check "symlink attack: root's stderr target unchanged, byte for byte" cmp -s "$T/orig-err" "$T/root/target-err"
check "symlink attack: nothing of the service's output in root's files" \
	sh -c "! grep -q ATTACK '$T/root/target-out' '$T/root/target-err'"
check "symlink attack: the restart failed, it did not run" test ! -e "$T/evil/pid"
check "symlink attack: the log line names the file" \
	log_has "$(svclog evil)cannot start: cannot open '$T/evil/out.log'"
check_eq "symlink attack: target still root's 0600" "0:0 600" "$(stat -c '%u:%g %a' "$T/root/target-out")"

# --- the FIFO: a clear failed start, not a child stuck in open()
wait_until 15 log_has "$(svclog fifo)cannot start: cannot open '$T/fifo/out.log'" 
check "FIFO swapped in: the start fails, naming the file" \
	log_has "$(svclog fifo)cannot start: cannot open '$T/fifo/out.log'"
check "FIFO swapped in: the service did not run" test ! -e "$T/fifo/pid"

# --- the ordinary cases
wait_file 10 "$T/pids/varlog" && wait_until 5 grep -q hello-out "$T/log/app.log" 2>/dev/null
check "root's log folder, non-root service: stdout written" grep -qx "hello-out varlog" "$T/log/app.log"
check "root's log folder, non-root service: stderr written" grep -qx "hello-err varlog" "$T/log/app.err"
check_eq "root's log folder: the service runs as nobody" "65534" "$(proc_status "$(cat "$T/pids/varlog")" Uid | awk '{print $1}')"
wait_file 10 "$T/pids/linked" && wait_until 5 grep -q hello-out "$T/log/linked.log" 2>/dev/null
check "root's link to root's log folder: stdout written" grep -qx "hello-out linked" "$T/log/linked.log"
wait_file 10 "$T/pids/own" && wait_until 5 grep -q hello-out "$T/own/out.log" 2>/dev/null
check "the service's own folder: stdout written" grep -qx "hello-out own" "$T/own/out.log"

# A service that may gain root through a set-user-ID program could make
# root's folder lead elsewhere: its log is opened with its own rights.
wait_until 10 log_has "$(svclog nnp)cannot start"
check "no_new_privileges = no: opened with the service's rights, which cannot write root's folder" \
	log_has "$(svclog nnp)cannot start: cannot open '$T/log/nnp.log' with the service's rights (no_new_privileges = no): Permission denied"
check "no_new_privileges = no: tend did not create the file" test ! -e "$T/log/nnp.log"

# The refusals, for the record.
grep "cannot start" "$LOG" | sort -u | sed 's/^/# /'

tend_stop
check_eq "tend stops cleanly" 0 "$TEND_RC"
check "root's files still unchanged at the end" \
	sh -c "cmp -s '$T/orig-out' '$T/root/target-out' && cmp -s '$T/orig-err' '$T/root/target-err'"
