#!/bin/bash
# Trust, /dev/null (contract section 6): tend opens /dev/null for every
# service's stdin and for `stdout = null`. A service without `user` runs as
# root without capabilities, and root owns /dev (runc mounts a tmpfs of
# root's there): it can replace /dev/null with a link to a file it may not
# write itself (another user's, mode 0600). After a restart, tend must not
# hand it that file as stdout: the file stays byte for byte what it was,
# and the start fails with "'/dev/null' is not the null device".
#
# tend runs in a private mount namespace whose /dev is a tmpfs the test
# made (with a real null device in it); the host's /dev is never touched.
. "$TOP_SRCDIR/test/lib.sh"
need_root
need_cmd unshare mount mknod cmp
id nobody >/dev/null 2>&1 || skip "needs user nobody"
. "$TOP_SRCDIR/test/integration/svc-lib.sh"
chmod 755 "$T"

# The victim: nobody's file, 0600; root without capabilities cannot write it.
printf "nobody's own\n" >"$T/victim"
chown nobody "$T/victim"
chmod 600 "$T/victim"
cp -p "$T/victim" "$T/orig"

REAL_TEND=$TEND
cat >"$T/tend-wrap" <<EOT
#!/bin/sh
exec unshare --mount --propagation private sh -c 'mount -t tmpfs -o mode=755 tend-test-dev /dev && mknod -m 666 /dev/null c 1 3 && exec "\$0" "\$@"' "$REAL_TEND" "\$@"
EOT
chmod 755 "$T/tend-wrap"

cat >"$T/evil.sh" <<EOT
#!/bin/sh
if [ ! -e $T/swapped ]; then
	: >$T/swapped
	rm -f /dev/null && ln -s $T/victim /dev/null
	exit 1
fi
echo ATTACK-OVERWRITES
echo \$\$ >$T/pid
exec sleep 1000
EOT
chmod 755 "$T/evil.sh"
cat >"$T/tend.ini" <<EOT
[service:evil]
command = sh $T/evil.sh
stdout = null
restart = on-failure
restart_delay = 100ms
EOT

TEND=$T/tend-wrap tend_start "$T/tend.ini"
done_() { test -s "$T/pid" || log_has "$(svclog evil)cannot start"; }
wait_until 15 done_ || fail "evil: neither restarted nor refused: $(tail -5 "$LOG")"
check "the service did swap /dev/null (its first run)" test -e "$T/swapped"
check "nobody's file unchanged, byte for byte" cmp -s "$T/orig" "$T/victim"
check "the restart failed, it did not run" test ! -e "$T/pid"
check "the log line says why" log_has "$(svclog evil)cannot start: '/dev/null' is not the null device"
grep "cannot start" "$LOG" | sort -u | sed 's/^/# /'
tend_stop
check_eq "tend stops cleanly" 0 "$TEND_RC"
check "nobody's file still unchanged at the end" cmp -s "$T/orig" "$T/victim"
