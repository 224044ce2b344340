#!/bin/bash
# static-pid1: tend-static is PID 1 of a root file system that holds
# nothing but busybox-static (no /lib, no libc, no tend-netc.so, no NSS
# module): it sets up [network] on an interface the test moves into its
# namespace, starts services in order behind a tcp:// ready probe on that
# interface's address, runs a service as `nobody` (from the image's
# /etc/passwd), runs exec: health probes, answers on its HTTP endpoint, and
# stops everything in order on SIGTERM.
. "$TOP_SRCDIR/test/lib.sh"
need_root
need_cmd busybox unshare nsenter ip chroot curl
TEND_STATIC=${TEND_STATIC:-$TOP_BUILDDIR/tend-static}
[ -x "$TEND_STATIC" ] || skip "no $TEND_STATIC (configure found no static libraries)"

T=$(mktmp)
root=$T/rootfs
mkdir -p "$root/bin" "$root/sbin" "$root/etc" "$root/proc" "$root/sys" "$root/dev" "$root/tmp" "$root/www"
chmod 1777 "$root/tmp"
cp "$(command -v busybox)" "$root/bin/busybox"
for c in sh sleep cat id httpd echo; do ln -s busybox "$root/bin/$c"; done
cp "$TEND_STATIC" "$root/sbin/tend"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
: >"$root/etc/hosts"; : >"$root/etc/resolv.conf"
echo from-the-container >"$root/www/index.html"
check "the root holds no shared library" test -z "$(find "$root" -name '*.so*')"

cat >"$root/etc/tend.ini" <<'INI'
[tend]
control =
http = 127.0.0.1:9000
stop_timeout = 5s

[network]
interface = ceth0
wait = 20s
address = 10.231.0.2/24
gateway = 10.231.0.1

[service:web]
command = httpd -f -p 10.231.0.2:8000 -h /www
ready = tcp://10.231.0.2:8000
restart = no

[service:app]
after = web
user = nobody
command = sh -c 'trap "echo app-stopped >>/tmp/order; exit 0" TERM; id -u >/tmp/app-uid; while :; do sleep 0.05; done'
health = exec:sh -c 'echo ok >>/tmp/health'
health_interval = 100ms
restart = no
INI

peer=tsp$TID
ip netns add "$peer" || die "cannot make a network namespace"
cleanup "ip netns del $peer"
unshare --pid --fork --mount --net --uts --kill-child --propagation private \
	chroot "$root" /sbin/tend -c /etc/tend.ini >"$T/out" 2>"$T/err" &
upid=$!
cleanup "kill_pid $upid"
wait_until 10 sh -c "pgrep -P $upid >/dev/null" || die "tend-static did not start: $(cat "$T/err")"
tpid=$(pgrep -P "$upid" | head -n1)
check_eq "tend-static is PID 1 of its namespace" 1 "$(proc_status "$tpid" NSpid | awk '{print $NF}')"
check "no shared object mapped in tend-static" sh -c "! grep -q '\.so' /proc/$tpid/maps"

# The interface comes later, as tend-net's hook or a CNI plugin moves it in.
ip -n "$peer" link add "h$TID" type veth peer name ceth0 netns "$tpid" || die "cannot make the veth pair"
ip -n "$peer" addr add 10.231.0.1/24 dev "h$TID"
ip -n "$peer" link set "h$TID" up
wait_until 20 grep -qs '^[0-9]' "$root/tmp/app-uid" || die "app never started: $(cat "$T/err")"

check_eq "[network]: the address on ceth0" "10.231.0.2/24" \
	"$(nsenter -t "$tpid" -n ip -o -4 addr show dev ceth0 | awk '{print $4}')"
check "[network]: the default route via the gateway" \
	sh -c "nsenter -t $tpid -n ip route show default | grep -q 'via 10.231.0.1'"
check_eq "a service reached through the moved-in interface" from-the-container \
	"$(ip netns exec "$peer" curl -sS -m 5 http://10.231.0.2:8000/index.html 2>&1)"
check_eq "user = nobody from the image's /etc/passwd (no NSS)" 65534 "$(cat "$root/tmp/app-uid")"
check "exec: health probes run (twice or more)" wait_until 5 sh -c "test \$(grep -c ok '$root/tmp/health' 2>/dev/null || echo 0) -ge 2"
check_eq "the HTTP endpoint: ready" 200 \
	"$(nsenter -t "$tpid" -n curl -sS -m 5 -o /dev/null -w '%{http_code}' http://127.0.0.1:9000/ready 2>&1)"

kill -TERM "$tpid"
wait "$upid"
check_eq "SIGTERM: tend-static exits 0" 0 "$?"
check_eq "the app got its stop signal" app-stopped "$(cat "$root/tmp/order" 2>&1)"
check "tend-static logged no error" sh -c "! grep -i 'error' '$T/err'"
