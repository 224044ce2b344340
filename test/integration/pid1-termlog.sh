#!/bin/bash
# pid1-termlog: when /dev/termination-log exists (Kubernetes bind-mounts
# it), tend appends to it, before it exits, one line saying why the
# container ends; it never creates it, and never follows a link or writes
# into anything but a regular file or a FIFO there (a root service owns
# /dev in many containers and could plant one).
#
# Each case runs tend in a PID and mount namespace the test makes, with a
# /dev of its own (a tmpfs: null, zero, urandom) where the test puts
# the termination log: a bind mount of a file outside, as Kubernetes does.
. "$TOP_SRCDIR/test/lib.sh"
need_root
need_cmd unshare pgrep mkfifo
T=$(mktmp)

# run_ns KIND ARGS...: tend ARGS as PID 1 with /dev/termination-log as
# KIND: file (bound to $T/msg), none, link (to $T/victim), fifo (a FIFO
# read into $T/msg). Sets rc. Runs in the background when BG=1 (upid).
run_ns() {
	local kind=$1; shift
	: >"$T/msg"; rm -f "$T/nsdone"
	unshare --mount --pid --fork --kill-child --propagation private bash -c '
		T=$1 kind=$2; shift 2
		mount -t tmpfs -o mode=0755 tmpfs /dev || exit 111
		mknod -m 0666 /dev/null c 1 3; mknod -m 0666 /dev/zero c 1 5; mknod -m 0666 /dev/urandom c 1 9
		case $kind in
		file) : >/dev/termination-log; mount --bind "$T/msg" /dev/termination-log || exit 111;;
		link) ln -s "$T/victim" /dev/termination-log;;
		fifo) mkfifo /dev/termination-log; cat /dev/termination-log >"$T/msg" & ;;
		esac
		timeout 20 "$@"
		rc=$?
		# A reader still waiting for a writer gets its end of file.
		[ "$kind" = fifo ] && exec 3<>/dev/termination-log 3>&-
		test -e /dev/termination-log && echo yes >"$T/exists"
		wait
		exit $rc' termlog "$T" "$kind" "$@" 2>"$T/err" &
	upid=$!
	cleanup "kill -KILL $upid"
	[ "${BG:-0}" = 1 ] && return
	wait "$upid"
	rc=$?
}

ini() { # NAME: a configuration with main = web and this [service:web] (stdin)
	{ printf '[tend]\ncontrol =\nmain = web\n[service:web]\n'; cat; } >"$T/$1.ini"
}

# 1. The main service's exit code.
printf 'command = sh -c "exit 3"\nrestart = no\n' | ini exit
run_ns file "$TEND" -c "$T/exit.ini"
check_eq "exit 3: tend's status" 3 "$rc"
check_eq "exit 3: the termination message" "web exited with 3" "$(cat "$T/msg")"

# 2. Killed by a signal.
printf 'command = sh -c "kill -KILL \\$\\$"\nrestart = no\n' | ini kill
run_ns file "$TEND" -c "$T/kill.ini"
check_eq "SIGKILL: tend's status" 137 "$rc"
check_eq "SIGKILL: the termination message" "web killed by KILL" "$(cat "$T/msg")"

# 3. restart_limit reached.
printf 'command = sh -c "exit 5"\nrestart = on-failure\nrestart_delay = 10ms\nrestart_limit = 5\nrestart_window = 60s\n' | ini limit
run_ns file "$TEND" -c "$T/limit.ini"
check_eq "restart_limit: tend's status" 5 "$rc"
check_eq "restart_limit: the termination message" "web failed: 5 restarts in 60s" "$(cat "$T/msg")"

# 4. An orderly shutdown on a signal (sent to tend, PID 1 inside).
# The service is a sleep with an argument no other test uses; tend is its
# parent. Nothing is signalled unless it is tend (tests run in parallel,
# and a failed lookup must never reach another process).
mark="1000.$$"
printf 'command = sleep %s\nrestart = no\n' "$mark" | ini term
BG=1 run_ns file "$TEND" -c "$T/term.ini"
web_pid() { pgrep -f -x "sleep $mark" | head -n1; }
wait_until 10 sh -c "pgrep -f -x 'sleep $mark' >/dev/null" || fail "shutdown: web never started"
wpid=$(web_pid)
tpid=$(ps -o ppid= -p "${wpid:-0}" 2>/dev/null | tr -d ' ')
check_eq "the process signalled is tend" tend "$(cat "/proc/${tpid:-0}/comm" 2>&1)"
[ -n "$tpid" ] && [ "$(cat "/proc/$tpid/comm" 2>/dev/null)" = tend ] && kill -TERM "$tpid"
wait "$upid"
check_eq "SIGTERM: tend's status (web killed by TERM)" 143 "$?"
check_eq "SIGTERM: the termination message" "shutdown on SIGTERM" "$(cat "$T/msg")"

# 5. Single-command mode: the command is `main`.
run_ns file "$TEND" -- sh -c 'exit 4'
check_eq "tend -- CMD: status" 4 "$rc"
check_eq "tend -- CMD: the termination message" "main exited with 4" "$(cat "$T/msg")"

# 6. A FIFO with a reader gets the line too.
run_ns fifo "$TEND" -c "$T/exit.ini"
check_eq "FIFO: the termination message" "web exited with 3" "$(cat "$T/msg")"

# 7. No /dev/termination-log: none is made.
rm -f "$T/exists"
run_ns none "$TEND" -c "$T/exit.ini"
check_eq "none: tend's status" 3 "$rc"
check "none: tend did not create /dev/termination-log" test ! -e "$T/exists"

# 8. A link planted there (as a root service could): never followed.
printf 'secret\n' >"$T/victim"
run_ns link "$TEND" -c "$T/exit.ini"
check_eq "link: tend's status unchanged" 3 "$rc"
check_eq "link: the file it leads to is untouched" "secret" "$(cat "$T/victim")"
check "link: the log says why it was not written" grep -q "tend: warning: /dev/termination-log: not written: " "$T/err"
