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
