#!/bin/bash
# Sockets another local user cannot take first or redirect (issue 11,
# hole 7).
# 1. The notify socket: its abstract name used to be guessable
#    (@tend-notify-PID-MS, MS the monotonic clock mod 100000). Another
#    user (nobody) binds every such name of the coming 19 s for tend's pid
#    before tend starts: a `ready = notify` service still becomes ready,
#    and its NOTIFY_SOCKET is a name the kernel chose (@ and 5 hex digits).
# 2. The control socket: in a folder that another user (nobody) can write,
#    that user swaps the socket for a symlink to a root-owned file the
#    moment it appears (bind made slow with strace's syscall delay, so
#    that the race is won every time). tend never changes the file behind
#    the link (mode and bytes unchanged), warns, and does not remove the
#    link's target at exit.
. "$TOP_SRCDIR/test/lib.sh"
need_root
need_cmd setpriv strace
PY=/usr/bin/python3
[ -x "$PY" ] || skip "needs $PY"
. "$TOP_SRCDIR/test/integration/ctl-lib.sh"
chmod 0755 "$T"

# ---- 1. The notify socket.
cat >"$T/notify.py" <<'EOF2'
import os, socket, sys, time
p = os.environ.get("NOTIFY_SOCKET", "")
open(sys.argv[1], "w").write(p + "\n")
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"READY=1\nSTATUS=up", "\0" + p[1:] if p.startswith("@") else p)
time.sleep(1000)
EOF2
cat >"$T/squat.py" <<'EOF2'
# Bind @tend-notify-PID-MS for MS over the next N ms, then say so and wait.
import resource, socket, sys, time
pid, n, ready = sys.argv[1], int(sys.argv[2]), sys.argv[3]
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
n = min(n, hard - 64)
now = int(time.monotonic() * 1000)
socks = []
for ms in range(now, now + n):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        s.bind("\0tend-notify-%s-%d" % (pid, ms % 100000))
    except OSError:
        s.close()
        continue
    socks.append(s)
open(ready, "w").write("%d %d\n" % (len(socks), now))
time.sleep(120)
EOF2
cat >"$T/n.ini" <<INI
[service:n]
command = $PY $T/notify.py $T/n.env
ready = notify
ready_timeout = 10s
INI
# tend's pid known before it runs: a wrapper that waits for the word go.
printf '#!/bin/sh\nwhile [ ! -e %s ]; do sleep 0.01; done\nexec %s "$@"\n' "$T/go" "$TEND" >"$T/later"
chmod 755 "$T/later"
NB=$T/nobody; mkdir "$NB"; chown 65534:65534 "$NB"
TEND=$T/later tend_start "$T/n.ini"
setpriv --reuid=65534 --regid=65534 --clear-groups "$PY" "$T/squat.py" "$TEND_PID" 19000 "$NB/squatted" &
squat=$!
cleanup "kill -KILL $squat"
wait_until 60 test -s "$NB/squatted" || die "the squatter did not start"
echo "# nobody holds $(cut -d' ' -f1 "$NB/squatted") names @tend-notify-$TEND_PID-*"
touch "$T/go"
check "notify: the service becomes ready despite the squatter" wait_until 15 log_has "$(svclog n)ready"
check "notify: no error about the notify socket" log_lacks "notify socket"
check "notify: NOTIFY_SOCKET is a name the kernel chose ($(cat "$T/n.env" 2>/dev/null))" \
	grep -qE '^@[0-9a-f]{5}$' "$T/n.env"
# It is tend's: a datagram to it is read by tend (READY=1 above came through).
kill -KILL "$squat" 2>/dev/null; wait "$squat" 2>/dev/null
tend_stop 10

# ---- 2. The control socket swapped for a symlink right after bind.
D=$T/run
mkdir "$D" && chown 65534:65534 "$D"
echo "root's own bytes" >"$T/precious"
chmod 0644 "$T/precious"
before=$(stat -c '%a %u %s %Y' "$T/precious"); sum=$(md5sum <"$T/precious")
cat >"$T/swap.py" <<'EOF2'
# The moment the socket appears, rename a symlink over it.
import os, stat, sys, time
d, target = sys.argv[1], sys.argv[2]
sock, tmp = os.path.join(d, "tend.sock"), os.path.join(d, ".swap")
os.symlink(target, tmp)
end = time.time() + 30
while time.time() < end:
    try:
        if stat.S_ISSOCK(os.lstat(sock).st_mode):
            os.rename(tmp, sock)
            open(os.path.join(d, ".swapped"), "w").close()
            sys.exit(0)
    except FileNotFoundError:
        pass
    time.sleep(0.001)
sys.exit(1)
EOF2
cat >"$T/c.ini" <<INI
[tend]
control = $D/tend.sock
[service:web]
command = sleep 1000
INI
# bind() returns 1.5 s late: the window between bind and anything tend
# does next on the name, as a loaded machine could give. (LeakSanitizer
# cannot run in a traced process: leaks are checked by the other tests.)
printf '#!/bin/sh\nASAN_OPTIONS=detect_leaks=0:exitcode=99 exec strace -f -qq -o /dev/null -e trace=bind -e inject=bind:delay_exit=1500000 %s "$@"\n' "$TEND" >"$T/slowbind"
chmod 755 "$T/slowbind"
setpriv --reuid=65534 --regid=65534 --clear-groups "$PY" "$T/swap.py" "$D" "$T/precious" &
swapper=$!
cleanup "kill -KILL $swapper"
# tend_start would turn `control =` off only when the INI has none: it has one.
TEND=$T/slowbind tend_start "$T/c.ini"
wait_until 10 _child_of "$TEND_PID" >/dev/null; TEND_SIG_PID=$(_child_of "$TEND_PID")
cleanup "kill -KILL $TEND_SIG_PID"
check "control: nobody swapped the socket for a symlink" wait_until 15 test -e "$D/.swapped"
check "control: tend runs its service" wait_until 15 log_has "$(svclog web)"
check "control: tend says its socket was replaced" wait_log 10 "control socket '$D/tend.sock': .*replaced"
check_eq "control: the target's mode, owner, size, mtime unchanged" "$before" "$(stat -c '%a %u %s %Y' "$T/precious")"
check_eq "control: the target's bytes unchanged" "$sum" "$(md5sum <"$T/precious")"
tend_stop 10
check_eq "control: tend ended normally" 0 "$TEND_RC"
check "control: the target is still there after tend's exit" test -f "$T/precious"
check_eq "control: and still unchanged" "$before" "$(stat -c '%a %u %s %Y' "$T/precious")"
