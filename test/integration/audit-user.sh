#!/bin/bash
# audit-user: section 1, Fine print: "A numeric `user` with no entry in
# /etc/passwd and no `group` runs with the group of the same number and no
# supplementary groups" — read literally: the supplementary group list is
# empty (setgroups(0), what runc does for a numeric uid with no entry),
# so /proc's Groups line is empty. (svc-privileges.sh expects the gid as
# the only supplementary group instead: the lead decides which reading is
# the contract's; the two tests cannot both pass.)
. "$TOP_SRCDIR/test/lib.sh"
. "$TOP_SRCDIR/test/integration/svc-lib.sh"
need_root

uid=$(( 42000 + $$ % 1000 ))
while getent passwd "$uid" >/dev/null || getent group "$uid" >/dev/null; do uid=$((uid + 1)); done

# The service writes where any uid may (the test's own directory is 0700).
chmod 755 "$T"
mkdir -m 1777 "$T/w"
cat >"$T/u.ini" <<EOT
[tend]
control =
[service:u]
command = sh -c 'grep -E "^(Uid|Gid|Groups):" /proc/self/status >$T/w/u.status'
user = $uid
restart = no
EOT
# tend started with supplementary groups of its own: none may leak.
setpriv --groups 5,6 "$TEND" -c "$T/u.ini" 2>"$LOG"
check_eq "numeric user: tend exits 0" 0 "$?"
st() { awk -v k="$1:" '$1==k { $1=""; sub(/^ +/,""); sub(/ +$/,""); print }' "$T/w/u.status"; }
check_eq "numeric user without entry: Uid" "$uid $uid $uid $uid" "$(st Uid)"
check_eq "numeric user without entry: Gid of the same number" "$uid $uid $uid $uid" "$(st Gid)"
wait_file 5 "$T/w/u.status" || fail "the service wrote no status: $(cat "$LOG")"
check "numeric user without entry: none of tend's groups (5, 6)" sh -c "! grep -Eq '^Groups:.*\\b(5|6)\\b' '$T/w/u.status'"
check_eq "numeric user without entry: no supplementary groups" "" "$(st Groups)"

# `group =` without `user =`: the service runs with that group and none of
# tend's own supplementary groups (no group 0 of root's left behind).
cat >"$T/g.ini" <<EOT
[tend]
control =
[service:g]
command = sh -c 'grep -E "^(Gid|Groups):" /proc/self/status >$T/w/g.status'
group = $uid
restart = no
EOT
setpriv --groups 5,6 "$TEND" -c "$T/g.ini" 2>>"$LOG"
check_eq "group alone: tend exits 0" 0 "$?"
gs() { awk -v k="$1:" '$1==k { $1=""; sub(/^ +/,""); sub(/ +$/,""); print }' "$T/w/g.status"; }
check_eq "group alone: Gid" "$uid $uid $uid $uid" "$(gs Gid)"
check_eq "group alone: no supplementary groups of tend's" "" "$(gs Groups)"
