#!/bin/bash
# (r2) stop_mode: a master/worker pair (sh scripts, as gunicorn's) records
# the signals each receives. stop_mode = main: the master alone gets
# stop_signal and stops its worker itself, so the master's TERM comes
# first; the group default signals both at once, the worker first here
# (the master records it 0.3 s late, then passes it on). A master that ignores TERM:
# after stop_timeout SIGKILL reaches the whole group (its worker, which
# never saw a TERM, is gone before tend's last sweep).
. "$TOP_SRCDIR/test/lib.sh"
. "$TOP_SRCDIR/test/integration/svc-lib.sh"

cat >"$T/worker.sh" <<'EOT'
L=$1
trap 'echo "worker TERM" >>$L; kill $S; exit 0' TERM
echo $$ >$L.worker
sleep 1000 & S=$!
wait $S
EOT
cat >"$T/master.sh" <<'EOT'
L=$1 MODE=$2
sh "${0%/*}/worker.sh" $L & W=$!
if [ "$MODE" = stubborn ]; then
	trap 'echo "master TERM" >>$L' TERM
else
	trap 'sleep 0.3; echo "master TERM" >>$L; kill -TERM $W; wait $W; kill $S; exit 0' TERM
fi
echo $$ >$L.master
while :; do sleep 1000 & S=$!; wait $S; done
EOT

cat >"$T/tend.ini" <<EOT
[service:leader]
command = sh $T/master.sh $T/leader.log
stop_mode = main

[service:group]
command = sh $T/master.sh $T/group.log
stop_mode = group

[service:stubborn]
command = sh $T/master.sh $T/stubborn.log stubborn
stop_mode = main
stop_timeout = 1s
EOT
tend_start "$T/tend.ini"
for n in leader group stubborn; do
	wait_file 10 "$T/$n.log.worker" || die "$n did not start: $(cat "$LOG")"
	wait_file 10 "$T/$n.log.master" || die "$n did not start: $(cat "$LOG")"
done
SW=$(cat "$T/stubborn.log.worker")
tend_stop 15
check_eq "tend exits 0 after SIGTERM" 0 "$TEND_RC"
check_eq "stop_mode = main: the master first, then its worker (from the master)" \
	"master TERM,worker TERM" "$(paste -sd, "$T/leader.log")"
check_eq "stop_mode = group: both at once (the worker first here)" \
	"worker TERM,master TERM" "$(paste -sd, "$T/group.log")"
check_eq "stop_mode = main, TERM ignored: only the master saw TERM" \
	"master TERM" "$(paste -sd, "$T/stubborn.log")"
check "stop_timeout: SIGKILL as said" log_has "stubborn: did not stop within 1s, sending SIGKILL"
check "stop_timeout: the worker is gone too (SIGKILL to the group)" proc_ended "$SW"
