#!/bin/bash
# ready = notify when tend cannot open the notify socket (here: the kernel
# refuses AF_UNIX datagram sockets to tend, through a seccomp filter this
# test installs before exec'ing tend): a failed start that names the
# reason, with no process started, instead of a service started without
# NOTIFY_SOCKET that could only fail at its ready_timeout.
. "$TOP_SRCDIR/test/lib.sh"
. "$TOP_SRCDIR/test/integration/svc-lib.sh"
need_cmd python3
[ "$(uname -m)" = x86_64 ] || skip "the seccomp filter here is for x86_64"

# nodgram CMD...: exec CMD with socket(AF_UNIX, SOCK_DGRAM...) failing EACCES.
cat >"$T/nodgram" <<'EOF2'
#!/usr/bin/python3
import ctypes, os, struct, sys
def ins(code, jt, jf, k): return struct.pack("HBBI", code, jt, jf, k)
LD, JEQ, AND, RET = 0x20, 0x15, 0x54, 0x06
prog = b"".join([
    ins(LD, 0, 0, 4), ins(JEQ, 0, 8, 0xC000003E),   # x86_64, else allow
    ins(LD, 0, 0, 0), ins(JEQ, 0, 6, 41),           # socket()
    ins(LD, 0, 0, 16), ins(JEQ, 0, 4, 1),           # AF_UNIX
    ins(LD, 0, 0, 24), ins(AND, 0, 0, 0xF), ins(JEQ, 0, 1, 2),  # SOCK_DGRAM
    ins(RET, 0, 0, 0x00050000 | 13),                # EACCES
    ins(RET, 0, 0, 0x7FFF0000),                     # allow
])
buf = ctypes.create_string_buffer(prog)
class Fprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]
fp = Fprog(len(prog) // 8, ctypes.addressof(buf))
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(38, 1, 0, 0, 0) != 0 or libc.prctl(22, 2, ctypes.byref(fp), 0, 0) != 0:
    sys.exit("seccomp: " + os.strerror(ctypes.get_errno()))
os.execv(sys.argv[1], sys.argv[1:])
EOF2
chmod 755 "$T/nodgram"
python3 -c 'import socket; socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)' ||
	skip "python3 cannot make sockets"
"$T/nodgram" /usr/bin/python3 -c 'import socket; socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)' 2>/dev/null &&
	skip "could not install the seccomp filter"

cat >"$T/tend.ini" <<EOF2
[service:keep]
command = sleep 1000

[service:n]
command = sh -c "date +%s >>$T/n.stamp; exec sleep 1000"
ready = notify
ready_timeout = 60s
restart = no
EOF2
_no_control "$T/tend.ini"
"$T/nodgram" "$TEND" -c "$T/tend.ini" >>"$OUT" 2>>"$LOG" &
TEND_PID=$!
cleanup "_svc_kill_tree $TEND_PID"

check "a failed start, with the reason" \
	wait_log 10 "$(svclog n)cannot start: cannot open the notify socket: Permission denied"
check "said once" test "$(log_count 'notify socket')" = 1
sleep 0.3
check "n: no process was started" test ! -e "$T/n.stamp"
check "n: ended as a failed start (126), not restarted" log_has "$(svclog n)exited with 126"
check "keep still runs" kill -0 "$TEND_PID"
tend_stop
check_eq "exit 0 (orderly shutdown, no main)" 0 "$TEND_RC"
check "no sanitizer report" log_lacks "Sanitizer"
[ "$_failed" = 0 ] || sed 's/^/#   /' "$LOG"
