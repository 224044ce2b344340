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

# The same swap against an exec: probe: tend opens /dev/null as the probe's
# stdin before the probe takes the service's identity. A probe that reads
# its stdin must never see nobody's file.
rm -f "$T/swapped" "$T/pid" "$T/leak"
cat >"$T/evil2.sh" <<EOT
#!/bin/sh
rm -f /dev/null && ln -s $T/victim /dev/null && : >$T/swapped
exec sleep 1000
EOT
cat >"$T/probe.ini" <<EOT
[service:evil]
command = sh $T/evil2.sh
health = exec:sh -c 'echo x >>$T/ran; cat >>$T/leak'
health_interval = 100ms
EOT
: >"$LOG"
TEND=$T/tend-wrap tend_start "$T/probe.ini"
wait_file 10 "$T/swapped" || test -e "$T/swapped" || fail "evil did not swap /dev/null"
# Three probes ran, or three were refused (their failure is logged).
probed() { [ "$(wc -l <"$T/ran" 2>/dev/null || echo 0)" -ge 3 ] || [ "$(log_count 'health')" -ge 3 ]; }
check "the probes ran or were refused" wait_until 15 probed
grep 'health' "$LOG" | head -3 | sed 's/^/# /'
check "the probe's failure says why" log_has "health check failed.*'/dev/null' is not the null device"
check "the probe never read nobody's file" sh -c "! grep -qs \"nobody's own\" '$T/leak' && ! grep -q \"nobody's own\" '$LOG'"
check "nobody's file unchanged after the probes" cmp -s "$T/orig" "$T/victim"
tend_stop
check_eq "tend stops cleanly (probes)" 0 "$TEND_RC"
