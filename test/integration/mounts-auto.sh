#!/bin/bash
# mounts-auto: `mount = auto` mounts /proc, /sys, /dev, /dev/pts, /dev/shm
# where they are missing when tend is PID 1; `no` leaves them missing;
# nothing is mounted twice; on a host (not PID 1, no namespace of its own)
# auto touches nothing and `yes` is exit 70.
. "$TOP_SRCDIR/test/lib.sh"
need_root
need_cmd unshare chroot
[ -x "$TEND" ] || skip "no $TEND"

T=$(mktmp)
root=$T/root
# A root with the host's /usr (read-only, bound inside the test's own mount
# namespace only) and nothing mounted on /proc, /sys, /dev.
mkdir -p "$root/usr" "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
for l in bin lib lib64 sbin; do [ -L "/$l" ] && ln -s "$(readlink "/$l")" "$root/$l"; done
[ -L /bin ] || skip "needs a merged /usr host"
cp "$TEND" "$root/tend"
printf '[tend]\ncontrol =\nmount = auto\n' >"$root/auto.ini"
printf '[tend]\ncontrol =\nmount = no\n' >"$root/no.ini"
printf '[tend]\ncontrol =\nmount = yes\n' >"$root/yes.ini"

# as_pid1 INI CMD: tend as PID 1, chrooted into the root. The mounts die
# with the namespace: nothing to clean up on the host.
as_pid1() {
	local ini=$1; shift
	unshare --mount --pid --fork sh -c '
		mount --bind -o ro /usr "$1/usr" || exit 99
		exec chroot "$1" /tend -c "$2" -- /bin/sh -c "$3"' sh "$root" "$ini" "$*"
}
list_mounts='cat /proc/self/mountinfo'
# mounts TEXT: "mnt MOUNTPOINT FSTYPE" for each mountinfo line (the type
# follows the "-" that ends the optional fields).
mounts() { awk '/^[0-9]+ [0-9]+ / { for (i = 7; $i != "-"; i++); print "mnt", $5, $(i + 1) }' <<<"$1"; }
# tend's own complaints, not the sanitizers' notes about a missing /proc.
quiet() { ! grep -E '^tend: (warning|error)' "$1"; }
asan=false
ldd "$TEND" 2>/dev/null | grep -q libasan && asan=true

raw=$(as_pid1 /auto.ini "$list_mounts; test -c /dev/null && echo devnull; ls /proc | grep -c '^[0-9]'" 2>"$T/err")
check_eq "mount = auto as PID 1: exit 0" 0 "$?"
out=$(mounts "$raw"; grep -v '^[0-9]* [0-9]* ' <<<"$raw")
for m in "/proc proc" "/sys sysfs" "/dev/pts devpts" "/dev/shm tmpfs"; do
	check "auto: $m mounted" grep -qx "mnt $m" <<<"$out"
done
check "auto: /dev mounted" grep -qE '^mnt /dev (devtmpfs|tmpfs)$' <<<"$out"
check "auto: /dev/null usable" grep -qx devnull <<<"$out"
check "auto: no warning" quiet "$T/err"
check "auto: /proc is the namespace's" test "$(tail -n1 <<<"$out")" -le 5

# mount = no: nothing is mounted. A sanitizer build cannot exit cleanly
# without /proc (it reads its options and, at exit, the threads from it).
out=$(as_pid1 /no.ini "test -e /proc/self && echo proc; test -e /dev/null && echo devnull; echo done" 2>/dev/null)
rc=$?
$asan || check_eq "mount = no as PID 1: exit 0" 0 "$rc"
check_eq "mount = no: /proc and /dev stay missing" done "$out"

# Already mounted (as runc leaves it): nothing is mounted twice.
raw=$(unshare --mount --pid --fork --mount-proc "$TEND" -c "$root/auto.ini" -- sh -c "$list_mounts" 2>"$T/err")
check_eq "auto over existing mounts: exit 0" 0 "$?"
out=$(mounts "$raw")
for mp in /proc /sys /dev /dev/pts /dev/shm; do
	before=$(mounts "$(cat /proc/self/mountinfo)" | grep -c "^mnt $mp ")
	# unshare --mount-proc adds one /proc; tend must add none.
	[ "$mp" = /proc ] && before=$((before + 1))
	check_eq "auto: $mp not mounted again" "$before" "$(grep -c "^mnt $mp " <<<"$out")"
done
check "auto over existing mounts: silent" quiet "$T/err"

# On the host (not PID 1, no namespace): auto touches nothing, yes is 70.
before=$(wc -l </proc/self/mountinfo)
"$TEND" -c "$root/auto.ini" -- true 2>"$T/err"
check_eq "auto on the host: exit 0" 0 "$?"
check_eq "auto on the host: no mount added" "$before" "$(wc -l </proc/self/mountinfo)"
"$TEND" -c "$root/yes.ini" -- true 2>"$T/err"
check_eq "mount = yes on the host: exit 70" 70 "$?"
check "mount = yes on the host: the reason on stderr" grep -q "mount = yes" "$T/err"

# mount = yes as PID 1 in the bare root: everything mounted.
raw=$(as_pid1 /yes.ini "$list_mounts" 2>"$T/err")
check_eq "mount = yes as PID 1: exit 0" 0 "$?"
out=$(mounts "$raw")
check "yes: /dev/shm mounted" grep -qx "mnt /dev/shm tmpfs" <<<"$out"
