#!/bin/bash
# A reload that changes how a service's output is relayed takes effect at
# its restart ("'s' changed, restarting"), as every other key does:
# log_buffer 0 -> 64K, and `tendctl logs` has its new lines; stdout =
# tagged -> a FILE tend rotates (as nobody, in a folder only root can
# change), and its new lines are in the file, no longer on tend's stdout;
# user nobody -> root, and the start is refused (tend rotates nothing for
# root) as a first start would be.
# Before, the relay made at the first start was kept for good.
. "$TOP_SRCDIR/test/lib.sh"
. "$TOP_SRCDIR/test/integration/ctl-lib.sh"
chmod 755 "$T"
mkdir -m 755 "$T/log"

ini() { # ini OUTPUT-KEYS...
	{
		cat <<EOT
[tend]
control = $SOCK
[service:s]
command = sh -c 'echo start \$\$\$\$; while :; do echo tick; sleep 0.1; done'
EOT
		printf '%s\n' "$@"
	} >"$T/tend.ini"
}
# started_again N: the service's Nth "started" line.
started_again() { [ "$(log_count "$(svclog s)started")" -ge "$1" ]; }

ini 'stdout = tagged' 'log_buffer = 0'
tend_start "$T/tend.ini"
ctl_up 10 || die "no control socket; log: $(cat "$LOG")"
wait_until 10 grep -q '^s: tick$' "$OUT" || die "no output; log: $(cat "$LOG")"
check "log_buffer = 0: no output kept" sh -c "! '$TENDCTL' -s '$SOCK' logs s 2>/dev/null"

ini 'stdout = tagged' 'log_buffer = 64K'
ctl reload >/dev/null
wait_until 10 started_again 2
wait_until 5 sh -c "'$TENDCTL' -s '$SOCK' logs s 2>/dev/null | grep -qx tick"
ctl logs s >"$T/logs.out" 2>"$T/logs.err"
rc=$?
check_eq "log_buffer 0 -> 64K: tendctl logs exits 0 ($(cat "$T/logs.err"))" 0 "$rc"
check "log_buffer 0 -> 64K: it has the new lines" grep -qx tick "$T/logs.out"

if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	ini "stdout = $T/log/s.log" 'log_max_size = 1M' 'user = nobody'
	ctl reload >/dev/null
	wait_until 10 started_again 3
	wait_until 5 grep -qs '^start ' "$T/log/s.log"
	check "tagged -> FILE: the new run writes to the file" grep -qs '^start ' "$T/log/s.log"
	check_eq "tagged -> FILE: tend's stdout has the start lines of the two runs before only" 2 "$(grep -c '^s: start ' "$OUT")"
	check "tagged -> FILE: the file is tend's (it rotates it)" test "$(stat -c %U "$T/log/s.log")" = root
	# The trust rule is judged again: as root, tend may not rotate there.
	ini "stdout = $T/log/s.log" 'log_max_size = 1M' 'user = root'
	ctl reload >/dev/null
	wait_log 10 "cannot rotate '$T/log/s.log' (log_max_size): it runs as root"
	check "user nobody -> root: the start is refused, as at a first start" \
		log_has "cannot rotate '$T/log/s.log' (log_max_size): it runs as root"
else
	echo "# tagged -> FILE skipped: needs root and user nobody"
fi
tend_stop 10
check_eq "orderly exit" 0 "$TEND_RC"
