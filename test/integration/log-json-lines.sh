#!/bin/bash
# `log = json` covers everything (issue 15): tend's own events on stderr
# and every tagged service line on stdout are one JSON object a line, with
# an RFC 3339 UTC time with microseconds; a collector parses every line
# whatever bytes the services wrote: random bytes, a line far longer than
# the relay's limit (split into several objects, never cut inside a
# character, joined back to the very text), a last line without newline
# (flushed when the service ends), stderr told apart from stdout.
. "$TOP_SRCDIR/test/lib.sh"
need_cmd /usr/bin/python3
. "$TOP_SRCDIR/test/integration/svc-lib.sh"

# 200 KiB of "é" then "END": longer than the relay's 16 KiB, and the cuts
# would fall inside characters if made blindly.
/usr/bin/python3 -c 'import sys; sys.stdout.write("é" * 100000 + "END\n")' >"$T/long.txt"
head -c 65536 /dev/urandom >"$T/random.bin"
cat >"$T/tend.ini" <<EOT
[tend]
log = json
[service:random]
command = cat $T/random.bin
stdout = tagged
restart = no
[service:long]
command = cat $T/long.txt
stdout = tagged
restart = no
[service:tail]
command = sh -c 'echo to-stderr >&2; printf "first\\nno-newline-at-end"'
stdout = tagged
stderr = stdout
restart = no
EOT
tend_start "$T/tend.ini"
tend_wait 30
check_eq "every service ended well: exit 0" 0 "$TEND_RC"

check "every stdout and stderr line is a JSON object in strict UTF-8, time RFC 3339 UTC with microseconds" \
	/usr/bin/python3 - "$OUT" "$LOG" <<'PY'
import json, re, sys
t = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
for path, keys in ((sys.argv[1], ("time", "service", "stream", "line")), (sys.argv[2], ("time", "level", "msg"))):
    data = open(path, "rb").read()
    assert data.endswith(b"\n"), path
    for raw in data.split(b"\n")[:-1]:
        o = json.loads(raw.decode("utf-8"))
        assert isinstance(o, dict) and all(k in o for k in keys), (path, raw[:200])
        assert t.match(o["time"]), o["time"]
PY
lines() { /usr/bin/python3 -c '
import json, sys
for l in open(sys.argv[1], encoding="utf-8"):
    o = json.loads(l)
    if o["service"] == sys.argv[2]:
        print(o["stream"] + " " + o["line"])' "$OUT" "$1"; }
n=$(lines long | wc -l)
check "the long line is split into several objects ($n)" test "$n" -ge 13
check "the pieces joined are the line, no character replaced" \
	/usr/bin/python3 -c '
import json, sys
s = "".join(json.loads(l)["line"] for l in open(sys.argv[1], encoding="utf-8") if json.loads(l)["service"] == "long")
assert s == "é" * 100000 + "END", len(s)' "$OUT"
check_eq "the last line without newline is flushed; stderr is stream stderr" \
	"stderr to-stderr|stdout first|stdout no-newline-at-end" "$(lines tail | sort | paste -sd'|')"
check "random bytes: U+FFFD in place of what is not UTF-8" \
	/usr/bin/python3 -c '
import json, sys
assert any("\ufffd" in json.loads(l)["line"] for l in open(sys.argv[1], encoding="utf-8") if json.loads(l)["service"] == "random")' "$OUT"

# Text mode is unchanged: "NAME: line".
sed 's/^log = json/log = text/' "$T/tend.ini" >"$T/text.ini"
: >"$OUT"
tend_start "$T/text.ini"
tend_wait 30
check "text mode: 'tail: first' and the unterminated last line" \
	sh -c "grep -qx 'tail: first' '$OUT' && grep -qx 'tail: no-newline-at-end' '$OUT' && grep -qx 'tail: to-stderr' '$OUT'"
