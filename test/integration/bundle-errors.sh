#!/usr/bin/env bash
# tend-bundle's clear errors: each refusal exits non-zero with a reason that
# names the problem, before anything is made (no debootstrap runs here).
. "$TOP_SRCDIR/test/lib.sh"
need_root
need_cmd jq setpriv

tb=$TOP_SRCDIR/bundle/tend-bundle
tmp=$(mktmp)
# mktmp registers its cleanup in the $(...) subshell, where it is lost.
cleanup "rm -rf '$tmp'"
chmod 0755 "$tmp"
mkdir -p "$tmp/app"
echo 'print("hi")' >"$tmp/app/main.py"
printf '[service:web]\ncommand = python3 main.py\n' >"$tmp/good.ini"
printf '[service:web]\ncommand = python3 main.py\nbogus = 1\n' >"$tmp/bad.ini"
# A stand-in tend whose --check fails on bad.ini the way tend does, so that
# this test does not depend on tend's parser.
cat >"$tmp/fake-tend" <<'EOS'
#!/bin/sh
[ "$1" = --check ] || exit 0
case $3 in *bad.ini) echo "$3:3: unknown key 'bogus' in [service:web]" >&2; exit 78;; esac
exit 0
EOS
chmod +x "$tmp/fake-tend"
export TEND_BIN=$tmp/fake-tend TEND_NET_BIN=/bin/true

# run NAME CMD...: sets $rc and $out (stdout and stderr).
run() { rc=0; out=$("$@" 2>&1) || rc=$?; }
expect() { # DESC RC PATTERN
	check_eq "$1: exit status" "$2" "$rc"
	if grep -qE -- "$3" <<<"$out"; then ok "$1: says '$3'"; else fail "$1: '$3' not in: $out"; fi
}

run "$tb"
expect "no command" 64 "command is missing"
run "$tb" create "$tmp/b"
expect "no --app" 64 "--app APPDIR is required"
run "$tb" create "$tmp/b" --app "$tmp/app" --bogus
expect "unknown option" 64 "unknown option '--bogus'"
run "$tb" create "$tmp/b" --app "$tmp/app" --bind nocolon
expect "bad --bind" 64 "HOST:CONTAINER"

# Not root: the same command as nobody.
run setpriv --reuid=65534 --regid=65534 --clear-groups "$tb" create "$tmp/b" --app "$tmp/app" -c "$tmp/good.ini"
expect "not root" 1 "must be run as root"

# A PATH with every program of the host but one.
path_without() {
	local d=$tmp/path-$1 f
	mkdir -p "$d"
	for f in /usr/local/sbin/* /usr/local/bin/* /usr/sbin/* /usr/bin/* /sbin/* /bin/*; do
		[ -x "$f" ] && [ "$(basename "$f")" != "$1" ] && [ ! -e "$d/$(basename "$f")" ] && ln -s "$f" "$d/"
	done
	echo "$d"
}
run env PATH="$(path_without debootstrap)" "$tb" create "$tmp/b" --app "$tmp/app" -c "$tmp/good.ini"
expect "no debootstrap" 1 "debootstrap not found \(Debian package: debootstrap\)"
run env PATH="$(path_without runc)" "$tb" create "$tmp/b" --app "$tmp/app" -c "$tmp/good.ini"
expect "no runc" 1 "runc not found \(Debian package: runc\)"
run env PATH="$(path_without jq)" "$tb" create "$tmp/b" --app "$tmp/app" -c "$tmp/good.ini"
expect "no jq" 1 "jq not found \(Debian package: jq\)"

run "$tb" create "$tmp/b" --app "$tmp/no-such-app" -c "$tmp/good.ini"
expect "APPDIR missing" 1 "APPDIR '$tmp/no-such-app' is not a folder"
run "$tb" create "$tmp/b" --app "$tmp/app"
expect "no INI" 1 "no INI: give -c FILE or put tend.ini in"
run "$tb" create "$tmp/b" --app "$tmp/app" -c "$tmp/bad.ini"
expect "invalid INI (stand-in tend)" 78 "bad.ini:3: unknown key 'bogus'"
check "invalid INI: nothing made" test ! -e "$tmp/b"

# The real tend's --check, once it rejects the file.
if [ -x "$TEND" ] && ! "$TEND" --check -c "$tmp/bad.ini" >/dev/null 2>&1; then
	run env TEND_BIN="$TEND" "$tb" create "$tmp/b" --app "$tmp/app" -c "$tmp/bad.ini"
	expect "invalid INI (tend --check)" 78 "bad.ini:3:"
fi

# A [network] section needs tend-net for the hooks.
printf '[network]\ninterface = ceth0\n[service:web]\ncommand = python3 main.py\n' >"$tmp/net.ini"
run env TEND_NET_BIN= PATH="$(path_without tend-net)" "$tb" create "$tmp/b" --app "$tmp/app" -c "$tmp/net.ini"
if [ -x "$TOP_SRCDIR/tend-net" ]; then
	ok "[network] without tend-net: not checked, an in-tree tend-net is next to the script"
else
	expect "[network] without tend-net" 1 "has a \[network\] section but tend-net was not found"
fi

# DIR exists and is not ours: refused, its content untouched.
mkdir -p "$tmp/theirs"
echo precious >"$tmp/theirs/data"
run "$tb" create "$tmp/theirs" --app "$tmp/app" -c "$tmp/good.ini"
expect "foreign DIR" 1 "not empty and was not made by tend-bundle"
check_eq "foreign DIR: untouched" "precious" "$(cat "$tmp/theirs/data")"
check "foreign DIR: no marker added" test ! -e "$tmp/theirs/.tend-bundle"
echo x >"$tmp/afile"
run "$tb" create "$tmp/afile" --app "$tmp/app" -c "$tmp/good.ini"
expect "DIR is a file" 1 "exists and is not a folder"

# DIR is ours but a container still runs from it: a one-binary busybox
# bundle, marked as tend-bundle's, running `sleep`.
if command -v busybox >/dev/null 2>&1 && busybox --list | grep -qx sleep && ldd "$(command -v busybox)" 2>&1 | grep -q 'not a dynamic'; then
	b=$tmp/inuse
	mkdir -p "$b/rootfs/bin"
	cp "$(command -v busybox)" "$b/rootfs/bin/busybox"
	ln -s busybox "$b/rootfs/bin/sleep"
	touch "$b/.tend-bundle"
	(cd "$b" && runc spec && jq '.process.args = ["/bin/sleep", "1000"] | .process.terminal = false
		| .linux.namespaces |= map(select(.type != "network"))' config.json >c && mv c config.json)
	ctr=tb-err-$TID
	runc run -d -b "$b" "$ctr" </dev/null >/dev/null 2>&1 && cleanup "runc delete --force $ctr"
	run "$tb" create "$b" --app "$tmp/app" -c "$tmp/good.ini"
	expect "DIR in use" 1 "is the bundle of container '$ctr'"
	check "DIR in use: rootfs kept" test -x "$b/rootfs/bin/busybox"
else
	ok "DIR in use: skipped (needs busybox-static)"
fi
