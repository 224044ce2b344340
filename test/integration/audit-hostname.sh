#!/bin/bash
# audit-hostname: `hostname` acts only where tend has namespaces of its own
# (section 1, PID-1 duties and Fine print): on a host it warns and renames
# nothing; with `-u uts` it sets the UTS name only; /etc/hostname is written
# only as PID 1 or with a mount namespace of its own.
#
# Safety: every tend here runs inside `unshare --uts --mount` with a copy
# of /etc bind-mounted over /etc, so even a tend that wrongly renamed "the
# host" or wrote "the host's" /etc/hostname would touch only this test's
# throwaway UTS namespace and its copy of /etc. The real host's name and
# /etc/hostname are compared before and after as well.
. "$TOP_SRCDIR/test/lib.sh"
. "$TOP_SRCDIR/test/integration/svc-lib.sh"
need_root
need_cmd unshare busybox

host_name=$(hostname)
host_etc=$(cat /etc/hostname 2>/dev/null; stat -c %Y /etc/hostname 2>/dev/null)

mkdir -p "$T/etc"
cp -a /etc/. "$T/etc/"
echo original >"$T/etc/hostname"
new=aud$TID

# sandbox ARGS...: run tend ARGS inside a throwaway UTS + mount namespace
# whose /etc is the test's copy. stdout is the service's, stderr tend's.
sandbox() {
	unshare --uts --mount --propagation private sh -c '
		mount --bind "$1" /etc || exit 99
		shift
		exec "$@"' sh "$T/etc" "$TEND" "$@"
}

cat >"$T/h.ini" <<EOT
[tend]
control =
hostname = $new
[service:x]
command = sh -c 'echo "uts=\$\$(hostname)"; echo "file=\$\$(cat /etc/hostname)"'
restart = no
EOT

# --- on the host (no namespace of tend's own): a warning, nothing renamed.
out=$(sandbox -c "$T/h.ini" 2>"$T/err"); rc=$?
check_eq "host: exit 0" 0 "$rc"
check "host: the service sees the old name" test "$(sed -n 's/^uts=//p' <<<"$out")" != "$new"
check_eq "host: /etc/hostname not written" original "$(cat "$T/etc/hostname")"
check "host: a warning names the hostname" grep -q "warning: .*hostname '$new'" "$T/err"

# --- -u pid alone: PID 1 of a PID namespace tend made, but the host's UTS
# and mount namespaces: still nothing renamed.
out=$(sandbox -u pid -c "$T/h.ini" 2>"$T/err"); rc=$?
check_eq "-u pid: exit 0" 0 "$rc"
check "-u pid: the UTS name is not changed" test "$(sed -n 's/^uts=//p' <<<"$out")" != "$new"
check_eq "-u pid: /etc/hostname not written" original "$(cat "$T/etc/hostname")"
check "-u pid: a warning" grep -q "warning: .*hostname" "$T/err"

# --- -u uts: the UTS name only, no /etc/hostname.
out=$(sandbox -u uts -c "$T/h.ini" 2>"$T/err"); rc=$?
check_eq "-u uts: exit 0" 0 "$rc"
check_eq "-u uts: the service sees the new name" "uts=$new" "$(grep '^uts=' <<<"$out")"
check_eq "-u uts: /etc/hostname not written" original "$(cat "$T/etc/hostname")"
check "-u uts: no warning" sh -c "! grep -q warning '$T/err'"

# --- -u pid,mount,uts -r ROOT: the name, and ROOT's /etc/hostname.
root=$T/rootfs
mkdir -p "$root/bin" "$root/etc"
cp "$(command -v busybox)" "$root/bin/busybox"
for c in sh cat hostname; do ln -s busybox "$root/bin/$c"; done
echo before >"$root/etc/hostname"
cleanup "grep -o ' $root[^ ]*' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l"
out=$(sandbox -u pid,mount,uts -r "$root" -c "$T/h.ini" 2>"$T/err"); rc=$?
check_eq "-u pid,mount,uts -r: exit 0" 0 "$rc"
check_eq "-u pid,mount,uts -r: the service sees the new name" "uts=$new" "$(grep '^uts=' <<<"$out")"
check_eq "-u pid,mount,uts -r: the service reads it in /etc/hostname" "file=$new" "$(grep '^file=' <<<"$out")"
check_eq "-u pid,mount,uts -r: ROOT/etc/hostname written" "$new" "$(cat "$root/etc/hostname")"
check_eq "-u pid,mount,uts -r: the sandbox's /etc/hostname untouched" original "$(cat "$T/etc/hostname")"

# --- the real host, after all that.
check_eq "the host's name is unchanged" "$host_name" "$(hostname)"
check_eq "the host's /etc/hostname is unchanged (content and mtime)" "$host_etc" \
	"$(cat /etc/hostname 2>/dev/null; stat -c %Y /etc/hostname 2>/dev/null)"
