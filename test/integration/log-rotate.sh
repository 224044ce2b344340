#!/bin/bash
# Rotation (issue 15): stdout = FILE with log_max_size. A service (as
# nobody, its log in a folder only root can change) writes as fast as it
# can; tend rotates FILE -> FILE.1 -> ... at the size. Every line is there
# exactly once, in order (count and checksum of the whole), none cut
# across two files, no file above the size; with log_max_files = 2 the
# oldest go; `tendctl reopen` after an outside `mv` (logrotate) makes a
# new FILE, and lines go on there.
. "$TOP_SRCDIR/test/lib.sh"
need_root
need_cmd /usr/bin/python3 sha256sum
id nobody >/dev/null 2>&1 || skip "needs user nobody"
. "$TOP_SRCDIR/test/integration/ctl-lib.sh"
chmod 755 "$T"
mkdir -m 755 "$T/log" "$T/log2" "$T/log3"

N=200000
cat >"$T/gen.py" <<'PY'
import hashlib, os, sys
n = int(sys.argv[1])
out = []
for i in range(n):
    out.append("%08d %s\n" % (i, hashlib.md5(str(i).encode()).hexdigest()[: (i * 7) % 30 + 1]))
data = "".join(out).encode()
# As fast as it can: big writes, which the pipe cuts wherever it likes.
fd = 1
while data:
    k = os.write(fd, data[:1 << 20])
    data = data[k:]
PY
/usr/bin/python3 "$T/gen.py" $N >"$T/expected"
cat >"$T/tend.ini" <<EOT
[tend]
control = $SOCK
[service:gen]
command = /usr/bin/python3 $T/gen.py $N
user = nobody
stdout = $T/log/gen.log
log_max_size = 128K
log_max_files = 1000
restart = no
[service:few]
command = /usr/bin/python3 $T/gen.py 50000
user = nobody
stdout = $T/log2/few.log
log_max_size = 64K
log_max_files = 2
restart = no
[service:slow]
command = sh -c 'i=0; while :; do i=\$((i+1)); echo line \$i; sleep 0.05; done'
user = nobody
stdout = $T/log3/slow.log
log_max_size = 1M
EOT
tend_start "$T/tend.ini"
ctl_up 10 || fail "control socket up"
wait_until 60 sh -c "'$TENDCTL' -s '$SOCK' status gen --json | grep -q '\"state\": *\"exited\"'" ||
	wait_log 60 'gen: exited'

files() { ls "$1" | sort -t. -k3,3nr -k2,2; }
# Oldest first: FILE.K ... FILE.1, then FILE.
ordered() { local d=$1 b=$2 k; k=$(ls "$d" | grep -c "^$b\.[0-9]"); for ((; k >= 1; k--)); do echo "$d/$b.$k"; done; echo "$d/$b"; }
nfiles=$(ordered "$T/log" gen.log | wc -l)
check "rotated into several files ($nfiles)" test "$nfiles" -gt 20
check_eq "every line exactly once, in order (checksum of the whole)" \
	"$(sha256sum <"$T/expected" | cut -d' ' -f1)" "$(cat $(ordered "$T/log" gen.log) | sha256sum | cut -d' ' -f1)"
check_eq "line count" "$N" "$(cat $(ordered "$T/log" gen.log) | wc -l)"
bad=0
for f in $(ordered "$T/log" gen.log); do
	[ "$(tail -c 1 "$f" | od -An -c | tr -d ' ')" = '\n' ] || { [ -s "$f" ] && bad=1 && echo "# $f ends mid-line"; }
	[ "$(stat -c %s "$f")" -le 131072 ] || { bad=1; echo "# $f above the size"; }
	grep -qvE '^[0-9]{8} [0-9a-f]{1,30}$' "$f" && { bad=1; echo "# $f holds a cut line"; }
done
check_eq "no line cut across two files, no file above log_max_size" 0 "$bad"
check_eq "the files are root's, mode 0640" "0 640" "$(stat -c '%u %a' "$T/log/gen.log.1")"

wait_log 30 'few: exited'
check_eq "log_max_files = 2: FILE, FILE.1, FILE.2 and no more" "few.log few.log.1 few.log.2" "$(ls "$T/log2" | sort | paste -sd' ')"
check "the newest lines are kept" sh -c "tail -n 1 '$T/log2/few.log' | grep -q '^00049999 '"

# logrotate's way: move the file, then ask tend to reopen.
wait_lines 10 "$T/log3/slow.log" 3
mv "$T/log3/slow.log" "$T/log3/slow.log.moved"
check_eq "tendctl reopen: exit 0" 0 "$(ctl_rc reopen)"
wait_lines 10 "$T/log3/slow.log" 2 || fail "a new FILE after reopen"
last=$(tail -n 1 "$T/log3/slow.log.moved" | cut -d' ' -f2)
first=$(head -n 1 "$T/log3/slow.log" | cut -d' ' -f2)
check_eq "no line lost across the reopen" "$((last + 1))" "$first"
tend_stop
