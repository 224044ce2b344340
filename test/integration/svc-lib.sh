# svc-lib.sh: helpers for the supervisor tests (svc-*.sh). Source after
# test/lib.sh. A test writes an INI file, starts tend on it in the
# background (tend_start), and watches from outside: tend's log ($LOG),
# its stdout ($OUT), files its services write, /proc of their processes.
# Every tend started here is SIGKILLed at exit if still alive; the
# services it started are in its own process tree (tend is a subreaper) and
# are killed by their process group.

[ -x "$TEND" ] || skip "needs $TEND (make builds it)"

T=$(mktmp)
LOG=$T/tend.log
OUT=$T/tend.out
TEND_PID=
TEND_RC=
: >"$LOG"

# Kill a tend and everything below it: the services are session leaders
# of their own (setsid), so walk the tree by parent pid.
_svc_kill_tree() {
	local p=$1 c
	[ -n "$p" ] || return 0
	for c in $(ps -o pid= --ppid "$p" 2>/dev/null); do
		_svc_kill_tree "$c"
	done
	kill -KILL "$p" 2>/dev/null
	true
}

# tend_start INI [tend options...]: start tend on INI, stdout to $OUT,
# stderr to $LOG (each appended, so one test may start tend many times).
# Extra environment for tend through TEND_ENV (an array of NAME=VALUE).
tend_start() {
	local ini=$1; shift
	_no_control "$ini"
	env ${TEND_ENV[@]+"${TEND_ENV[@]}"} "$TEND" -c "$ini" "$@" >>"$OUT" 2>>"$LOG" &
	TEND_PID=$!
	TEND_SIG_PID=
	cleanup "_svc_kill_tree $TEND_PID"
}

# tend_start_pid1 INI [options...]: tend as PID 1 of a new pid namespace
# (unshare --pid --fork --mount-proc); TEND_SIG_PID is tend itself.
tend_start_pid1() {
	local real=$TEND
	printf '#!/bin/sh\nexec unshare --pid --fork --mount-proc "%s" "$@"\n' "$real" >"$T/.pid1-wrap"
	chmod 755 "$T/.pid1-wrap"
	TEND=$T/.pid1-wrap tend_start "$@"
	wait_until 10 _child_of "$TEND_PID" >/dev/null || return 1
	TEND_SIG_PID=$(_child_of "$TEND_PID")
}
_child_of() { local c; c=$(ps -o pid= --ppid "$1" 2>/dev/null | head -1); [ -n "$c" ] && echo $c; }

# Tests run in parallel: no tend of ours takes the default control socket
# (/run/tend.sock), where another test's tendctl would find it. Adds
# `control =` (disabled) to the INI's [tend] section, or a [tend] section.
_no_control() {
	grep -q '^control[[:space:]]*=' "$1" && return 0
	if grep -q '^\[tend\]' "$1"; then
		sed -i '/^\[tend\]/a control =' "$1"
	else
		sed -i '1i [tend]\ncontrol =' "$1"
	fi
}

# True once PID has ended (gone, or a zombie waiting for us).
proc_ended() {
	[ ! -e "/proc/$1" ] || grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# tend_wait SECONDS: wait for tend to end; its status in TEND_RC. Returns
# 1 (and SIGKILLs it) when it did not end in time.
tend_wait() {
	if ! wait_until "$1" proc_ended "$TEND_PID"; then
		echo "# tend $TEND_PID did not end within $1s; log:"
		sed 's/^/#   /' "$LOG" | tail -30
		_svc_kill_tree "$TEND_PID"
		wait "$TEND_PID" 2>/dev/null
		TEND_RC=timeout
		return 1
	fi
	wait "$TEND_PID"
	TEND_RC=$?
	return 0
}

# tend_stop [SECONDS]: SIGTERM tend and wait for it (default 10 s).
# TEND_SIG_PID, when set, is the process to signal (tend as PID 1 under
# `unshare --fork`, whose parent does not forward signals).
tend_stop() {
	kill -TERM "${TEND_SIG_PID:-$TEND_PID}" 2>/dev/null
	tend_wait "${1:-10}"
}

log_has() { grep -q -e "$1" "$LOG"; }
log_count() { grep -c -e "$1" "$LOG"; }
# wait_log SECONDS PATTERN
wait_log() { wait_until "$1" log_has "$2"; }
# wait_lines SECONDS FILE N: FILE has at least N lines.
wait_lines() { wait_until "$1" _has_lines "$2" "$3"; }
_has_lines() { [ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ]; }

# The pid of the service whose pid file is FILE (services write $$ there).
svc_pid() { cat "$1" 2>/dev/null; }

# Millisecond wall clock, for timestamps services and the test compare.
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# A shell command a service runs to record "its start": appends the
# time in ms to FILE. Use inside the INI: command = sh -c '$(stamp FILE); ...'
stamp() { printf 'echo $(( $(date +%%s%%N) / 1000000 )) >> %s' "$1"; }

# tend's resident set in KiB and its number of open fds.
rss_kb() { awk '$1=="VmRSS:" {print $2}' "/proc/$1/status" 2>/dev/null; }
fd_count() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }

# A free TCP port on 127.0.0.1.
free_port() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# A probe server the test controls: HTTP on 127.0.0.1:PORT answering
# /health with the status code written in FILE (default 200), so a test
# flips a service's health by writing the file. Each request appends its
# path to FILE.log (evidence that probes were tried). Started as a
# background process of the test, killed at exit.
http_server() {
	local port=$1 file=$2
	/usr/bin/python3 - "$port" "$file" <<'EOF' >/dev/null 2>&1 &
import http.server, sys
port, f = int(sys.argv[1]), sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with open(f + ".log", "a") as l:
            l.write(self.path + "\n")
        try:
            code = int(open(f).read().strip() or 200)
        except Exception:
            code = 200
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
EOF
	HTTP_PID=$!
	cleanup "kill -KILL $HTTP_PID"
	wait_until 10 _port_open "$port"
}
_port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# svclog NAME: a grep pattern for the start of a log line about service
# NAME, whatever its level ("tend: web: ..." or "tend: warning: web: ...").
svclog() { printf '^tend: \\(warning: \\)\\?%s: ' "$1"; }
log_lacks() { ! grep -q -e "$1" "$LOG"; }
