#!/bin/bash
# When a service's leader exits by itself while others of its process group
# live on, what is left of the group gets stop_signal first (it may clean
# up), and SIGKILL only if it is still there after stop_timeout (2 s in
# single-command mode, the contract's grace for leftovers). A restart waits
# until the old group is empty. A second SIGTERM to tend during shutdown
# still kills at once.
# (a) tend -- CMD: a child left in the command's group traps TERM and exits:
#     it saw TERM, and tend exits with the command's status.
# (b) tend -- CMD: the child's TERM handler does not exit: SIGKILL after 2 s.
# (c) restart = always: TERM to the remnant, which takes 0.5 s to clean up;
#     the next leader starts only after the old group is empty (/proc).
# (d) a remnant that outlives TERM, stop_timeout = 60s: tend's second
#     SIGTERM kills it at once.
# (e) tend -- CMD: a process left stopped (SIGSTOP) is woken to see its
#     SIGTERM; in (a) the running one got no SIGCONT (dumb-init's test
#     reads the first signal its print_signals saw).
# (f) as (a), with tend PID 1 of its own PID namespace.
# (g) tend -- CMD: a signal tend forwards while what the command left is
#     being given its 2 s reaches that group (the leader is gone).
. "$TOP_SRCDIR/test/lib.sh"
. "$TOP_SRCDIR/test/integration/svc-lib.sh"

# child.sh MARK MODE: a process left in its leader's group. exit: its TERM
# handler writes the mark and exits; stay: writes it and goes on; clean:
# takes 0.5 s to clean up, then exits. Writes its pid once the trap is set.
# A SIGCONT it sees is written to MARK.cont.
cat >"$T/child.sh" <<'EOT'
M=$1
trap 'echo got-cont >>$M.cont' CONT
case $2 in
exit) trap 'echo got-term >>$M; exit 0' TERM ;;
stay) trap 'echo got-term >>$M' TERM ;;
usr1) trap 'echo got-term >>$M' TERM; trap 'echo got-usr1 >>$M.usr1' USR1 ;;
clean) trap 'echo term >>$M; sleep 0.5; echo child-exit >>$M; exit 0' TERM ;;
esac
echo $$ >$M.pid
while :; do sleep 0.2; done
EOT

# The leader of a single-command tend: the child in its group (stopped
# with a third argument), then exit 3.
single() {
	local m=$1 mode=$2
	cleanup "kill -KILL \$(cat $m.pid 2>/dev/null) 2>/dev/null"
	"$TEND" -- sh -c 'sh "$0" "$1" "$2" & while [ ! -s "$1.pid" ]; do sleep 0.05; done
		[ -z "$3" ] || kill -STOP $(cat "$1.pid"); exit 3' \
		"$T/child.sh" "$m" "$mode" "${3:-}" >>"$OUT" 2>>"$LOG" &
	TEND_PID=$!
	cleanup "_svc_kill_tree $TEND_PID"
}

# (a)
single "$T/a" exit
tend_wait 10
check_eq "(a) tend exits with the command's status" 3 "$TEND_RC"
check_eq "(a) the process left in the group got SIGTERM (its handler ran)" got-term "$(cat "$T/a" 2>/dev/null)"
check "(a) and it is gone" proc_ended "$(cat "$T/a.pid")"
check "(a) running, it got no SIGCONT" test ! -e "$T/a.cont"

# (b)
t0=$(now_ms)
single "$T/b" stay
tend_wait 10
t1=$(now_ms)
check_eq "(b) tend exits with the command's status" 3 "$TEND_RC"
check_eq "(b) SIGTERM first (its handler ran)" got-term "$(head -1 "$T/b" 2>/dev/null)"
check "(b) SIGKILL after 2 s: tend ended after $((t1 - t0)) ms" test $((t1 - t0)) -ge 1900
check "(b) said so" log_has "main: did not stop within 2s, sending SIGKILL"
check "(b) the process left is gone" proc_ended "$(cat "$T/b.pid")"

# (c) run.sh EVENTS: run 1 leaves a child that cleans up on TERM and exits
# 1; each later run records how many processes the first run's group
# still has, then stays.
cat >"$T/run.sh" <<'EOT'
E=$1
n=$(( $(cat $E.runs 2>/dev/null || echo 0) + 1 )); echo $n >$E.runs
if [ $n = 1 ]; then
	echo $$ >$E.pgid
	sh "${0%/*}/child.sh" $E clean &
	while [ ! -s $E.pid ]; do sleep 0.05; done
	echo leader1-exit >>$E
	exit 1
fi
left=$(cat /proc/[0-9]*/stat 2>/dev/null | sed 's/.*) //' | awk -v g=$(cat $E.pgid) '$3 == g' | wc -l)
echo "start$n left=$left" >>$E
exec sleep 1000
EOT
cat >"$T/c.ini" <<EOT
[service:remnant]
command = sh $T/run.sh $T/c
restart = always
restart_delay = 0
stop_timeout = 5s
EOT
cleanup "kill -KILL \$(cat $T/c.pid 2>/dev/null) 2>/dev/null"
tend_start "$T/c.ini"
wait_lines 10 "$T/c" 2 || true
wait_until 10 grep -q '^start' "$T/c" || true
check_eq "(c) TERM to the remnant, its clean-up ends, then the next leader: the old group empty" \
	"leader1-exit,term,child-exit,start2 left=0" "$(paste -sd, "$T/c" 2>/dev/null)"
tend_stop 15
check_eq "(c) tend exits 0 after SIGTERM" 0 "$TEND_RC"

# (d)
cat >"$T/d.ini" <<EOT
[service:stubborn]
command = sh -c 'sh "\$0" "\$1" stay & while [ ! -s "\$1.pid" ]; do sleep 0.05; done; exit 0' $T/child.sh $T/d
stop_timeout = 60s
EOT
cleanup "kill -KILL \$(cat $T/d.pid 2>/dev/null) 2>/dev/null"
: >"$LOG"
tend_start "$T/d.ini"
wait_file 10 "$T/d" || die "(d) the remnant got no TERM: $(cat "$LOG")"
kill -TERM "$TEND_PID"
wait_log 10 "SIGTERM: shutting down" || die "(d) no shutdown: $(cat "$LOG")"
check "(d) one SIGTERM: tend waits for stop_timeout" test -e "/proc/$(cat "$T/d.pid")"
t0=$(now_ms)
tend_stop 5
t1=$(now_ms)
check_eq "(d) a second SIGTERM ends tend at once (status of the service, 0)" 0 "$TEND_RC"
check "(d) within 2 s ($((t1 - t0)) ms)" test $((t1 - t0)) -lt 2000
check "(d) the remnant is gone" proc_ended "$(cat "$T/d.pid")"

# (e)
single "$T/e" exit stopped
tend_wait 10
check_eq "(e) tend exits with the command's status" 3 "$TEND_RC"
check_eq "(e) the stopped process was woken and its TERM handler ran" got-term "$(cat "$T/e" 2>/dev/null)"
check "(e) it is gone" proc_ended "$(cat "$T/e.pid")"

# (f) tend as PID 1 of its own PID namespace: as (a)
if unshare --pid --fork --mount-proc true 2>/dev/null; then
	timeout 10 unshare --pid --fork --mount-proc "$TEND" -- sh -c \
		'sh "$0" "$1" exit & while [ ! -s "$1.pid" ]; do sleep 0.05; done; exit 3' \
		"$T/child.sh" "$T/f" >>"$OUT" 2>>"$LOG"
	check_eq "(f) as PID 1: tend exits with the command's status" 3 "$?"
	check_eq "(f) as PID 1: the process left got SIGTERM (its handler ran)" got-term "$(cat "$T/f" 2>/dev/null)"
else
	echo "# (f) skipped: no unshare --pid here"
fi

# (g)
single "$T/g" usr1
wait_file 10 "$T/g" || die "(g) the remnant got no TERM"
kill -USR1 "$TEND_PID"
wait_file 3 "$T/g.usr1"
check_eq "(g) SIGUSR1 to tend after the command exited reaches what it left" got-usr1 "$(cat "$T/g.usr1" 2>/dev/null)"
tend_wait 10
check_eq "(g) tend exits with the command's status" 3 "$TEND_RC"
