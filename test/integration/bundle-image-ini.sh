#!/bin/bash
# tend-bundle image takes the INI from DIR/tend.ini, the host's copy, and
# never from the root filesystem, which root in the container may have
# written: a bundle whose DIR/tend.ini is gone, with an INI in its rootfs
# (publishing a port of the container's choosing), is refused (exit 1,
# naming the reason), no image made; with DIR/tend.ini there, the image's
# tend.ini and ExposedPorts are the host's, whatever the rootfs holds.
. "$TOP_SRCDIR/test/lib.sh"
need_root
need_cmd jq tar gzip sha256sum
tb=$TOP_SRCDIR/bundle/tend-bundle
T=$(mktmp)
b=$T/bundle
mkdir -p "$b/rootfs/etc/tend" "$b/rootfs/app" "$T/oci"
: >"$b/.tend-bundle"
echo '{"process":{"env":["PATH=/bin"]}}' >"$b/config.json"
printf '[tend]\nmain = web\n[network]\ninterface = ceth0\npublish = 8090:31337\n[service:web]\ncommand = /bin/evil\n' \
	>"$b/rootfs/etc/tend/tend.ini"

out=$("$tb" image "$b" "$T/oci:t" 2>&1); rc=$?
check_eq "no DIR/tend.ini, an INI in the rootfs: exit 1" 1 "$rc"
check_eq "... naming the reason" "tend-bundle: '$b' has no tend.ini (the host's copy that create writes)" "$out"
check_eq "... no image made" "" "$(ls "$T/oci/blobs/sha256" 2>/dev/null; cat "$T/oci/index.json" 2>/dev/null)"

printf '[tend]\nmain = web\n[network]\ninterface = ceth0\npublish = 8090:5000\n[service:web]\ncommand = /bin/true\n' \
	>"$b/tend.ini"
out=$("$tb" image "$b" "$T/oci:t" 2>&1); rc=$?
check_eq "with DIR/tend.ini: exit 0 ($out)" 0 "$rc"
md=$(jq -r '.manifests[0].digest' "$T/oci/index.json" 2>/dev/null)
blob() { echo "$T/oci/blobs/sha256/${1#sha256:}"; }
cf=$(blob "$(jq -r .config.digest "$(blob "$md")")")
lf=$(blob "$(jq -r '.layers[0].digest' "$(blob "$md")")")
check_eq "ExposedPorts: the host's INI" '{"5000/tcp":{}}' "$(jq -c .config.ExposedPorts "$cf")"
check_eq "the image's tend.ini: the host's, less [network]" \
	"$(printf '[tend]\nmain = web\n[service:web]\ncommand = /bin/true')" "$(tar -xzOf "$lf" ./etc/tend/tend.ini)"
