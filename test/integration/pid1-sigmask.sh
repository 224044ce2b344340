#!/bin/bash
# In single-command mode the command gets back exactly the signal mask and
# ignored set tend was started with (as tini); services in config mode
# start with nothing blocked and nothing ignored.
. "$TOP_SRCDIR/test/lib.sh"
need_root
tmp=$(mktmp)
sigconf="$TOP_BUILDDIR/test/tools/sigconf"

# Block USR1 (10) and RTMIN+2 (36), ignore USR2 (12) and PIPE (13).
"$sigconf" 10,36 12,13 -- "$TEND" -- cat /proc/self/status >"$tmp/status" 2>/dev/null
blk=$(awk '/^SigBlk:/ {print $2}' "$tmp/status")
ign=$(awk '/^SigIgn:/ {print $2}' "$tmp/status")
check_eq "single-command: the mask comes back" "0000000800000200" "$blk"
check_eq "single-command: the ignored set comes back" "0000000000001800" "$ign"

cat >"$tmp/tend.ini" <<INI
[tend]
control =
[service:s]
command = cat /proc/self/status
stdout = $tmp/svc-status
restart = no
INI
"$sigconf" 10,36 12,13 -- "$TEND" -c "$tmp/tend.ini" 2>/dev/null
check_eq "config mode: tend ends when its only service ended well" 0 "$?"
check_eq "config mode: nothing blocked" "0000000000000000" "$(awk '/^SigBlk:/ {print $2}' "$tmp/svc-status")"
check_eq "config mode: nothing ignored" "0000000000000000" "$(awk '/^SigIgn:/ {print $2}' "$tmp/svc-status")"
