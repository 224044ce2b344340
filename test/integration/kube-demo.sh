#!/usr/bin/env bash
# examples/kubernetes/demo.yaml under `podman kube play`: the demo's app
# and MariaDB as two containers of one Pod, from images that `tend-bundle
# create --static` and `tend-bundle image` make of the demo's folders.
# `curl 127.0.0.1:8090` (the hostPort) answers with rows from MariaDB; the
# liveness probes (podman runs them as healthchecks) and tend's /ready
# pass; stopping the Pod ends both containers in order (the app drains
# first) within terminationGracePeriodSeconds, each with its main
# service's status, and tend writes why to /dev/termination-log (a file of
# the test, bound where Kubernetes puts its own).
#
# The rootfs come from tend-bundle's cache (a debootstrap of their own the
# first time on a machine: python3-fastapi, and MariaDB, a few minutes).
# podman before 5.1 stops a Pod at `kube down` with no grace at all (a
# timeout of 0): there the test stops it with `podman pod stop -t GRACE`
# first, as a user of Debian 12's podman has to.
. "$TOP_SRCDIR/test/lib.sh"
need_root
need_cmd debootstrap runc
TEND_STATIC=${TEND_STATIC:-$TOP_BUILDDIR/tend-static}
[ -x "$TEND" ] || skip "tend not built"
[ -x "$TEND_STATIC" ] || skip "no $TEND_STATIC (configure found no static libraries)"
# Port 8090 is the demo's: one demo test at a time on a machine.
exec {demo_lock}>/run/lock/tend-demo-test.lock
flock -w 1200 "$demo_lock" || skip "another demo test held the lock for 20 minutes"
curl -s -o /dev/null --max-time 1 127.0.0.1:8090 && skip "port 8090 is in use"
. "$TOP_SRCDIR/test/integration/kube-lib.sh"

tb=$TOP_SRCDIR/bundle/tend-bundle
demo=$TOP_SRCDIR/examples/demo
yaml=$TOP_SRCDIR/examples/kubernetes/demo.yaml
tmp=$(mktmp)
cleanup "rm -rf '$tmp'"
# The bundles are only made to become images: their hooks never run, and
# a stand-in tend-net does for their [network] sections.
printf '#!/bin/sh\nexit 0\n' >"$tmp/fake-tend-net"
chmod +x "$tmp/fake-tend-net"
export TEND_BIN=$TEND TEND_NET_BIN=$tmp/fake-tend-net TENDCTL_BIN=
[ -x "$TENDCTL" ] && export TENDCTL_BIN=$TENDCTL
cache=()
[ -z "${TEND_BUNDLE_CACHE:-}" ] || cache=(--cache "$TEND_BUNDLE_CACHE")

# What examples/demo/up writes: the password, mode 0600, in the two env
# files; MariaDB's data folder.
state=$tmp/state
mkdir -p "$state/secrets" "$state/db-data"
chmod 0700 "$state/secrets"
pw=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
(umask 077; printf 'DB_PASSWORD=%s\n' "$pw" >"$state/secrets/db.env")
cp -p "$state/secrets/db.env" "$state/secrets/web.env"

# The bundles, side by side, then the images: one layout, two tags. (curl
# is for podman, which turns an httpGet probe into `curl -f` run inside
# the container; Kubernetes probes from outside and needs none.)
t0=$SECONDS
"$tb" create "$tmp/db" --app "$demo/db" --static ${cache[@]+"${cache[@]}"} \
	--packages "mariadb-server-core mariadb-client-core curl" --user mysql >"$tmp/db.bundle.log" 2>&1 &
dbjob=$!
"$tb" create "$tmp/app" --app "$demo/app" --static ${cache[@]+"${cache[@]}"} \
	--packages "python3-fastapi python3-pymysql curl" --user app >"$tmp/app.bundle.log" 2>&1 &
appjob=$!
wait $dbjob || { cat "$tmp/db.bundle.log"; die "tend-bundle create db failed"; }
wait $appjob || { cat "$tmp/app.bundle.log"; die "tend-bundle create app failed"; }
t1=$SECONDS
oci=/tmp/tend-kube-$TID-$$/oci
mkdir -p "$oci"
cleanup "rm -rf '${oci%/oci}'"
"$tb" image "$tmp/db" "$oci:db" >"$tmp/db.image.log" 2>&1 || { cat "$tmp/db.image.log"; die "tend-bundle image db failed"; }
"$tb" image "$tmp/app" "$oci:app" >"$tmp/app.image.log" 2>&1 || { cat "$tmp/app.image.log"; die "tend-bundle image app failed"; }
t2=$SECONDS
echo "# bundles: $((t1 - t0)) s, images: $((t2 - t1)) s"
ok "two static bundles, one image layout with the tags app and db"
for n in app db; do
	id=$(pm pull -q "oci:$oci:$n" 2>"$tmp/pull.log") || { cat "$tmp/pull.log"; die "podman pull oci:$oci:$n failed"; }
	pm tag "$id" "localhost/tend-demo-$n:latest" || die "podman tag failed"
done
ok "podman pull oci:DIR:app, oci:DIR:db"

# The Pod as the example has it, with the test's state folder, and a file
# of the test bound at /dev/termination-log in each container.
: >"$tmp/app.termination-log"; : >"$tmp/db.termination-log"
sed "s#/var/lib/tend-demo#$state#g" "$yaml" | awk -v t="$tmp" '
	/^  - name: / { ctr = $3 }
	{ print }
	/^    volumeMounts:$/ { print "    - name: termlog-" ctr "\n      mountPath: /dev/termination-log" }
	/^  volumes:$/ {
		print "  - name: termlog-app\n    hostPath:\n      path: " t "/app.termination-log\n      type: File"
		print "  - name: termlog-db\n    hostPath:\n      path: " t "/db.termination-log\n      type: File"
	}' >"$tmp/demo.yaml"
grace=$(awk '$1 == "terminationGracePeriodSeconds:" { print $2 }' "$yaml")
cleanup "pm kube down '$tmp/demo.yaml'"
pm kube play --network "$PODMAN_NET" "$tmp/demo.yaml" >"$tmp/play.log" 2>&1 || { cat "$tmp/play.log"; die "podman kube play failed"; }
ok "podman kube play examples/kubernetes/demo.yaml"

from_db() { curl -s --max-time 3 127.0.0.1:8090 | grep -q '"served by uvicorn under tend"'; }
if check "curl 127.0.0.1:8090: rows from MariaDB" wait_until 180 from_db; then :; else
	for c in db app; do echo "--- tend-demo-$c"; pm logs "tend-demo-$c" 2>&1 | tail -n 20; done
fi
check_eq "the app reached MariaDB on 127.0.0.1 (DB_HOST from the Pod)" 127.0.0.1 \
	"$(curl -s --max-time 3 127.0.0.1:8090 | jq -r .db_host)"
for c in app db; do
	check_eq "$c: PID 1 is tend" tend "$(pm exec "tend-demo-$c" cat /proc/1/comm)"
	check "$c: the liveness probe passes (podman healthcheck run)" pm healthcheck run "tend-demo-$c"
done
check_eq "app: tend /ready" 200 "$(pm exec tend-demo-app curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:9001/ready)"
check_eq "db: tend /ready" 200 "$(pm exec tend-demo-app curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:9002/ready)"
check_eq "app: the image's tend.ini has no [network]" 0 "$(pm exec tend-demo-app grep -c '^\[network\]' /etc/tend/tend.ini)"

# The end, timed.
t0=$(date +%s%N)
if [ "$(podman_version)" -ge 50100 ]; then
	pm kube down "$tmp/demo.yaml" >"$tmp/down.log" 2>&1
	t1=$(date +%s%N)
	: >"$tmp/app.log"
else
	pm pod stop -t "$grace" tend-demo >"$tmp/down.log" 2>&1
	t1=$(date +%s%N)
	pm logs tend-demo-app >"$tmp/app.log" 2>&1
	pm logs tend-demo-db >"$tmp/db.log" 2>&1
	pm kube down "$tmp/demo.yaml" >>"$tmp/down.log" 2>&1
fi
ms=$(( (t1 - t0) / 1000000 ))
check "stopped after the app's 2s drain, within the grace period of ${grace}s ($ms ms)" \
	test "$ms" -ge 1900 -a "$ms" -lt $((grace * 1000))
check_eq "the Pod is gone" "" "$(pm pod ps -q)"
died() { pm events --stream=false --filter event=died --filter "container=tend-demo-$1" --format '{{.ContainerExitCode}}' 2>/dev/null | tail -n1; }
check_eq "app: exit status 0, uvicorn's (stopped by SIGTERM, ended with 0)" 0 "$(died app)"
check_eq "db: exit status 0, mariadbd's" 0 "$(died db)"
if [ -s "$tmp/app.log" ]; then
	check "app: drained first, then uvicorn stopped" \
		awk '/draining for 2s/ { d = NR } /web: (stopped|exited)/ && d { ok = 1 } END { exit !ok }' "$tmp/app.log"
	check "db: mariadbd stopped in order" grep -q 'db: \(stopped\|exited with 0\)' "$tmp/db.log"
fi
check_eq "app: the termination log" "shutdown on SIGTERM" "$(cat "$tmp/app.termination-log")"
check_eq "db: the termination log" "shutdown on SIGTERM" "$(cat "$tmp/db.termination-log")"
