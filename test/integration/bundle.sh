#!/usr/bin/env bash
# tend-bundle create with --rootfs (a one-binary busybox rootfs, so no
# debootstrap and no network): what config.json says, what the rootfs holds,
# that DIR can be made again, and that runc starts tend from it as PID 1.
. "$TOP_SRCDIR/test/lib.sh"
need_root
need_cmd jq runc busybox useradd
[ -x "$TEND" ] || skip "tend not built"
ldd "$(command -v busybox)" 2>&1 | grep -q 'not a dynamic' || skip "needs busybox-static"

tb=$TOP_SRCDIR/bundle/tend-bundle
tmp=$(mktmp)
# mktmp registers its cleanup in the $(...) subshell, where it is lost.
cleanup "rm -rf '$tmp'"
# A stand-in tend-net for the hooks: this test is about the bundle.
printf '#!/bin/sh\nexit 0\n' >"$tmp/fake-tend-net"
chmod +x "$tmp/fake-tend-net"
export TEND_BIN=$TEND TEND_NET_BIN=$tmp/fake-tend-net
if [ -x "$TENDCTL" ]; then export TENDCTL_BIN=$TENDCTL; else export TENDCTL_BIN=; fi

busybox_rootfs "$tmp/base" sh sleep cat id || die "cannot make the rootfs"
mkdir -p "$tmp/app/sub"
echo hello >"$tmp/app/sub/file.txt"
printf 'SECRET=%s\n' "s3cr3t" >"$tmp/web.env"
cat >"$tmp/tend.ini" <<'EOS'
[tend]
hostname = bt-host

[network]
interface = ceth0
address = 10.251.7.5/24

[service:web]
command = /bin/sleep 1000
user = svc
env_file = /etc/tend/web.env
EOS

b=$tmp/bundle
out=$("$tb" create "$b" --app "$tmp/app" -c "$tmp/tend.ini" --rootfs "$tmp/base" --user svc \
	--bind "$tmp/data:/var/lib/data" --bind "$tmp/ro:/srv/ro:ro" \
	--file "$tmp/web.env:/etc/tend/web.env:0600" 2>&1) || die "create failed: $out"
ok "create with --rootfs"
c=$b/config.json
jqc() { jq -c "$1" "$c"; }
check_eq "process.args" '["/sbin/tend","-c","/etc/tend/tend.ini"]' "$(jqc .process.args)"
check_eq "no terminal" false "$(jqc .process.terminal)"
check_eq "root writable" '{"path":"rootfs","readonly":false}' "$(jqc .root)"
check_eq "network namespace" 1 "$(jqc '[.linux.namespaces[] | select(.type == "network")] | length')"
for set in bounding effective permitted; do
	check_eq "$set has NET_ADMIN, SETUID, SETGID, SETPCAP" 4 \
		"$(jqc "[.process.capabilities.$set[] | select(. == \"CAP_NET_ADMIN\" or . == \"CAP_SETUID\" or . == \"CAP_SETGID\" or . == \"CAP_SETPCAP\")] | length")"
done
check_eq "no SYS_ADMIN" 0 "$(jqc '[.process.capabilities.bounding[] | select(. == "CAP_SYS_ADMIN")] | length')"
check_eq "inheritable and ambient empty" '[[],[]]' "$(jqc '[.process.capabilities.inheritable, .process.capabilities.ambient]')"
check_eq "noNewPrivileges false" false "$(jqc .process.noNewPrivileges)"
hard=$(ulimit -Hn); want=65536
[ "$hard" = unlimited ] || [ "$hard" -ge 65536 ] || want=$hard
check_eq "RLIMIT_NOFILE" "[$want,$want]" "$(jqc '[.process.rlimits[] | select(.type == "RLIMIT_NOFILE") | .soft, .hard]')"
check_eq "createRuntime hook, with DIR/tend.ini" "{\"path\":\"$tmp/fake-tend-net\",\"args\":[\"tend-net\",\"hook\",\"up\",\"-c\",\"$b/tend.ini\"]}" "$(jqc '.hooks.createRuntime[0]')"
check_eq "poststop hook, with DIR/tend.ini" "{\"path\":\"$tmp/fake-tend-net\",\"args\":[\"tend-net\",\"hook\",\"down\",\"-c\",\"$b/tend.ini\"]}" "$(jqc '.hooks.poststop[0]')"
check "DIR/tend.ini is the INI" cmp "$tmp/tend.ini" "$b/tend.ini"
check_eq "DIR/tend.ini: root's, 0600" "0:0 600" "$(stat -c '%u:%g %a' "$b/tend.ini")"
check_eq "DIR/tend.ini bound read-only at /etc/tend/tend.ini" '["bind","ro"]' \
	"$(jq -c --arg s "$b/tend.ini" '.mounts[] | select(.destination == "/etc/tend/tend.ini" and .source == $s) | .options' "$c")"
check_eq "bind rw" "{\"destination\":\"/var/lib/data\",\"type\":\"bind\",\"source\":\"$tmp/data\",\"options\":[\"rbind\",\"rw\"]}" \
	"$(jqc '.mounts[] | select(.destination == "/var/lib/data")')"
check_eq "bind ro" '["rbind","ro"]' "$(jqc '.mounts[] | select(.destination == "/srv/ro") | .options')"
check "bind: host folder made" test -d "$tmp/data"
check_eq "hostname from [tend]" '"bt-host"' "$(jqc .hostname)"
check "marker" test -f "$b/.tend-bundle"
check "tend in /sbin" cmp "$TEND" "$b/rootfs/sbin/tend"
check "its network module in /usr/lib/tend" cmp "$(dirname "$TEND")/tend-netc.so" "$b/rootfs/usr/lib/tend/tend-netc.so"
if [ -n "$TENDCTL_BIN" ]; then check "tendctl in /usr/sbin" cmp "$TENDCTL" "$b/rootfs/usr/sbin/tendctl"; fi
check "APPDIR at /app" cmp "$tmp/app/sub/file.txt" "$b/rootfs/app/sub/file.txt"
check "INI at /etc/tend/tend.ini" cmp "$tmp/tend.ini" "$b/rootfs/etc/tend/tend.ini"
check_eq "--file mode" 600 "$(stat -c %a "$b/rootfs/etc/tend/web.env")"
check "--user made svc" grep -q '^svc:' "$b/rootfs/etc/passwd"
check "--user made group svc" grep -q '^svc:' "$b/rootfs/etc/group"
check "/etc/hosts written" grep -q localhost "$b/rootfs/etc/hosts"
# (asked of the rootfs' own loader, not by running tend: with no /proc in
# a bare chroot a sanitizer build's leak checker fails at exit)
interp=$(ldd "$TEND" | awk '$1 ~ /^\// {print $1; exit}')
tend_runs() {
	local l
	l=$(chroot "$b/rootfs" "$interp" --list /sbin/tend 2>&1) || return 1
	! grep -q 'not found' <<<"$l"
}
check "the libraries tend needs are in the rootfs" tend_runs

# Made again: ours, so allowed; the old rootfs goes.
touch "$b/rootfs/stale"
"$tb" create "$b" --app "$tmp/app" -c "$tmp/tend.ini" --rootfs "$tmp/base" --user svc >/dev/null 2>&1
check "made again over its own DIR" test -f "$b/config.json"
check "made again: old rootfs gone" test ! -e "$b/rootfs/stale"

# Started by runc: tend is PID 1 and runs the service as svc. No
# [network] here, so no hooks are needed (none found: no tend-net).
printf '[service:web]\ncommand = /bin/sleep 1000\nuser = svc\n' >"$tmp/run.ini"
b2=$tmp/run
TEND_NET_BIN= PATH=/usr/sbin:/usr/bin:/sbin:/bin "$tb" create "$b2" --app "$tmp/app" -c "$tmp/run.ini" --rootfs "$tmp/base" --user svc >/dev/null 2>&1 ||
	die "create of the run bundle failed"
ctr=tb-run-$TID
runc run -d -b "$b2" "$ctr" </dev/null >"$tmp/run.log" 2>&1 && cleanup "runc delete --force $ctr"
check_eq "runc: running" running "$(runc state "$ctr" 2>/dev/null | jq -r .status)"
pid1=$(runc state "$ctr" 2>/dev/null | jq -r .pid)
check_eq "runc: PID 1 is tend" tend "$(cat "/proc/$pid1/comm" 2>/dev/null)"
svc_is_up() { runc exec "$ctr" sh -c 'for p in /proc/[0-9]*; do [ "$(cat $p/comm)" = sleep ] && exit 0; done; exit 1'; }
check "runc: the service runs" wait_until 10 svc_is_up
uid=$(grep '^svc:' "$b2/rootfs/etc/passwd" | cut -d: -f3)
check_eq "runc: as svc" "$uid" "$(runc exec "$ctr" sh -c 'for p in /proc/[0-9]*; do [ "$(cat $p/comm)" = sleep ] && awk "/^Uid:/ {print \$2}" $p/status; done')"
runc kill "$ctr" TERM
check "runc: tend stops on SIGTERM" wait_until 15 sh -c "[ \"\$(runc state $ctr | jq -r .status)\" = stopped ]"
