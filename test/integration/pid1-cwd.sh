#!/bin/bash
# pid1-cwd: the command (`tend -- CMD`) and every service without
# `directory` run in tend's own working directory, as with tini: a runc
# bundle's process.cwd (an image's WORKDIR), the directory tend was started
# in (also as PID 1 of its own namespaces, -u), and after -r DIR the same
# path inside the new root when it is a directory there, else /. tend
# itself, as PID 1, still leaves that directory (it pins no mount):
# /proc/1/cwd is /.
. "$TOP_SRCDIR/test/lib.sh"
need_root
need_cmd runc jq busybox unshare
[ -x "$TEND" ] || skip "no $TEND"

T=$(mktmp)
mkdir -p "$T/work" "$T/out"

# 1. Single-command mode under -u: tend is PID 1 of the new namespace.
out=$(cd "$T/work" && "$TEND" -u pid,mount -- sh -c 'pwd; readlink /proc/1/cwd')
check_eq "-u pid,mount: the command runs where tend was started" "$T/work" "$(sed -n 1p <<<"$out")"
check_eq "-u pid,mount: tend (PID 1) itself left for /" "/" "$(sed -n 2p <<<"$out")"

# 2. A configuration: a service without `directory` runs in tend's working
# directory; one with `directory = /` still runs in /. Its exec: probe runs
# where the service does.
cat >"$T/tend.ini" <<INI
[tend]
control =
[service:here]
command = sh -c 'pwd >$T/out/here; sleep 0.3'
ready = exec:sh -c 'pwd >$T/out/probe'
[service:root]
command = sh -c 'pwd >$T/out/root'
directory = /
INI
(cd "$T/work" && "$TEND" -q -c "$T/tend.ini")
check_eq "config: tend exits 0 when both ended well" 0 "$?"
check_eq "config: a service without directory runs in tend's directory" "$T/work" "$(cat "$T/out/here" 2>&1)"
check_eq "config: its exec: probe too" "$T/work" "$(cat "$T/out/probe" 2>&1)"
check_eq "config: directory = / still means /" "/" "$(cat "$T/out/root" 2>&1)"

# 3. -r DIR: the same path inside the new root when it is a directory
# there, else /.
root=$T/rootfs
mkdir -p "$root/bin" "$root/tmp"
cp "$(command -v busybox)" "$root/bin/busybox"
for c in sh pwd readlink; do ln -s busybox "$root/bin/$c"; done
cleanup "grep -o ' $root[^ ]*' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l"
out=$(cd /tmp && "$TEND" -u pid,mount -r "$root" -- /bin/sh -c pwd)
check_eq "-r: the same path inside the new root" "/tmp" "$out"
out=$(cd "$T/work" && "$TEND" -u pid,mount -r "$root" -- /bin/sh -c pwd)
check_eq "-r: a path the new root lacks gives /" "/" "$out"

# 4. runc: process.cwd of the bundle, in both modes.
name=tend-cwd-$TID
b=$T/bundle
cat >"$T/out/tend.ini" <<'INI'
[tend]
control =
[service:web]
command = sh -c 'pwd >/cfg/web'
INI
runc_host_bundle "$b" "$T/out" || die "cannot make the bundle"
mkdir -p "$b/rootfs/app"
runc_cwd() { # ARGS-JSON
	jq --argjson args "$1" '
		.process.cwd = "/app" |
		.process.args = $args' "$b/config.json.orig" >"$b/config.json"
	runc run -b "$b" "$name" >"$T/runc.out" 2>"$T/runc.log" </dev/null
}
mv "$b/config.json" "$b/config.json.orig"
cleanup "runc delete -f $name"
runc_cwd '["/tend", "--", "sh", "-c", "pwd >/cfg/cmd"]'
check_eq "runc, tend -- CMD: exits 0" 0 "$?"
check_eq "runc, tend -- CMD: the command runs in process.cwd" "/app" "$(cat "$T/out/cmd" 2>&1)"
runc_cwd '["/tend", "-c", "/cfg/tend.ini"]'
check_eq "runc, config: exits 0" 0 "$?"
check_eq "runc, config: a service without directory runs in process.cwd" "/app" "$(cat "$T/out/web" 2>&1)"
