#!/bin/bash
# cwd-host: tend never holds the directory it was started in, in any mode
# (tend(8), WORKING DIRECTORY). It notes that directory for the command and
# for services without `directory`, makes the relative paths it keeps for
# later absolute (-c, which reload re-reads), and moves to /: as a plain
# process on the host (a subreaper), as the outer relay of `-u pid`, as
# PID 1 inside. Otherwise a umount of the start directory's file system
# fails with EBUSY for as long as tend runs, although nothing of the
# services' is there.
#   1. /proc/TEND/cwd is / (config mode, single-command mode, the relay
#      and PID 1 of -u pid), while the service and the command run in the
#      start directory; a relative -r still works.
#   2. A relative `-c conf/tend.ini` is re-read by `tendctl reload` from
#      the start directory, through a symbolic link the operator swapped
#      (not resolved once at start); reload errors name the file.
#   3. A relative stdout path in the file is refused at load (FILE:LINE),
#      as tend.ini(5) says: it never lands in some other directory.
#   4. The start directory is a tmpfs of the test: with services in
#      `directory = /`, `umount` of it succeeds while tend runs (host
#      process, and the relay of -u pid).
#   5. A relative -c from a start directory that cannot be named (deeper
#      than PATH_MAX) is refused (70): reload would read another file.
. "$TOP_SRCDIR/test/lib.sh"
need_root
need_cmd unshare busybox mount umount
. "$TOP_SRCDIR/test/integration/ctl-lib.sh"

cwd_of() { readlink "/proc/$1/cwd" 2>&1; }
child_of() { ps -o pid= --ppid "$1" 2>/dev/null | awk 'NR==1 {print $1}'; }
has_child() { [ -n "$(child_of "$1")" ]; }

S=$T/start
mkdir -p "$S/conf.v1" "$S/conf.v2"
ln -s conf.v1 "$S/conf"

# --- 1 and 2: a configuration, tend started in $S with -c conf/tend.ini ---
cat >"$S/conf.v1/tend.ini" <<INI
[tend]
control = $SOCK
[service:here]
command = sleep 1000
INI
cat >"$S/conf.v2/tend.ini" <<INI
[tend]
control = $SOCK
[service:here]
command = sleep 1000
[service:added]
command = sleep 1001
INI
cd "$S" && tend_start conf/tend.ini; cd /
ctl_up 10 || die "the control socket does not answer; log: $(cat "$LOG")"
check "config: the service runs" wait_until 10 state_is here ready
check_eq "config: tend (not PID 1) left its start directory" "/" "$(cwd_of "$TEND_PID")"
check_eq "config: the service runs in the start directory" "$S" "$(cwd_of "$(svc_pid_of here)")"

# 2. The operator points conf at another folder and reloads.
ln -sfn conf.v2 "$S/conf"
out=$(ctl reload 2>&1); rc=$?
check_eq "relative -c, swapped link: reload exits 0" 0 "$rc"
check "relative -c, swapped link: the new file's service runs" wait_until 10 state_is added ready
check_eq "relative -c: the services now" "added here" \
	"$(ctl status --json | jq -r '[.services[].name] | sort | join(" ")')"
printf 'bogus = 1\n' >>"$S/conf.v2/tend.ini"
err=$(ctl reload 2>&1); rc=$?
check_eq "relative -c, invalid file: reload exits 1" 1 "$rc"
check "relative -c, invalid file: the error names the file re-read" \
	grep -q "^$S/conf/tend.ini:7: " <<<"$err"
check_eq "relative -c, after all that: tend still in /" "/" "$(cwd_of "$TEND_PID")"
tend_stop 10
check_eq "config: tend ends normally" 0 "$TEND_RC"

# --- 1: single-command mode, no file (the default one is missing) ---
if [ -e /etc/tend/tend.ini ]; then
	echo "# /etc/tend/tend.ini exists: single-command mode without a file not tested"
else
	(cd "$S" && exec "$TEND" -- sleep 1000 2>>"$LOG") &
	p=$!
	cleanup "_svc_kill_tree $p"
	wait_until 10 has_child "$p" || die "single-command mode: no command started; log: $(cat "$LOG")"
	check_eq "single command: tend left its start directory" "/" "$(cwd_of "$p")"
	check_eq "single command: the command runs in the start directory" "$S" "$(cwd_of "$(child_of "$p")")"
	kill -TERM "$p"; wait "$p"
	check_eq "single command: ends with the command (SIGTERM)" 143 "$?"
fi

# --- 1: -u pid: the relay outside and PID 1 inside ---
(cd "$S" && exec "$TEND" -u pid -- sleep 1000 2>>"$LOG") &
p=$!
cleanup "_svc_kill_tree $p"
wait_until 10 has_child "$p" || die "-u pid: no PID 1; log: $(cat "$LOG")"
inner=$(child_of "$p")
wait_until 10 has_child "$inner" || die "-u pid: no command; log: $(cat "$LOG")"
check_eq "-u pid: the relay left its start directory" "/" "$(cwd_of "$p")"
check_eq "-u pid: PID 1 left its start directory" "/" "$(cwd_of "$inner")"
check_eq "-u pid: the command runs in the start directory" "$S" "$(cwd_of "$(child_of "$inner")")"
kill -TERM "$p"; wait "$p"
check_eq "-u pid: ends with the command (SIGTERM)" 143 "$?"

# --- 1: -r with a relative root, taken from the start directory ---
root=$T/rootfs
mkdir -p "$root/bin" "$root/tmp"
cp "$(command -v busybox)" "$root/bin/busybox"
for c in sh pwd readlink; do ln -s busybox "$root/bin/$c"; done
cleanup "grep -o ' $root[^ ]*' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l"
out=$(cd "$T" && "$TEND" -u pid,mount -r rootfs -- /bin/sh -c 'pwd; readlink /proc/1/cwd' 2>&1)
check_eq "-r relative: runs in the new root, PID 1 in its /" "$(printf '/\n/')" "$out"

# --- 3: a relative output path is refused, with FILE:LINE ---
cat >"$S/conf/rel.ini" <<'INI'
[service:web]
command = sleep 1
stdout = log/web.log
INI
err=$(cd "$S" && "$TEND" --check -c conf/rel.ini 2>&1); rc=$?
check_eq "relative stdout: refused (78)" 78 "$rc"
check_eq "relative stdout: the reason" "conf/rel.ini:3: 'stdout' must be an absolute path, not 'log/web.log'" "$err"

# --- 4: the start directory is a tmpfs, umounted while tend runs ---
M=$T/mnt
mkdir -p "$M"
mount -t tmpfs -o size=1m tend-cwd-$TID "$M" || die "cannot mount a tmpfs"
cleanup "umount -l '$M'"
cat >"$T/root.ini" <<INI
[tend]
control = $SOCK
[service:elsewhere]
command = sleep 1000
directory = /
INI
cd "$M" && tend_start "$T/root.ini"; cd /
ctl_up 10 || die "the control socket does not answer; log: $(cat "$LOG")"
check "tmpfs: the service runs" wait_until 10 state_is elsewhere ready
err=$(umount "$M" 2>&1); rc=$?
check_eq "tmpfs: umount of tend's start directory succeeds while tend runs${err:+ ($err)}" 0 "$rc"
check "tmpfs: tend still runs" test -d "/proc/$TEND_PID"
tend_stop 10
check_eq "tmpfs: tend ends normally" 0 "$TEND_RC"
mountpoint -q "$M" || mount -t tmpfs -o size=1m tend-cwd-$TID "$M" || die "cannot mount a tmpfs"

(cd "$M" && exec "$TEND" -u pid -c "$T/root.ini" 2>>"$LOG") &
p=$!
TEND_PID=$p
cleanup "_svc_kill_tree $p"
ctl_up 10 || die "-u pid: the control socket does not answer; log: $(cat "$LOG")"
err=$(umount "$M" 2>&1); rc=$?
check_eq "tmpfs, -u pid: umount succeeds while the relay and PID 1 run${err:+ ($err)}" 0 "$rc"
kill -TERM "$p"; wait "$p"
check_eq "tmpfs, -u pid: tend ends normally" 0 "$?"

# --- 5: a relative -c with no nameable start directory: refused ---
# getcwd() fails past PATH_MAX: reload could only re-read the file from
# the wrong place, so tend says so and does not start (70).
cd "$T" && for i in $(seq 20); do mkdir "d$(printf '%0250d' "$i")" && cd "d$(printf '%0250d' "$i")" || die "cannot make a deep folder"; done
printf '[tend]\ncontrol =\n[service:a]\ncommand = true\n' >tend.ini
err=$("$TEND" -c tend.ini 2>&1); rc=$?
cd /
check_eq "no start directory, relative -c: tend does not start (70)" 70 "$rc"
check "no start directory, relative -c: the reason" grep -q "cannot keep the relative -c 'tend.ini' for reload without the working directory (give an absolute path)" <<<"$err"
