#!/bin/bash
# ns-unshare: `tend -u` makes its own namespaces, with tend as PID 1 of the
# new PID namespace and a fresh /proc; `-r` pivots into a root with /proc,
# /sys, /dev mounted; the outer tend passes the exit status out and the
# signals in, and takes the namespace down with it.
. "$TOP_SRCDIR/test/lib.sh"
need_root
need_cmd busybox unshare
[ -x "$TEND" ] || skip "no $TEND"

T=$(mktmp)

# 1. PID 1 is tend, and /proc is the new namespace's.
out=$("$TEND" -u pid,mount -- sh -c 'tr "\0" "\n" </proc/1/cmdline | head -n1; ls /proc | grep -c "^[0-9]"; echo $$')
check_eq "PID 1 of the new namespace is tend" "$TEND" "$(sed -n 1p <<<"$out")"
n=$(sed -n 2p <<<"$out")
check "fresh /proc shows only the namespace's few processes ($n)" test "${n:-99}" -le 5
check "the command is not PID 1" test "$(sed -n 3p <<<"$out")" -gt 1
check "the host's /proc is untouched" test "$(ls /proc | grep -c '^[0-9]')" -gt "${n:-0}"

# 2. The exit status passes through the outer tend.
"$TEND" -u pid,mount -- sh -c 'exit 42'
check_eq "exit status through the relay" 42 "$?"
"$TEND" -u pid,mount -- sh -c 'kill -KILL $$'
check_eq "killed by SIGKILL: 128+9 through the relay" 137 "$?"

# 3. -r: a root the test builds from busybox-static.
root=$T/rootfs
mkdir -p "$root/bin"
cp "$(command -v busybox)" "$root/bin/busybox"
for c in sh ls cat grep test readlink hostname sleep; do ln -s busybox "$root/bin/$c"; done
echo here >"$root/MARKER"
# Mounts are private to tend's namespace; this is only in case one leaks.
cleanup "grep -o ' $root[^ ]*' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l"

out=$("$TEND" -u pid,mount,uts -r "$root" -- /bin/sh -c '
	cat /MARKER
	test -c /dev/null && echo devnull
	while read -r _ _ _ _ mp _; do echo "mnt $mp"; done </proc/self/mountinfo
	echo pid1=$(cat /proc/1/comm)
	exit 7')
rc=$?
check_eq "exit status with -r" 7 "$rc"
check "-r: the new root (marker file)" grep -qx here <<<"$out"
check "-r: /dev/null is a character device" grep -qx devnull <<<"$out"
for mp in / /proc /sys /dev /dev/pts /dev/shm; do
	check "-r: $mp mounted in the new root" grep -qx "mnt $mp" <<<"$out"
done
check "-r: nothing of the host's mounts is left" test "$(grep -c '^mnt ' <<<"$out")" -eq 6
check "-r: PID 1 is tend" grep -qx "pid1=tend" <<<"$out"
check "-r: no mount leaked to the host" test "$(grep -c " $root" /proc/self/mountinfo)" -eq 0

# 4. Signals go through the outer tend to the command.
"$TEND" -u pid,mount -- sh -c "
	trap 'echo USR1 >>$T/got' USR1
	trap 'echo TERM >>$T/got; exit 5' TERM
	echo ready >$T/ready
	while :; do sleep 0.05; done" &
outer=$!
cleanup "kill_pid $outer"
wait_file 10 "$T/ready" || fail "the command never started"
kill -USR1 "$outer"
wait_until 5 grep -qsx USR1 "$T/got"
check "SIGUSR1 forwarded through the relay" grep -qx USR1 "$T/got"
kill -TERM "$outer"
wait "$outer"
check_eq "SIGTERM forwarded: the command's trap ran and its status passed out" 5 "$?"
check "SIGTERM reached the command" grep -qx TERM "$T/got"

# 5. When the outer tend dies, so does the namespace.
rm -f "$T/ready"
"$TEND" -u pid,mount -- sh -c "echo ready >$T/ready; exec sleep 1000" &
outer=$!
cleanup "kill_pid $outer"
wait_file 10 "$T/ready" || fail "the command never started"
inner=$(tr -d ' ' <"/proc/$outer/task/$outer/children")
check "the inner tend runs (pid $inner)" test -n "$inner" -a -d "/proc/$inner"
kill -KILL "$outer"
wait "$outer" 2>/dev/null
gone() { [ ! -d "/proc/$inner" ]; }
wait_until 5 gone
check "the namespace ends with the outer tend" gone

# 6. Usage errors.
"$TEND" -u pid,bogus -- true 2>"$T/err"
check_eq "unknown namespace: usage error" 64 "$?"
check "the bad word is named" grep -q bogus "$T/err"
"$TEND" -u pid -r "$root" -- true 2>/dev/null
check_eq "-r without mount: usage error" 64 "$?"
