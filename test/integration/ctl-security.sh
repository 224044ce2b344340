#!/bin/bash
# Who may use the control socket: it is made 0600 and close-on-exec; a
# user who cannot open it gets 69 from tendctl; a user who can open it (the
# file chmod'ed behind tend's back) but is neither root nor tend's own uid
# is refused by tend itself (SO_PEERCRED): exit 1, with the reason. A
# stale socket left by a killed tend is replaced; a live one is not.
. "$TOP_SRCDIR/test/lib.sh"
need_root
need_cmd setpriv
. "$TOP_SRCDIR/test/integration/ctl-lib.sh"

# The directory must be reachable by the other user, so that what decides
# is the socket, not the path to it.
chmod 0755 "$T"
cat >"$T/tend.ini" <<INI
[tend]
control = $SOCK
[service:web]
command = sleep 1000
INI
tend_start "$T/tend.ini"
ctl_up 10 || die "the control socket does not answer; log: $(cat "$LOG")"

check_eq "the socket is a socket of mode 0600, root's" "socket 600 0" "$(stat -c '%F %a %u' "$SOCK" | sed 's/^socket.* \([0-9]* [0-9]*\)$/socket \1/')"
# close-on-exec: no service inherits it (a service's fds are 0, 1, 2 only)
webpid=$(svc_pid_of web)
check "the socket is not inherited by services" sh -c "! ls -l /proc/$webpid/fd 2>/dev/null | grep -q socket"

nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$TENDCTL" -s "$SOCK" "$@"; }
err=$(nobody status 2>&1); rc=$?
check_eq "uid 65534, socket 0600: tend cannot be reached (69)" 69 "$rc"
check "uid 65534, socket 0600: permission denied" grep -qi "permission denied" <<<"$err"

# Behind tend's back: the socket opened to everyone. tend still refuses.
chmod 0666 "$SOCK"
err=$(nobody status 2>&1); rc=$?
check_eq "uid 65534, socket 0666: refused by tend (1)" 1 "$rc"
check "uid 65534, socket 0666: the reason names the uid" grep -q "permission denied (uid 65534" <<<"$err"
check_eq "uid 65534: no status leaked" 0 "$(grep -c web <<<"$err")"
err=$(nobody stop web 2>&1); rc=$?
check_eq "uid 65534: stop refused (1)" 1 "$rc"
check_eq "uid 65534: web still ready" ready "$(svc_state web)"
check "the refusal is logged" wait_log 5 "refused a client with uid 65534"
check_eq "root still may" 0 "$(ctl_rc status)"

# A stale socket (tend SIGKILLed) is replaced by the next tend.
webpid=$(svc_pid_of web)
kill -KILL "$TEND_PID"; wait "$TEND_PID" 2>/dev/null
kill -KILL "$webpid" 2>/dev/null
check "a killed tend leaves its socket" test -S "$SOCK"
check_eq "the stale socket: 69" 69 "$(ctl_rc status)"
tend_start "$T/tend.ini"
check "a new tend replaces the stale socket" ctl_up 10
check_eq "mode 0600 again" 600 "$(stat -c %a "$SOCK")"
first=$TEND_PID

# A live socket is not taken over: the second tend warns and goes on
# without a control socket; the first one still answers.
cat >"$T/two.ini" <<INI
[tend]
control = $SOCK
[service:other]
command = sleep 1001
INI
tend_start "$T/two.ini"
second=$TEND_PID
check "the second tend says why" wait_log 10 "another process listens there"
check "the first tend still answers" sh -c "'$TENDCTL' -s '$SOCK' status | grep -q '^web '"
kill -TERM "$second"; TEND_PID=$second; tend_wait 10
check "the second tend leaves the first one's socket" test -S "$SOCK"
check "the first tend still answers after that" sh -c "'$TENDCTL' -s '$SOCK' status | grep -q '^web '"
TEND_PID=$first
tend_stop 10
check "the socket is removed at exit" test ! -e "$SOCK"

# A file that is not a socket is never removed.
echo precious >"$SOCK"
tend_start "$T/tend.ini"
check "not a socket: tend says so" wait_log 10 "exists and is not a socket"
check_eq "not a socket: left alone" precious "$(cat "$SOCK")"
tend_stop 10

# A socket in a directory that does not exist yet (a rootfs without /run).
cat >"$T/deep.ini" <<INI
[tend]
control = $T/run/deep/tend.sock
[service:web]
command = sleep 1000
INI
tend_start "$T/deep.ini"
check "a missing directory is made" wait_until 10 sh -c "'$TENDCTL' -s '$T/run/deep/tend.sock' status >/dev/null 2>&1"
check_eq "the directory: 0755" 755 "$(stat -c %a "$T/run/deep")"
tend_stop 10
