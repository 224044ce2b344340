# ctl-lib.sh: helpers for the control socket and HTTP tests (ctl-*.sh,
# http-*.sh). Source after test/lib.sh; it sources svc-lib.sh (tend_start,
# tend_wait, free_port...). $SOCK is the test's own control socket.

. "$TOP_SRCDIR/test/integration/svc-lib.sh"
[ -x "$TENDCTL" ] || skip "needs $TENDCTL (make builds it)"
need_cmd socat curl jq

SOCK=$T/tend.sock

# ctl ARGS...: tendctl on the test's socket.
ctl() { "$TENDCTL" -s "$SOCK" "$@"; }
# ctl_rc ARGS...: only the exit status of tendctl, its output dropped.
ctl_rc() { ctl "$@" >/dev/null 2>&1; echo $?; }
# The state / pid of a service, from the JSON status.
svc_state() { ctl status "$1" --json 2>/dev/null | jq -r '.services[0].state'; }
svc_pid_of() { ctl status "$1" --json 2>/dev/null | jq -r '.services[0].pid // empty'; }
state_is() { [ "$(svc_state "$1")" = "$2" ]; }
# ctl_up SECONDS: the control socket answers.
ctl_up() { wait_until "$1" sh -c "'$TENDCTL' -s '$SOCK' status >/dev/null 2>&1"; }
# raw LINE: the raw answer of tend to LINE, as socat sees it.
raw() { printf '%s\n' "$1" | socat -t 5 - "UNIX-CONNECT:$SOCK"; }

# http_code PATH [curl options...]: the status code of a GET.
http_code() { local p=$1; shift; curl -s -o /dev/null -w '%{http_code}' -m 5 "$@" "http://127.0.0.1:$PORT$p"; }
http_body() { curl -s -m 5 "http://127.0.0.1:$PORT$1"; }
# jqe FILTER: jq -e on stdin, quietly (for check).
jqe() { jq -e "$@" >/dev/null; }
