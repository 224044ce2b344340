#!/usr/bin/env bash
# tend-bundle image: a bundle (busybox rootfs, tend-static) turned into an
# OCI image layout that podman runs. The layout as umoci and skopeo read it
# (oci-layout, index.json with the tag, every digest and size right, the
# layer's diff_id), the config (Entrypoint, WorkingDir, Env, ExposedPorts
# from publish), a layer whose tend.ini has no [network] and no bundle
# marker, the same bytes when made twice, a second tag beside the first;
# then `podman run oci:DIR:TAG`: tend is PID 1 in /app, the service answers
# through a published port, tend's /ready and /live answer, and `podman
# stop` ends it after the drain with the main service's status, written to
# a bind-mounted /dev/termination-log.
. "$TOP_SRCDIR/test/lib.sh"
need_root
need_cmd jq runc busybox
TEND_STATIC=${TEND_STATIC:-$TOP_BUILDDIR/tend-static}
[ -x "$TEND" ] || skip "tend not built"
[ -x "$TEND_STATIC" ] || skip "no $TEND_STATIC (configure found no static libraries)"
ldd "$(command -v busybox)" 2>&1 | grep -q 'not a dynamic' || skip "needs busybox-static"
. "$TOP_SRCDIR/test/integration/kube-lib.sh"

tb=$TOP_SRCDIR/bundle/tend-bundle
tmp=$(mktmp)
cleanup "rm -rf '$tmp'"
printf '#!/bin/sh\nexit 0\n' >"$tmp/fake-tend-net"
chmod +x "$tmp/fake-tend-net"
export TEND_BIN=$TEND TEND_NET_BIN=$tmp/fake-tend-net TENDCTL_BIN=

busybox_rootfs "$tmp/base" sh sleep cat httpd pwd || die "cannot make the rootfs"
mkdir -p "$tmp/base/tmp" "$tmp/app"
echo "served from the image $TID" >"$tmp/app/index.html"
cat >"$tmp/tend.ini" <<'EOS'
[tend]
main = web
http = 0.0.0.0:9001
drain = 2s

[network]
interface = ceth0
address = 10.251.9.5/24
publish = 8091:5000/tcp
publish = 127.0.0.1:5353:53/udp

[service:web]
command = /bin/sh -c 'pwd >/tmp/web.cwd; exec httpd -f -p 5000 -h .'
directory = /app
EOS
b=$tmp/bundle
PATH=/usr/sbin:/usr/bin:/sbin:/bin "$tb" create "$b" --app "$tmp/app" -c "$tmp/tend.ini" --rootfs "$tmp/base" --static >"$tmp/create.log" 2>&1 ||
	{ cat "$tmp/create.log"; die "create --static failed"; }

# (podman names the image after the layout's path, and refuses capitals,
# which mktemp puts in its names)
oci=${TMPDIR:-/tmp}/tend-image-$TID-$$/oci
mkdir -p "$oci"
cleanup "rm -rf '${oci%/oci}'"
out=$("$tb" image "$b" "$oci:web" 2>&1) || die "image failed: $out"
ok "tend-bundle image"
check "says the [network] section is left out" grep -q "no \[network\] section: the runtime sets up the network" <<<"$out"
check_eq "oci-layout" '{"imageLayoutVersion":"1.0.0"}' "$(cat "$oci/oci-layout")"
check_eq "index.json: one manifest, tagged web" '["web"]' \
	"$(jq -c '[.manifests[].annotations["org.opencontainers.image.ref.name"]]' "$oci/index.json")"
md=$(jq -r '.manifests[0].digest' "$oci/index.json")
mf=$(blob "$oci" "$md")
# Every blob is named by its sha256 and has the size its parent says.
digest_ok() { [ "sha256:$(sha256sum "$(blob "$oci" "$1")" | cut -d' ' -f1)" = "$1" ] && [ "$(stat -c %s "$(blob "$oci" "$1")")" = "$2" ]; }
check "manifest: digest and size" digest_ok "$md" "$(jq -r '.manifests[0].size' "$oci/index.json")"
check_eq "manifest: media type" application/vnd.oci.image.manifest.v1+json "$(jq -r .mediaType "$mf")"
cd_=$(jq -r .config.digest "$mf")
ld=$(jq -r '.layers[0].digest' "$mf")
check "config: digest and size" digest_ok "$cd_" "$(jq -r .config.size "$mf")"
check "layer: digest and size" digest_ok "$ld" "$(jq -r '.layers[0].size' "$mf")"
check_eq "layer: gzip" application/vnd.oci.image.layer.v1.tar+gzip "$(jq -r '.layers[0].mediaType' "$mf")"
cf=$(blob "$oci" "$cd_")
lf=$(blob "$oci" "$ld")
check_eq "config: diff_id is the uncompressed layer's" "sha256:$(gzip -dc "$lf" | sha256sum | cut -d' ' -f1)" "$(jq -r '.rootfs.diff_ids[0]' "$cf")"
check_eq "config: Entrypoint" '["/sbin/tend","-c","/etc/tend/tend.ini"]' "$(jq -c .config.Entrypoint "$cf")"
check_eq "config: WorkingDir from the main service" /app "$(jq -r .config.WorkingDir "$cf")"
check_eq "config: Env (the bundle's PATH)" '["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]' "$(jq -c .config.Env "$cf")"
check_eq "config: ExposedPorts from publish" '{"5000/tcp":{},"53/udp":{}}' "$(jq -c -S .config.ExposedPorts "$cf")"
check_eq "config: os, architecture" "linux $(dpkg --print-architecture)" "$(jq -r '.os + " " + .architecture' "$cf")"
tar -xzOf "$lf" ./etc/tend/tend.ini >"$tmp/image.ini"
check "layer: tend.ini without [network]" eval '! grep -q "network\|publish\|ceth0" "$tmp/image.ini"'
check "layer: tend.ini keeps the rest" grep -q '^http = 0.0.0.0:9001' "$tmp/image.ini"
check "layer: /sbin/tend is tend-static" cmp "$TEND_STATIC" <(tar -xzOf "$lf" ./usr/sbin/tend)
check_eq "layer: one tend.ini, no bundle marker" 1 "$(tar -tzf "$lf" | grep -c -e '^./etc/tend/tend.ini$' -e 'tend-bundle')"
check_eq "layer: owners numeric, root" "" "$(tar -tzvf "$lf" | awk '$2 != "0/0"' | head -n3)"

# Made again: the same bytes; a second tag is added beside the first.
"$tb" image "$b" "$oci:web" >/dev/null 2>&1
check_eq "made again: the same manifest" "$md" "$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "web") | .digest' "$oci/index.json")"
"$tb" image "$b" "$oci:other" --no-network >/dev/null 2>&1
check_eq "a second tag kept beside the first" '["other","web"]' \
	"$(jq -c '[.manifests[].annotations["org.opencontainers.image.ref.name"]] | sort' "$oci/index.json")"
od=$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "other") | .digest' "$oci/index.json")
check_eq "--no-network: no ExposedPorts" null "$(jq -c .config.ExposedPorts "$(blob "$oci" "$(jq -r .config.digest "$(blob "$oci" "$od")")")")"
mkdir -p "$tmp/notours"; echo x >"$tmp/notours/f"
out=$("$tb" image "$b" "$tmp/notours" 2>&1); rc=$?
check_eq "a non-empty folder that is no layout: refused" "1 tend-bundle: '$tmp/notours' exists, is not empty and is not an OCI image layout (no oci-layout); refusing to touch it" "$rc $out"

# podman runs it. The termination log: a file of the test bound where
# Kubernetes puts its own.
: >"$tmp/termination-log"
ctr=tend-image-$TID
port=$((20000 + RANDOM % 20000))
hport=$((port + 1))
if ! pm run -d --name "$ctr" --network "$PODMAN_NET" -p "127.0.0.1:$port:5000" -p "127.0.0.1:$hport:9001" \
	-v "$tmp/termination-log:/dev/termination-log" "oci:$oci:web" >"$tmp/run.log" 2>&1; then
	cat "$tmp/run.log"
	die "podman run oci:$oci:web failed"
fi
ok "podman run oci:DIR:web"
answers() { [ "$(curl -s --max-time 2 "127.0.0.1:$port/index.html")" = "served from the image $TID" ]; }
check "curl: the service answers through -p" wait_until 30 answers
check_eq "tend /ready" 200 "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "127.0.0.1:$hport/ready")"
check_eq "tend /live" 200 "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "127.0.0.1:$hport/live")"
check_eq "PID 1 is tend" tend "$(pm exec "$ctr" cat /proc/1/comm)"
check_eq "the service ran in WorkingDir /app" /app "$(pm exec "$ctr" cat /tmp/web.cwd)"
t0=$(date +%s%N)
pm stop -t 20 "$ctr" >/dev/null 2>&1
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
check "podman stop: after the 2s drain, well before the 20s timeout ($ms ms)" test "$ms" -ge 1900 -a "$ms" -lt 15000
check_eq "exit status: the main service's (httpd killed by SIGTERM)" 143 "$(pm inspect "$ctr" --format '{{.State.ExitCode}}')"
pm logs "$ctr" >"$tmp/ctr.log" 2>&1
check "log: drained, then web stopped" awk '/draining for 2s/ { d = NR } /web: stopped/ && d { ok = 1 } END { exit !ok }' "$tmp/ctr.log"
check_eq "termination log" "shutdown on SIGTERM" "$(cat "$tmp/termination-log")"
