#!/bin/bash
# A FILE tend writes itself (stdout = FILE with log_max_size) gets the
# lines of one read of the service's pipe in one write, not a write
# (a system call on PID 1's loop) per line: 100,000 short lines take
# fewer than 2,000 writes by tend, and every line is in the file once,
# in order.
. "$TOP_SRCDIR/test/lib.sh"
need_root
need_cmd strace seq
id nobody >/dev/null 2>&1 || skip "needs user nobody"
. "$TOP_SRCDIR/test/integration/svc-lib.sh"
chmod 755 "$T"
mkdir -m 755 "$T/log"

N=100000
cat >"$T/tend.ini" <<EOT
[service:gen]
command = sh -c "sleep 0.2; seq $N; sleep 0.2"
user = nobody
stdout = $T/log/gen.log
log_max_size = 100M
restart = no
EOT
_no_control "$T/tend.ini"
# tend alone is traced (no -f): its own writes, not the service's. The
# leak check of a sanitizer build cannot run under ptrace.
ASAN_OPTIONS=${ASAN_OPTIONS/detect_leaks=1/detect_leaks=0} timeout 60 strace -o "$T/strace" -e trace=write "$TEND" -c "$T/tend.ini" >>"$OUT" 2>>"$LOG"
rc=$?
check_eq "tend under strace ends with 0" 0 "$rc"
[ "$rc" = 0 ] || sed 's/^/#   /' "$LOG" | tail -20
fd_writes=$(grep -c "^write(" "$T/strace")
check "tend wrote $N lines in fewer than 2000 writes ($fd_writes in all)" test "$fd_writes" -lt 2000
seq $N >"$T/expected"
check "every line in the file once, in order" cmp -s "$T/expected" "$T/log/gen.log"
