#!/bin/bash
# Probes by name (r2): tcp://NAME:PORT and http://NAME:PORT/PATH resolved
# at each try from the container's /etc/hosts, then the name servers of its
# /etc/resolv.conf, on tend's loop. tend runs in a private mount namespace
# with a test-made /etc/hosts and /etc/resolv.conf bind-mounted; the name
# server is a python3 responder on a loopback address of this test (A for
# one name, NXDOMAIN for others, silence for names starting "silent").
# Asserts: a name from hosts and a name from DNS make services ready; a
# name that does not resolve is a failed try with the reason in the log,
# then passes once the test adds it to /etc/hosts; a name server that never
# answers is a timed-out try while `tendctl status` still answers within
# 1 s; a FIFO at /etc/hosts does not hang tend (it falls through to DNS).
. "$TOP_SRCDIR/test/lib.sh"
need_root
need_cmd unshare /usr/bin/python3
. "$TOP_SRCDIR/test/integration/svc-lib.sh"
[ -e /etc/hosts ] && [ -e /etc/resolv.conf ] || skip "needs /etc/hosts and /etc/resolv.conf to mount over"

PORT=$(free_port)
echo 200 >"$T/code"
http_server "$PORT" "$T/code"
wait_until 5 _port_open "$PORT" || die "http server did not start"

# A loopback address of this test's own for the name server (port 53: a
# resolv.conf names no port).
NS=127.53.$(( 0x${TID:0:2} )).$(( 0x${TID:2:2} % 254 + 1 ))
/usr/bin/python3 - "$NS" "db-$TID.test" "$T/dns.log" <<'PY' >"$T/dns.err" 2>&1 &
import socket, struct, sys
addr, known, logf = sys.argv[1], sys.argv[2].lower(), sys.argv[3]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((addr, 53))
open(logf + ".up", "w").close()
while True:
    q, peer = s.recvfrom(512)
    if len(q) < 12:
        continue
    i, labels = 12, []
    while i < len(q) and q[i] != 0:
        labels.append(q[i + 1:i + 1 + q[i]].decode("ascii", "replace"))
        i += 1 + q[i]
    name, qtype = ".".join(labels).lower(), struct.unpack(">H", q[i + 1:i + 3])[0]
    with open(logf, "a") as l:
        l.write("%s %d\n" % (name, qtype))
    if name.startswith("silent"):
        continue
    question = q[12:i + 5]
    flags = 0x8180 if name == known else 0x8183  # NOERROR / NXDOMAIN
    an = 1 if name == known and qtype == 1 else 0
    r = q[:2] + struct.pack(">HHHHH", flags, 1, an, 0, 0) + question
    if an:
        r += b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 5, 4) + socket.inet_aton("127.0.0.1")
    s.sendto(r, peer)
PY
DNS_PID=$!
cleanup "kill -KILL $DNS_PID"
wait_file 5 "$T/dns.log.up" || wait_until 5 test -e "$T/dns.log.up" || die "DNS responder did not start: $(cat "$T/dns.err")"

printf '127.0.0.1 localhost\n127.0.0.1 web-%s.test web-%s\n' "$TID" "$TID" >"$T/hosts"
printf 'nameserver %s\n' "$NS" >"$T/resolv.conf"
mkfifo "$T/fifo"

# tend in a mount namespace of its own, with FILES over /etc/hosts and
# /etc/resolv.conf (the host's stay as they are).
cat >"$T/ns-tend" <<'SH'
#!/bin/sh
hosts=$1 resolv=$2 tend=$3; shift 3
exec unshare --mount --propagation private sh -c '
	mount --bind "$1" /etc/hosts && mount --bind "$2" /etc/resolv.conf || exit 70
	t=$3; shift 3; exec "$t" "$@"' ns-tend "$hosts" "$resolv" "$tend" "$@"
SH
chmod 755 "$T/ns-tend"
REAL_TEND=$TEND

cat >"$T/names.ini" <<EOT
[tend]
control = $T/ctl.sock
[service:byhosts]
command = sleep 1000
ready = tcp://web-$TID:$PORT
[service:bydns]
command = sleep 1000
ready = http://db-$TID.test:$PORT/health
[service:late]
command = sleep 1000
health = tcp://late-$TID:$PORT
health_interval = 200ms
health_retries = 1000
[service:late2]
command = sleep 1000
ready = tcp://late-$TID:$PORT
ready_timeout = 60s
[service:silent]
command = sleep 1000
health = tcp://silent-$TID.test:$PORT
health_interval = 100ms
health_timeout = 1s
health_retries = 1000
EOT
start_ns_tend() { # HOSTS INI
	"$T/ns-tend" "$1" "$T/resolv.conf" "$TEND" -c "$2" >>"$OUT" 2>>"$LOG" &
	TEND_PID=$!
	cleanup "_svc_kill_tree $TEND_PID"
}
start_ns_tend "$T/hosts" "$T/names.ini"

wait_log 10 "$(svclog byhosts)ready after"
check "a name from /etc/hosts: ready" log_has "$(svclog byhosts)ready after"
wait_log 10 "$(svclog bydns)ready after"
check "a name from the name server of resolv.conf: ready" log_has "$(svclog bydns)ready after"
check "asked the test's name server for it" grep -q "^db-$TID.test 1$" "$T/dns.log"
check "the HTTP probe reached the server" grep -q "^/health$" "$T/code.log"

wait_log 10 "$(svclog late)health check failed (cannot resolve 'late-$TID': no such name), 2 of"
check "a name that does not resolve: a failed try with the reason" \
	log_has "$(svclog late)health check failed (cannot resolve 'late-$TID': no such name)"
check "not ready while it does not resolve" log_lacks "$(svclog late2)ready after"
printf '127.0.0.1 late-%s\n' "$TID" >>"$T/hosts"
wait_log 10 "$(svclog late2)ready after"
check "resolved at each try: ready once in /etc/hosts" log_has "$(svclog late2)ready after"

wait_log 10 "$(svclog silent)health check failed (cannot resolve 'silent-$TID.test': timed out after 1s), 2 of"
check "a name server that never answers: the try times out" \
	log_has "$(svclog silent)health check failed (cannot resolve 'silent-$TID.test': timed out after 1s)"
slow=""
for i in 1 2 3 4 5; do
	t0=$(now_ms)
	timeout 5 "$TENDCTL" -s "$T/ctl.sock" status >"$T/status" 2>&1 || slow="$slow fail"
	t1=$(now_ms)
	[ $((t1 - t0)) -lt 1000 ] || slow="$slow $((t1 - t0))ms"
done
check_eq "tendctl status answers within 1s while lookups hang" "" "$slow"
check "and lists the services" grep -q "silent" "$T/status"
"$TENDCTL" -s "$T/ctl.sock" shutdown >/dev/null 2>&1
wait_until 10 proc_ended "$TEND_PID"
check "tend ended on shutdown" proc_ended "$TEND_PID"
check "no sanitizer report" log_lacks "ERROR: \(Address\|Leak\)Sanitizer\|runtime error"

# A FIFO at /etc/hosts (a service can put one there): never opened to
# wait for a writer; the lookup goes on to the name server.
cat >"$T/fifo.ini" <<EOT
[tend]
control = $T/ctl2.sock
[service:bydns]
command = sleep 1000
ready = tcp://db-$TID.test:$PORT
EOT
: >"$LOG"
start_ns_tend "$T/fifo" "$T/fifo.ini"
wait_log 10 "$(svclog bydns)ready after"
check "a FIFO at /etc/hosts: not hung, resolved by DNS" log_has "$(svclog bydns)ready after"
t0=$(now_ms)
timeout 5 "$TENDCTL" -s "$T/ctl2.sock" status >/dev/null 2>&1
check_eq "tendctl status answers" 0 "$?"
"$TENDCTL" -s "$T/ctl2.sock" shutdown >/dev/null 2>&1
wait_until 10 proc_ended "$TEND_PID"
check "tend ended on shutdown" proc_ended "$TEND_PID"
