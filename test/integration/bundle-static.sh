#!/usr/bin/env bash
# tend-bundle create --static, from a busybox-only rootfs (no debootstrap,
# no network): /sbin/tend is tend-static, the rootfs gets none of tend's
# shared libraries and no tend-netc.so, the trust hardening of a bundle is
# kept (DIR/tend.ini with -c in the hooks, bound read-only), runc starts it
# as PID 1 with a [network]-free INI and a service as another user; without
# tend-static, or with a dynamic one, create fails with the reason.
. "$TOP_SRCDIR/test/lib.sh"
need_root
need_cmd jq runc busybox useradd
TEND_STATIC=${TEND_STATIC:-$TOP_BUILDDIR/tend-static}
[ -x "$TEND" ] || skip "tend not built"
[ -x "$TEND_STATIC" ] || skip "no $TEND_STATIC (configure found no static libraries)"
ldd "$(command -v busybox)" 2>&1 | grep -q 'not a dynamic' || skip "needs busybox-static"

tb=$TOP_SRCDIR/bundle/tend-bundle
tmp=$(mktmp)
cleanup "rm -rf '$tmp'"
printf '#!/bin/sh\nexit 0\n' >"$tmp/fake-tend-net"
chmod +x "$tmp/fake-tend-net"
# TEND_BIN names the build tree: tend-static is found beside it.
export TEND_BIN=$TEND TEND_NET_BIN=$tmp/fake-tend-net TENDCTL_BIN=
unset TEND_STATIC_BIN

busybox_rootfs "$tmp/base" sh sleep cat id || die "cannot make the rootfs"
mkdir -p "$tmp/app"
echo hello >"$tmp/app/file.txt"
cat >"$tmp/net.ini" <<'EOS'
[network]
interface = ceth0
address = 10.251.8.5/24

[service:web]
command = /bin/sleep 1000
EOS

b=$tmp/bundle
# (PATH without the build tree: no tendctl, whose libraries a busybox
# rootfs lacks, comes in from there)
out=$(PATH=/usr/sbin:/usr/bin:/sbin:/bin "$tb" create "$b" --app "$tmp/app" -c "$tmp/net.ini" --rootfs "$tmp/base" --static 2>&1) ||
	die "create --static failed: $out"
ok "create --static with --rootfs"
check "/usr/sbin/tend is tend-static" cmp "$TEND_STATIC" "$b/rootfs/usr/sbin/tend"
check_eq "/sbin/tend leads to it" "$(realpath "$b/rootfs/usr/sbin/tend")" "$(realpath "$b/rootfs/sbin/tend")"
check "no tend-netc.so" test ! -e "$b/rootfs/usr/lib/tend/tend-netc.so"
check_eq "no shared library in the rootfs" "" "$(cd "$b/rootfs" && find . -name '*.so*' | head -n3)"
check "no warning about tend-netc.so" eval '! grep -q tend-netc.so <<<"$out"'
c=$b/config.json
check_eq "process.args" '["/sbin/tend","-c","/etc/tend/tend.ini"]' "$(jq -c .process.args "$c")"
check_eq "hooks read DIR/tend.ini with -c" "[\"-c\",\"$b/tend.ini\"],[\"-c\",\"$b/tend.ini\"]" \
	"$(jq -c '.hooks.createRuntime[0].args[3:], .hooks.poststop[0].args[3:]' "$c" | paste -sd, -)"
check_eq "DIR/tend.ini: root's, 0600" "0:0 600" "$(stat -c '%u:%g %a' "$b/tend.ini")"
check_eq "DIR/tend.ini bound read-only" '["bind","ro"]' \
	"$(jq -c --arg s "$b/tend.ini" '.mounts[] | select(.destination == "/etc/tend/tend.ini" and .source == $s) | .options' "$c")"

# A rootfs whose /usr is a link out of it: --static writes through
# in_rootfs like the rest, and refuses.
cp -a "$tmp/base" "$tmp/evil"
mkdir -p "$tmp/outside"
ln -s "$tmp/outside" "$tmp/evil/usr"
out=$(PATH=/usr/sbin:/usr/bin:/sbin:/bin "$tb" create "$tmp/evilb" --app "$tmp/app" -c "$tmp/net.ini" --rootfs "$tmp/evil" --static 2>&1)
rc=$?
check_eq "a /usr link out of the rootfs: refused" 1 "$rc"
check "  ... with the reason" grep -q "refusing to write '/usr/sbin/tend' in the rootfs: it leads out of the rootfs" <<<"$out"
check_eq "  ... nothing written outside" "" "$(ls -A "$tmp/outside")"

# runc runs it: tend-static is PID 1 and starts the service as svc.
printf '[service:web]\ncommand = /bin/sleep 1000\nuser = svc\n' >"$tmp/run.ini"
b2=$tmp/run
TEND_NET_BIN= PATH=/usr/sbin:/usr/bin:/sbin:/bin "$tb" create "$b2" --app "$tmp/app" -c "$tmp/run.ini" --rootfs "$tmp/base" --user svc --static >"$tmp/create2.log" 2>&1 ||
	{ cat "$tmp/create2.log"; die "create of the run bundle failed"; }
ctr=tbs-run-$TID
runc run -d -b "$b2" "$ctr" </dev/null >"$tmp/run.log" 2>&1 && cleanup "runc delete --force $ctr"
check_eq "runc: running" running "$(runc state "$ctr" 2>/dev/null | jq -r .status)"
pid1=$(runc state "$ctr" 2>/dev/null | jq -r .pid)
check "runc: PID 1 is tend-static" cmp "$TEND_STATIC" "/proc/$pid1/exe"
svc_is_up() { runc exec "$ctr" sh -c 'for p in /proc/[0-9]*; do [ "$(cat $p/comm)" = sleep ] && exit 0; done; exit 1'; }
check "runc: the service runs" wait_until 10 svc_is_up
uid=$(grep '^svc:' "$b2/rootfs/etc/passwd" | cut -d: -f3)
check_eq "runc: as svc" "$uid" "$(runc exec "$ctr" sh -c 'for p in /proc/[0-9]*; do [ "$(cat $p/comm)" = sleep ] && awk "/^Uid:/ {print \$2}" $p/status; done')"
runc kill "$ctr" TERM
check "runc: tend stops on SIGTERM" wait_until 15 sh -c "[ \"\$(runc state $ctr | jq -r .status)\" = stopped ]"

# No tend-static anywhere (a copy of the script, away from any build
# tree; a TEND_BIN with no tend-static beside it; PATH without one).
mkdir -p "$tmp/alone"
cp "$tb" "$tmp/alone/tend-bundle"
mkdir -p "$tmp/dyn"
cp "$TEND" "$tmp/dyn/tend"
out=$(TEND_BIN=$tmp/dyn/tend PATH=/usr/sbin:/usr/bin:/sbin:/bin "$tmp/alone/tend-bundle" create "$tmp/nob" --app "$tmp/app" -c "$tmp/run.ini" --rootfs "$tmp/base" --static 2>&1)
rc=$?
check_eq "no tend-static: exit 1" 1 "$rc"
check_eq "no tend-static: the reason" "tend-bundle: --static: tend-static not found: make builds it only when the static libraries are installed (configure's summary names the missing ones); or set TEND_STATIC_BIN" "$out"
check "no tend-static: no bundle made" test ! -e "$tmp/nob/config.json"
out=$(TEND_STATIC_BIN=$TEND "$tb" create "$tmp/dynb" --app "$tmp/app" -c "$tmp/run.ini" --rootfs "$tmp/base" --static 2>&1)
rc=$?
check_eq "a dynamic TEND_STATIC_BIN: exit 1" 1 "$rc"
check_eq "a dynamic TEND_STATIC_BIN: the reason" "tend-bundle: --static: $(realpath "$TEND") is linked dynamically" "$out"
