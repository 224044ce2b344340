#!/bin/bash
# Bytes a service sends become valid UTF-8 JSON (issue 12.4): `STATUS=`
# with invalid UTF-8, and one of more than 127 bytes whose cut would fall
# in the middle of a character, through a real sd_notify datagram on the
# service's own NOTIFY_SOCKET; and an exec: health probe that prints
# invalid UTF-8. /status answers 200 with valid JSON (strict UTF-8),
# /metrics 200 in UTF-8, `tendctl status --json` exits 0 with the same
# text, where each invalid sequence reads U+FFFD and a long STATUS= is cut
# at a character boundary.
. "$TOP_SRCDIR/test/lib.sh"
. "$TOP_SRCDIR/test/integration/ctl-lib.sh"
need_cmd /usr/bin/python3

# notify.py STATUS_HEX: READY=1 and STATUS=<bytes> to $NOTIFY_SOCKET (a
# path, or "@name" for an abstract socket, as tend may name it), then sleep.
cat >"$T/notify.py" <<'EOT'
import os, socket, sys, time
path = os.environ["NOTIFY_SOCKET"]
addr = "\0" + path[1:] if path.startswith("@") else path
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"READY=1\nSTATUS=" + bytes.fromhex(sys.argv[1]), addr)
time.sleep(1000)
EOT
hex() { /usr/bin/python3 -c 'import sys; sys.stdout.write(eval(sys.argv[1]).hex())' "$1"; }
BAD=$(hex 'b"bad \xff\xfe x \xc3( \xe2\x82 end"')
# 2 + 100 two-byte characters: byte 127 is the first half of one.
CUT=$(hex '("aa" + "\u00e9" * 100).encode()')
cat >"$T/probe.py" <<'EOT'
import sys
sys.stdout.buffer.write(b"probe \xff\xfe said no\n")
sys.exit(1)
EOT

PORT=$(free_port)
cat >"$T/tend.ini" <<INI
[tend]
control = $SOCK
http = 127.0.0.1:$PORT
[service:bad]
command = /usr/bin/python3 $T/notify.py $BAD
ready = notify
[service:cut]
command = /usr/bin/python3 $T/notify.py $CUT
ready = notify
[service:probe]
command = sleep 1000
health = exec:/usr/bin/python3 $T/probe.py
health_interval = 100ms
health_retries = 1000
INI
tend_start "$T/tend.ini"
wait_until 10 _port_open "$PORT" || die "no HTTP; log: $(cat "$LOG")"
wait_until 10 state_is bad ready
wait_until 10 state_is cut ready
wait_log 10 "$(svclog probe)health check failed"

# strict_json FILE: parses as JSON from strict UTF-8.
strict_json() { /usr/bin/python3 -c 'import json,sys; json.loads(open(sys.argv[1],"rb").read().decode("utf-8"))' "$1" 2>/dev/null; }
code=$(curl -s -o "$T/status.json" -w '%{http_code}' -m 5 "http://127.0.0.1:$PORT/status")
check_eq "/status: 200" 200 "$code"
check "/status: valid JSON in strict UTF-8" strict_json "$T/status.json"
ctl status --json >"$T/ctl.json"
check_eq "tendctl status --json: exit 0" 0 "$?"
check "tendctl status --json: valid JSON in strict UTF-8" strict_json "$T/ctl.json"
text() { jq -r --arg n "$1" '.services[] | select(.name == $n) | .'"$2" "$3"; }
check_eq "invalid sequences read U+FFFD" "bad �� x �( � end" "$(text bad status_text "$T/ctl.json")"
check_eq "a long STATUS= is cut at a character boundary" \
	"aa$(printf 'é%.0s' $(seq 62))" "$(text cut status_text "$T/ctl.json")"
check_eq "/status says the same as tendctl" "$(text bad status_text "$T/ctl.json")" "$(text bad status_text "$T/status.json")"
check "the probe's last line, made valid, is its last result" \
	grep -q 'probe �� said no' <<<"$(text probe last_probe "$T/ctl.json")"
code=$(curl -s -o "$T/metrics" -w '%{http_code}' -m 5 "http://127.0.0.1:$PORT/metrics")
check_eq "/metrics: 200" 200 "$code"
check "/metrics: strict UTF-8" /usr/bin/python3 -c 'import sys; open(sys.argv[1],"rb").read().decode("utf-8")' "$T/metrics"
tend_stop 10
check_eq "tend exits 0" 0 "$TEND_RC"
