#!/bin/bash
# A follower that stops reading (issue 15, contract section 6): `tendctl
# logs -f` whose own stdout nobody reads stops reading tend. The service
# keeps writing at its own pace, tend keeps answering (`GET /live` under
# 100 ms each), and once the follower reads again it is told how many
# lines it lost and goes on with the newest.
. "$TOP_SRCDIR/test/lib.sh"
need_root
need_cmd /usr/bin/python3 curl mkfifo
. "$TOP_SRCDIR/test/integration/ctl-lib.sh"
PORT=$(free_port)

cat >"$T/flood.py" <<'PY'
import os, sys, time
line = b"x" * 90
i = 0
while True:
    chunk = b"".join(b"%08d %s\n" % (i + k, line) for k in range(500))
    os.write(1, chunk)
    i += 500
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(str(i))
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    time.sleep(0.005)
PY
cat >"$T/tend.ini" <<EOT
[tend]
control = $SOCK
http = 127.0.0.1:$PORT
[service:flood]
command = /usr/bin/python3 $T/flood.py $T/progress
stdout = tagged
EOT
OUT=/dev/null tend_start "$T/tend.ini"
ctl_up 10 || fail "control socket up"
wait_file 10 "$T/progress"

mkfifo "$T/ff"
"$TENDCTL" -s "$SOCK" logs -f flood >"$T/ff" 2>"$T/f.err" & F=$!
cleanup "kill -KILL $F"
# The reader of the follower's stdout: nothing until $T/go, then all.
sh -c "while [ ! -e '$T/go' ]; do sleep 0.05; done; exec cat" <"$T/ff" >"$T/got" & R=$!
cleanup "kill -KILL $R"
sleep 1
p0=$(cat "$T/progress")
slow=0
for i in $(seq 1 20); do
	t=$(curl -s -o /dev/null -w '%{time_total}' -m 5 "http://127.0.0.1:$PORT/live")
	awk -v t="$t" 'BEGIN { exit !(t < 0.1) }' || { slow=$((slow+1)); echo "# GET /live took $t s"; }
	sleep 0.1
done
check_eq "GET /live under 100 ms each while a follower does not read" 0 "$slow"
p1=$(cat "$T/progress")
check "the service kept writing ($p0 -> $p1 lines)" test "$((p1 - p0))" -gt 50000
touch "$T/go"
wait_until 10 grep -q "lines lost" "$T/f.err" || fail "the follower is told it lost lines"
check "  ... how many: 'tendctl: N lines lost'" grep -qE '^tendctl: [0-9]+ lines lost' "$T/f.err"
n0=$(wc -l <"$T/got")
wait_until 10 sh -c "[ \$(wc -l <'$T/got') -gt $((n0 + 1000)) ]" || fail "the follower goes on after the loss"
check "the lines it gets are whole" sh -c "! grep -qvE '^[0-9]{8} x{90}$' '$T/got'"
kill -TERM "$F"
tend_stop
