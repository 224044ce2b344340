#!/bin/bash
# `tendctl logs NAME` with a log_buffer larger than one answer holds (the
# documented maximum is 16M, an answer 4 MiB): tend sends the newest kept
# lines that fit, and says on stderr how many older ones it left out;
# tendctl exits 0, its last line is the last line the service wrote, and
# the lines are consecutive. Before, the oldest 4 MiB came, then "the
# answer from tend broke off" (exit 69), never the newest line.
. "$TOP_SRCDIR/test/lib.sh"
need_cmd seq
. "$TOP_SRCDIR/test/integration/ctl-lib.sh"

N=130000 # 71 bytes a line: 9.2 MB, more than the ring of 8M keeps
cat >"$T/tend.ini" <<EOT
[tend]
control = $SOCK
[service:big]
command = sh -c "seq -f %070g 1 $N; exec sleep 1000"
stdout = tagged
log_buffer = 8M
EOT
tend_start "$T/tend.ini"
ctl_up 10 || die "no control socket; log: $(cat "$LOG")"
last=$(printf '%070d' $N)
wait_until 30 sh -c "'$TENDCTL' -s '$SOCK' logs -n 1 big 2>/dev/null | grep -qx $last" ||
	die "the last line never came; log: $(tail -5 "$LOG")"
ctl logs big >"$T/out" 2>"$T/err"
check_eq "tendctl logs exits 0" 0 "$?"
check_eq "its last line is the last line written" "$last" "$(tail -n 1 "$T/out")"
check "it fits in one answer ($(wc -c <"$T/out") bytes)" test "$(wc -c <"$T/out")" -le $((4 << 20))
first=$((10#$(head -n 1 "$T/out")))
check_eq "the lines are consecutive, from $first to the end" $((N - first + 1)) "$(wc -l <"$T/out")"
check "stderr says how many older lines were left out" \
	grep -Eqx "tendctl: [0-9]+ older lines left out: more than one answer holds \(-f shows them\)" "$T/err"
check "not all that was kept was lost: at least 50,000 lines" test $((N - first + 1)) -ge 50000
tend_stop 10
check_eq "orderly exit" 0 "$TEND_RC"
