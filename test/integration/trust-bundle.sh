#!/usr/bin/env bash
# tend-bundle --rootfs never writes through a symbolic link that leads out
# of the rootfs (issue 11, hole 5): a hostile rootfs whose `etc`, `usr/sbin`,
# `etc/hosts` or a --file/--bind destination is a link to a host folder
# leaves that folder byte for byte as it was, and tend-bundle says which
# path it refused. And the hooks read DIR/tend.ini (root, 0600) with -c
# (hole 4): nothing inside the rootfs decides what tend-net does.
. "$TOP_SRCDIR/test/lib.sh"
need_root
need_cmd jq runc busybox
[ -x "$TEND" ] || skip "tend not built"

tb=$TOP_SRCDIR/bundle/tend-bundle
tmp=$(mktmp)
cleanup "rm -rf '$tmp'"
printf '#!/bin/sh\nexit 0\n' >"$tmp/fake-tend-net"
chmod +x "$tmp/fake-tend-net"
export TEND_BIN=$TEND TEND_NET_BIN=$tmp/fake-tend-net TENDCTL_BIN=

mkdir -p "$tmp/app"
echo 'print("hi")' >"$tmp/app/main.py"
cat >"$tmp/tend.ini" <<'EOS'
[network]
interface = ceth0
address = 10.251.8.5/24

[service:web]
command = /bin/sleep 1000
EOS

# "The host's folders": what a hostile rootfs points at.
host=$tmp/host
mkdir -p "$host/etc/tend" "$host/sbin" "$host/srv"
echo "127.0.0.1 the-host's-hosts" >"$host/etc/hosts"
echo "the host's own tend.ini" >"$host/etc/tend/tend.ini"
echo "the host's tool" >"$host/sbin/tend"
snapshot() { (cd "$host" && find . -printf '%p %y %m %s\n' | sort && find . -type f -exec sha256sum {} + | sort); }
before=$(snapshot)

# A minimal rootfs: busybox, with merged-/usr style relative links (which
# stay inside and must keep working).
base() {
	local r=$1
	rm -rf "$r"
	mkdir -p "$r/usr/bin" "$r/usr/sbin" "$r/etc"
	cp "$(command -v busybox)" "$r/usr/bin/busybox"
	ln -s usr/bin "$r/bin"
	ln -s usr/sbin "$r/sbin"
	echo 'root:x:0:0:root:/root:/bin/sh' >"$r/etc/passwd"
}

# hostile DESC PATTERN SETUP [ARGS...]: SETUP turns a fresh rootfs hostile;
# create refuses (exit 1, PATTERN) and the host folders are unchanged.
hostile() {
	local desc=$1 pat=$2 setup=$3 rc=0 out
	shift 3
	base "$tmp/rootfs"
	eval "$setup"
	rm -rf "$tmp/b"
	out=$("$tb" create "$tmp/b" --app "$tmp/app" -c "$tmp/tend.ini" --rootfs "$tmp/rootfs" "$@" 2>&1) || rc=$?
	check_eq "$desc: create refuses (exit 1)" 1 "$rc"
	if grep -qF -- "$pat" <<<"$out"; then ok "$desc: says '$pat'"; else fail "$desc: '$pat' not in: $out"; fi
	check_eq "$desc: the host folder is unchanged" "$before" "$(snapshot)"
}

hostile "etc -> host folder" "leads out of the rootfs" \
	'rm -rf "$tmp/rootfs/etc"; ln -s "$host/etc" "$tmp/rootfs/etc"'
hostile "etc/tend -> host folder" "leads out of the rootfs" \
	'mkdir -p "$tmp/rootfs/etc"; ln -s "$host/etc/tend" "$tmp/rootfs/etc/tend"'
hostile "etc/hosts -> a host file that does not exist yet" "leads out of the rootfs" \
	'ln -s "$host/etc/new-hosts" "$tmp/rootfs/etc/hosts"'
hostile "usr/sbin -> host folder" "leads out of the rootfs" \
	'rm -rf "$tmp/rootfs/usr/sbin"; ln -s "$host/sbin" "$tmp/rootfs/usr/sbin"'
hostile "sbin/tend -> host file" "leads out of the rootfs" \
	'rm "$tmp/rootfs/sbin"; mkdir "$tmp/rootfs/sbin"; ln -s "$host/sbin/tend" "$tmp/rootfs/sbin/tend"'
hostile "app -> host folder, relative and climbing out" "leads out of the rootfs" \
	'ln -s ../../host/srv "$tmp/rootfs/app"'
hostile "--file destination through a link" "leads out of the rootfs" \
	'ln -s "$host/srv" "$tmp/rootfs/srv"' --file "$tmp/tend.ini:/srv/x.conf"
hostile "--bind destination through a link" "leads out of the rootfs" \
	'ln -s "$host/srv" "$tmp/rootfs/srv"' --bind "$tmp/data:/srv/data"
check "nothing made on the host through the links" test ! -e "$host/etc/new-hosts" -a ! -e "$host/srv/x.conf" -a ! -e "$host/srv/data"

# The same rootfs with its links inside: made, and the hooks use DIR/tend.ini.
base "$tmp/rootfs"
rm -rf "$tmp/b"
rc=0
out=$("$tb" create "$tmp/b" --app "$tmp/app" -c "$tmp/tend.ini" --rootfs "$tmp/rootfs" 2>&1) || rc=$?
check_eq "a rootfs with relative links inside it: made ($(tail -n 1 <<<"$out"))" 0 "$rc"
check "tend went to usr/sbin through sbin -> usr/sbin" cmp "$TEND" "$tmp/b/rootfs/usr/sbin/tend"
check "DIR/tend.ini is a copy of the INI" cmp "$tmp/tend.ini" "$tmp/b/tend.ini"
check_eq "DIR/tend.ini: root, 0600" "0:0 600" "$(stat -c '%u:%g %a' "$tmp/b/tend.ini")"
c=$tmp/b/config.json
check_eq "createRuntime hook reads DIR/tend.ini" "[\"tend-net\",\"hook\",\"up\",\"-c\",\"$tmp/b/tend.ini\"]" \
	"$(jq -c '.hooks.createRuntime[0].args' "$c")"
check_eq "poststop hook reads DIR/tend.ini" "[\"tend-net\",\"hook\",\"down\",\"-c\",\"$tmp/b/tend.ini\"]" \
	"$(jq -c '.hooks.poststop[0].args' "$c")"
check_eq "/etc/tend/tend.ini is DIR/tend.ini, bound read-only" \
	"{\"destination\":\"/etc/tend/tend.ini\",\"type\":\"bind\",\"source\":\"$tmp/b/tend.ini\",\"options\":[\"bind\",\"ro\"]}" \
	"$(jq -c '.mounts[] | select(.destination == "/etc/tend/tend.ini")' "$c")"
check_eq "the host folder is unchanged at the end" "$before" "$(snapshot)"
