#!/bin/bash
# `log = json`: every line tend writes to stderr is one JSON object with
# time, level, service (for a service's events) and msg; `log = text` is
# "tend: NAME: event".
. "$TOP_SRCDIR/test/lib.sh"
need_root
need_cmd jq
tmp=$(mktmp)

cat >"$tmp/json.ini" <<INI
[tend]
control =
log = json
[service:web]
command = sh -c 'exit 3'
restart = no
INI
"$TEND" -c "$tmp/json.ini" 2>"$tmp/err"
check_eq "all services ended, one failed: exit 1" 1 "$?"
jqs() { jq -e -s "$1" "$2" >/dev/null; }
check "every line is a JSON object" jqs 'length > 0 and all(type == "object" and has("time") and has("level") and has("msg"))' "$tmp/err"
check "the exit is an event of service 'web'" jqs 'any(.service == "web" and (.msg | test("exited with 3")))' "$tmp/err"

sed 's/log = json/log = text/' "$tmp/json.ini" >"$tmp/text.ini"
"$TEND" -c "$tmp/text.ini" 2>"$tmp/err"
check "text lines read 'tend: web: exited with 3'" grep -q '^tend: web: exited with 3$' "$tmp/err"

# Every line valid UTF-8 JSON whatever the bytes (issue 12.5): a user name
# that is not UTF-8 (from ${VAR}), a message longer than a log line can
# hold cut in the middle of a character, and a failing exec: probe that
# prints text (and bytes that are not UTF-8) on its stdout and stderr:
# its output is not tend's log; its last line is the probe's reason.
need_cmd /usr/bin/python3
cat >"$tmp/probe.sh" <<'EOT'
echo probe says hello
printf 'oops \377 not healthy\n' >&2
exit 1
EOT
cat >"$tmp/hostile.ini" <<INI
[tend]
control =
log = json
[service:user]
command = sleep 1
user = \${U}
restart = no
[service:long]
command = sleep 1
directory = /nonexistent/\${D}
restart = no
[service:probe]
command = sleep 1000
health = exec:/bin/sh $tmp/probe.sh
health_interval = 100ms
health_retries = 2
restart = no
INI
for pre in "" a; do
	U=$'caf\xe9' D="$pre$(/usr/bin/python3 -c 'print("é" * 1500)')" \
		timeout 30 "$TEND" -c "$tmp/hostile.ini" 2>"$tmp/err.$pre"
	check_eq "hostile bytes ($pre): all services ended, some failed: exit 1" 1 "$?"
	check "hostile bytes ($pre): every line is JSON in strict UTF-8" /usr/bin/python3 -c '
import json, sys
lines = open(sys.argv[1], "rb").read().split(b"\n")
assert lines[-1] == b"" and len(lines) > 1
for l in lines[:-1]:
    o = json.loads(l.decode("utf-8"))
    assert isinstance(o, dict) and "msg" in o and "level" in o' "$tmp/err.$pre"
	check "hostile bytes ($pre): jq reads every line as an object" jqs 'length > 3 and all(type == "object")' "$tmp/err.$pre"
done
check "the user name's invalid byte reads U+FFFD" jqs 'any(.service == "user" and (.msg | contains("caf\ufffd")))' "$tmp/err."
check "the exec: probe's last line is its failure reason" \
	jqs 'any(.service == "probe" and (.msg | test("health check failed .*exit 1: oops \ufffd not healthy")))' "$tmp/err."
check "the exec: probe's stdout is not in tend's log" jqs 'all(.msg | contains("probe says hello") | not)' "$tmp/err."
