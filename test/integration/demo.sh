#!/usr/bin/env bash
# The README's demo end to end: examples/demo/up brings up MariaDB and the
# FastAPI app in two runc containers; the app answers on the host's
# 127.0.0.1:8090 with rows the test inserts; tendctl answers inside; a killed
# uvicorn comes back; MariaDB's container restarted keeps its data;
# examples/demo/down leaves no link, rule or container behind.
#
# `up` is run as the README gives it, except that it is handed the suite's
# own binaries (TEND_BIN, TEND_NET_BIN, TENDCTL_BIN) instead of building a
# second copy, and a state folder of the test's own. The first run on a
# machine debootstraps two rootfs (a few minutes, from the host's apt
# source); later runs take them from tend-bundle's cache.
. "$TOP_SRCDIR/test/lib.sh"
need_root
need_cmd runc jq curl nft ip debootstrap
[ -x "$TEND" ] || skip "tend not built"
[ -x "$TEND_NET" ] || skip "tend-net not built"
# The demo's fixed names (the containers, the bridge tend0, port 8090):
# one demo test at a time on a machine, another run of the suite waits.
exec {demo_lock}>/run/lock/tend-demo-test.lock
flock -w 1200 "$demo_lock" || skip "another demo test held the lock for 20 minutes"
for c in demo-app demo-db; do
	runc state "$c" >/dev/null 2>&1 && skip "a demo is up already ($c): examples/demo/down first"
done
ip link show tend0 >/dev/null 2>&1 && skip "the bridge tend0 exists already"
curl -s -o /dev/null --max-time 1 127.0.0.1:8090 && skip "port 8090 is in use"

tmp=$(mktmp)
# mktmp registers its cleanup in the $(...) subshell, where it is lost.
cleanup "rm -rf '$tmp'"
export TEND_DEMO_DIR=$tmp/state
export TEND_BIN=$TEND TEND_NET_BIN=$TEND_NET
if [ -x "$TENDCTL" ]; then export TENDCTL_BIN=$TENDCTL; fi
# Even when the test fails half-way: down, then by hand what down missed.
cleanup "runc delete --force demo-db; runc delete --force demo-app; ip link del tend0"
cleanup "$TOP_SRCDIR/examples/demo/down"

if ! timeout 900 "$TOP_SRCDIR/examples/demo/up" >"$tmp/up.log" 2>&1; then
	cat "$tmp/up.log"
	for f in "$TEND_DEMO_DIR"/*.log; do echo "--- $f"; tail -n 30 "$f"; done
	die "examples/demo/up failed"
fi
ok "examples/demo/up"
check "up ends with rows from MariaDB" grep -q '"served by uvicorn under tend"' "$tmp/up.log"
# tend's libraries come from the rootfs' own packages, none from the host
# (a sanitizer build's runtimes have no package in the rootfs: those only)
check "no library of tend's copied from the host into a rootfs" \
	sh -c "! grep 'from the host (not in the rootfs)' '$tmp/up.log' | grep -vE '/lib(asan|ubsan)\.so'"

# The host ends of the two veths, on the bridge tend0.
hostends=$(ip -j link show master tend0 | jq -r '.[].ifname' | sort)
check_eq "two veths on tend0" 2 "$(echo "$hostends" | grep -c .)"

# Rows inserted now come back through the app.
row="row-$TID-$RANDOM"
runc exec demo-db mariadb demo -e "INSERT INTO items (name) VALUES ('$row')" ||
	fail "insert through runc exec demo-db mariadb"
body=$(curl -sS --max-time 5 127.0.0.1:8090)
check "curl 127.0.0.1:8090 shows the inserted row" grep -q "\"$row\"" <<<"$body"
check_eq "the app's /health" 200 "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 127.0.0.1:8090/health)"

# The hooks read the host's copy of each INI (root, 0600), never the
# container's own file; the container sees that copy read-only.
for b in app db; do
	check_eq "$b: hooks read $b/tend.ini with -c" "[\"-c\",\"$TEND_DEMO_DIR/$b/tend.ini\"],[\"-c\",\"$TEND_DEMO_DIR/$b/tend.ini\"]" \
		"$(jq -c '.hooks.createRuntime[0].args[3:], .hooks.poststop[0].args[3:]' "$TEND_DEMO_DIR/$b/config.json" | paste -sd, -)"
	check_eq "$b: $b/tend.ini is root's, 0600" "0 600" "$(stat -c '%u %a' "$TEND_DEMO_DIR/$b/tend.ini")"
done
check "the app's /etc/tend/tend.ini is read-only inside" \
	bash -c "! runc exec demo-app sh -c 'echo x >> /etc/tend/tend.ini' 2>/dev/null"
check "the app's tend.ini unchanged" cmp "$TOP_SRCDIR/examples/demo/app/tend.ini" "$TEND_DEMO_DIR/app/tend.ini"

# The password is in mode-0600 env files only, never on a command line.
check_eq "web.env mode" 600 "$(stat -c %a "$TEND_DEMO_DIR/app/rootfs/etc/tend/web.env")"
# (grep reads the password from a file: on its own command line it would
# find itself.)
(umask 077; sed -n 's/^DB_PASSWORD=//p' "$TEND_DEMO_DIR/secrets/db.env" >"$tmp/pw")
pw_on_cmdline() { grep -qaFf "$tmp/pw" /proc/[0-9]*/cmdline 2>/dev/null; }
check "the password is set" test -s "$tmp/pw"
check "the password is on no command line" eval '! pw_on_cmdline'

if ! runc exec demo-app test -x /usr/sbin/tendctl; then
	ok "tendctl status: skipped (tendctl not built)"
elif ! runc exec demo-app test -S /run/tend.sock; then
	ok "tendctl status: skipped (this tend has no control socket)"
else
	st=$(runc exec demo-app tendctl status 2>&1) || true
	if grep -qE '^web[[:space:]]' <<<"$st"; then ok "runc exec demo-app tendctl status: web"
	else fail "runc exec demo-app tendctl status: web not in: $st"; fi
fi

# Kill uvicorn from the host: tend (restart = always) starts it again.
uvicorn_pid() { # the host PID of the uvicorn that tend runs in demo-app
	local init p
	init=$(runc state demo-app | jq -r .pid)
	for p in /proc/[0-9]*; do
		[ "$(awk '/^PPid:/ {print $2}' "$p/status" 2>/dev/null)" = "$init" ] || continue
		[ "$(cat "$p/comm" 2>/dev/null)" = uvicorn ] && { basename "$p"; return 0; }
	done
	return 1
}
old=$(uvicorn_pid) || die "no uvicorn under tend in demo-app"
kill -KILL "$old"
new_uvicorn() { local p; p=$(uvicorn_pid) && [ "$p" != "$old" ]; }
check "uvicorn killed: tend starts a new one" wait_until 20 new_uvicorn
check "uvicorn killed: the app answers again" wait_until 30 curl -fs -o /dev/null --max-time 2 127.0.0.1:8090/health

# Restart MariaDB's container: the row is still there (host data folder).
runc kill demo-db TERM
stopped() { [ "$(runc state demo-db 2>/dev/null | jq -r .status)" = stopped ]; }
check "demo-db stops on SIGTERM" wait_until 40 stopped
runc delete --force demo-db
runc run -d -b "$TEND_DEMO_DIR/db" demo-db </dev/null >>"$TEND_DEMO_DIR/demo-db.log" 2>&1 || fail "runc run demo-db again"
has_row() { curl -fsS --max-time 2 127.0.0.1:8090 2>/dev/null | grep -q "\"$row\""; }
check "after a restart of demo-db the row is still there" wait_until 60 has_row

# Down: nothing left.
if "$TOP_SRCDIR/examples/demo/down" >"$tmp/down.log" 2>&1; then ok "examples/demo/down"; else cat "$tmp/down.log"; fail "examples/demo/down"; fi
check_eq "runc list: no demo container" "" "$(runc list -q | grep -E '^demo-(app|db)$' || true)"
check "ip -j link: no tend0" sh -c "! ip -j link | jq -e '.[] | select(.ifname == \"tend0\")' >/dev/null"
for l in $hostends; do
	check "ip -j link: no $l" sh -c "! ip -j link | jq -e '.[] | select(.ifname == \"$l\")' >/dev/null"
done
nft -j list ruleset >"$tmp/ruleset.json"
check "nft -j list ruleset: nothing for 10.147.88.0/24" eval "! grep -q '10\.147\.88\.' '$tmp/ruleset.json'"
check "nft -j list ruleset: nothing for port 8090" eval "! jq -e '[.. | numbers | select(. == 8090)] | length > 0' '$tmp/ruleset.json' >/dev/null"
check "the state folder is gone" test ! -e "$TEND_DEMO_DIR"
