#!/bin/bash
# A service whose main process exits while a process it left behind keeps
# writing to the same stdout as fast as it can (`yes '' &`, empty lines,
# the most lines a byte): tend relays what
# is in the pipe when the main process ends, and no more at that moment,
# so it goes on with the exit (it logs it, stops the group: the leftover
# is gone) and answers `tendctl status` within 1 s. Both ways tend relays:
# `stdout = tagged`, and a FILE it writes itself (log_max_size, as nobody
# in a folder only root can change). Before, tend read that pipe in a loop
# until it was empty, which a writer faster than tend never lets happen.
. "$TOP_SRCDIR/test/lib.sh"
need_cmd yes timeout
. "$TOP_SRCDIR/test/integration/ctl-lib.sh"
chmod 755 "$T"
mkdir -m 1777 "$T/run"

# run_case NAME OUTPUT-SETTINGS...: one tend, one such service.
run_case() {
	local name=$1 t0 t1 rc y; shift
	rm -f "$T/run/yes.pid"
	{
		cat <<EOT
[tend]
control = $SOCK
[service:idle]
command = sleep 1000
[service:leak]
command = sh -c "yes '' & echo \$\$! > $T/run/yes.pid; sleep 0.3; exit 0"
restart = no
EOT
		printf '%s\n' "$@"
	} >"$T/$name.ini"
	: >"$LOG"
	tend_start "$T/$name.ini"
	wait_file 10 "$T/run/yes.pid" || die "$name: the service did not start; log: $(cat "$LOG")"
	y=$(cat "$T/run/yes.pid")
	cleanup "kill -KILL $y 2>/dev/null"
	wait_log 10 "$(svclog leak)exited"
	check "$name: tend logs the exit of the main process" log_has "$(svclog leak)exited with 0"
	check "$name: the leftover writer is stopped with the group" wait_until 5 proc_ended "$y"
	t0=$(now_ms)
	timeout 5 "$TENDCTL" -s "$SOCK" status >/dev/null 2>&1
	rc=$?
	t1=$(now_ms)
	check_eq "$name: tendctl status exits 0" 0 "$rc"
	check "$name: tendctl status answers within 1 s ($((t1 - t0)) ms)" test $((t1 - t0)) -lt 1000
	kill -KILL "$y" 2>/dev/null
	tend_stop 10
	check_eq "$name: orderly exit after SIGTERM" 0 "$TEND_RC"
}

run_case tagged 'stdout = tagged'
check "tagged: the leftover's lines were relayed" grep -qx 'leak: ' "$OUT"

if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	mkdir -m 755 "$T/log"
	run_case file "stdout = $T/log/leak.log" 'user = nobody' 'log_max_size = 1M' 'log_max_files = 2'
	check "file: the leftover's lines were written" grep -qx '' "$T/log/leak.log"
else
	echo "# file case skipped: needs root and user nobody"
fi
