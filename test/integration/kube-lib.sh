# test/integration/kube-lib.sh: podman for the image and Pod tests, with a
# storage, a configuration and an events log of the test's own. Source it
# after test/lib.sh. The machine's /etc/containers is never changed:
# CONTAINERS_CONF names the test's file, which picks runc (crun refuses a
# host with cgroup v1 controllers beside a cgroup2 root) and ulimits under
# the machine's hard limits (podman's defaults exceed them and runc fails
# with "error setting rlimits"). Networks are slirp4netns: port
# forwarding with no bridge and no iptables rule on the host.
need_cmd podman slirp4netns jq curl tar gzip sha256sum

# A short path: slirp4netns's API socket is made in tmp_dir, under the
# 108 bytes of a socket's name.
PODMAN_DIR=$(mktemp -d /tmp/tpm.XXXXXX)
mkdir -p "$PODMAN_DIR/root" "$PODMAN_DIR/run" "$PODMAN_DIR/tmp"
cat >"$PODMAN_DIR/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$PODMAN_DIR/events.log"
tmp_dir = "$PODMAN_DIR/tmp"

[network]
network_backend = "netavark"
EOF
export CONTAINERS_CONF=$PODMAN_DIR/containers.conf
PODMAN_NET=slirp4netns:port_handler=slirp4netns

pm() { podman --root "$PODMAN_DIR/root" --runroot "$PODMAN_DIR/run" "$@"; }

# Everything the test made in its storage, then the storage itself (a
# mount podman left behind would keep rm from removing it).
_podman_cleanup() {
	pm pod rm -af -t 0
	pm rm -af -t 0
	pm volume rm -af
	pm rmi -af
	# conmon runs `podman container cleanup` when a container ends, on
	# its own time: it would make tmp_dir again after the rm below.
	_podman_busy() { pgrep -f -- "$PODMAN_DIR/run" >/dev/null; }
	wait_until 20 eval '! _podman_busy'
	local m
	for m in $(awk -v d="$PODMAN_DIR" 'index($2, d) == 1 { print $2 }' /proc/self/mounts | sort -r); do
		umount -l "$m"
	done
	rm -rf "$PODMAN_DIR"
	# podman keeps a machine-wide blob-info cache whatever --root says
	# (/var/lib/containers/cache): removed when this test made it.
	$_podman_cache_was || rm -rf /var/lib/containers/cache
	[ -n "$(ls -A /var/lib/containers 2>/dev/null)" ] || $_podman_lib_was || rmdir /var/lib/containers 2>/dev/null
	true
}
_podman_cache_was=false _podman_lib_was=false
[ -e /var/lib/containers/cache ] && _podman_cache_was=true
[ -e /var/lib/containers ] && _podman_lib_was=true
cleanup _podman_cleanup

# podman's version as a number: 4.3.1 -> 40301.
podman_version() {
	# (with the test's storage: podman without --root would make the
	# machine's default one, and record this test's tmp_dir in it)
	pm version --format '{{.Client.Version}}' 2>/dev/null |
		awk -F. '{ printf "%d\n", $1 * 10000 + $2 * 100 + $3 }'
}

# The file BLOB of the layout OCI names (sha256:HEX).
blob() { echo "$1/blobs/sha256/${2#sha256:}"; }
