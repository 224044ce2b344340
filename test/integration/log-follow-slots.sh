#!/bin/bash
# Services cannot take every `tendctl logs -f` slot (contract section 6): a
# service that opens followers on tend's control socket gets at most 8 of
# the 16, the ninth is refused with a named reason, and the operator can
# still follow (8 more from outside tend's tree all succeed).
. "$TOP_SRCDIR/test/lib.sh"
need_root
. "$TOP_SRCDIR/test/integration/ctl-lib.sh"

# The hog: 12 followers from inside a service, each one's stderr kept.
cat >"$T/hog.sh" <<EOT
#!/bin/sh
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
	"$TENDCTL" -s "$SOCK" logs -f talk >/dev/null 2>"$T/hog.\$i.err" &
done
echo started >"$T/hog.started"
exec sleep infinity
EOT
chmod 755 "$T/hog.sh"
cat >"$T/tend.ini" <<EOT
[tend]
control = $SOCK
[service:talk]
command = /bin/sh -c 'echo hello; exec sleep infinity'
stdout = tagged
[service:hog]
command = $T/hog.sh
EOT
OUT=/dev/null tend_start "$T/tend.ini"
ctl_up 10 || fail "control socket up"
wait_file 10 "$T/hog.started"
# Each hog follower either follows (its stderr stays empty while it runs)
# or is refused at once (it exits after writing why): wait for 4 refusals.
refused() { grep -l 'too many followers from services' "$T"/hog.*.err 2>/dev/null | wc -l; }
wait_until 10 sh -c "[ \$(grep -l 'too many followers from services' '$T'/hog.*.err 2>/dev/null | wc -l) -ge 4 ]" ||
	echo "# refusals seen: $(refused); $(cat "$T"/hog.*.err 2>/dev/null | head -3)"
check_eq "a service's 12 followers: 4 refused (services hold at most 8)" 4 "$(refused)"
check "  ... with the limit named" grep -q 'at most 8 at once' $(grep -l 'too many' "$T"/hog.*.err | head -1)

# The operator, from outside tend's tree: 8 followers, all must follow.
pids=()
for i in 1 2 3 4 5 6 7 8; do
	"$TENDCTL" -s "$SOCK" logs -f talk >"$T/op.$i.out" 2>"$T/op.$i.err" &
	pids+=($!)
	cleanup "kill -KILL ${pids[-1]}"
done
for i in 1 2 3 4 5 6 7 8; do
	wait_until 10 grep -q hello "$T/op.$i.out" || echo "# operator follower $i: $(cat "$T/op.$i.err")"
done
n=0
for i in 1 2 3 4 5 6 7 8; do grep -q hello "$T/op.$i.out" && n=$((n + 1)); done
check_eq "the operator's 8 followers all follow while the service holds its 8" 8 "$n"
# 16 in all now: one more from the operator is refused with the total.
check "a 17th follower is refused with the total limit" \
	sh -c "'$TENDCTL' -s '$SOCK' logs -f talk 2>&1 >/dev/null | grep -q 'too many followers (at most 16 at once)'"
for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
tend_stop
