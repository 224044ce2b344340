#!/bin/bash
# A service's process names itself to lie about its parent (contract
# section 6): /proc/PID/stat is "PID (COMM) STATE PPID PGRP SID ...", and
# COMM is the process's to write, so a COMM of "x) S 1 1 1 1" read with
# the first ')' says parent 1, group 1, session 1. tend takes the fields
# after the last ')' (common/procstat.c), so such a process is still seen
# as its service's: its `reload` on the control socket is refused.
. "$TOP_SRCDIR/test/lib.sh"
need_root
need_cmd /usr/bin/python3
. "$TOP_SRCDIR/test/integration/ctl-lib.sh"

# liar.py SOCK OUT: rename itself, then ask tend for a reload.
cat >"$T/liar.py" <<'PY'
import socket, sys
with open("/proc/self/comm", "w") as f:
    f.write("x) S 1 1 1 1")
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(b"reload\n")
ans = b""
while True:
    b = s.recv(4096)
    if not b:
        break
    ans += b
with open(sys.argv[2] + ".tmp", "w") as f:
    f.write(open("/proc/self/stat").read() + ans.decode(errors="replace"))
import os
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
import time
time.sleep(1000)
PY
cat >"$T/tend.ini" <<EOT
[tend]
control = $SOCK
[service:liar]
command = /usr/bin/python3 $T/liar.py $SOCK $T/answer
EOT
tend_start "$T/tend.ini"
ctl_up 10 || fail "control socket up"
wait_file 10 "$T/answer" || die "the liar did not ask: $(cat "$LOG")"
check "the liar's name fakes parent 1 (what a first-')' parser reads)" grep -q '(x) S 1 1 1 1) ' "$T/answer"
check "its reload is refused as a service's" grep -q 'permission denied: pid [0-9]* is a process of a service' "$T/answer"
check "tend logged the refusal" log_has "refused reload from pid"
tend_stop
