#!/bin/bash
# (r2) With `user =`, a service gets HOME, USER, LOGNAME and SHELL from the
# container's passwd entry (read by tend from /etc/passwd, here a scratch
# copy bind-mounted over it in a private mount namespace), seen in
# /proc/PID/environ; env_file and env still win; a numeric user with no
# entry gets HOME=/ and none of tend's USER, LOGNAME, SHELL (root's);
# without `user`, tend's own are kept.
. "$TOP_SRCDIR/test/lib.sh"
need_root
need_cmd unshare mount
. "$TOP_SRCDIR/test/integration/svc-lib.sh"
chmod 755 "$T"
mkdir -m 1777 "$T/run"

REAL_TEND=$TEND
mkdir "$T/etc"
cp /etc/passwd /etc/group "$T/etc/"
cat >>"$T/etc/passwd" <<EOT
svcenv:x:1520:1520:env user:/home/svcenv:/bin/bash
svcempty:x:1521:1521:empty fields::
EOT
echo 'svcenv:x:1520:' >>"$T/etc/group"
cat >"$T/tend-wrap" <<EOT
#!/bin/sh
exec unshare --mount sh -c 'mount --bind "$T/etc/passwd" /etc/passwd && mount --bind "$T/etc/group" /etc/group && exec "\$0" "\$@"' "$REAL_TEND" "\$@"
EOT
chmod 755 "$T/tend-wrap"
printf 'SHELL=/from/env_file\n' >"$T/run/web.env"
chmod 644 "$T/run/web.env"

svc() { # NAME KEYS...
	local n=$1; shift
	printf '[service:%s]\ncommand = sh -c '"'"'echo $$$$ > %s/run/%s.pid; exec sleep 1000'"'"'\n' "$n" "$T" "$n"
	printf '%s\n' "$@"
	echo
}
{
	svc named 'user = svcenv'
	svc over 'user = svcenv' "env_file = $T/run/web.env" 'env = HOME=/from/env'
	svc empty 'user = svcempty'
	svc numeric 'user = 4242'
	svc plain
} >"$T/tend.ini"

TEND_ENV=(HOME=/root USER=root LOGNAME=root SHELL=/bin/tend-shell)
TEND=$T/tend-wrap tend_start "$T/tend.ini"
for n in named over empty numeric plain; do
	wait_file 10 "$T/run/$n.pid" || die "$n did not start: $(cat "$LOG")"
	wait_until 5 grep -q sleep "/proc/$(cat "$T/run/$n.pid")/comm"
done
envof() { tr '\0' '\n' <"/proc/$(cat "$T/run/$1.pid")/environ" | sed -n "s/^$2=//p"; }
has() { tr '\0' '\n' <"/proc/$(cat "$T/run/$1.pid")/environ" | grep -q "^$2="; }

check_eq "user: HOME from passwd" /home/svcenv "$(envof named HOME)"
check_eq "user: USER from passwd" svcenv "$(envof named USER)"
check_eq "user: LOGNAME from passwd" svcenv "$(envof named LOGNAME)"
check_eq "user: SHELL from passwd" /bin/bash "$(envof named SHELL)"
check_eq "env wins over the passwd HOME" /from/env "$(envof over HOME)"
check_eq "env_file wins over the passwd SHELL" /from/env_file "$(envof over SHELL)"
check_eq "env_file/env: USER still from passwd" svcenv "$(envof over USER)"
check_eq "empty home field: /" / "$(envof empty HOME)"
check_eq "empty shell field: /bin/sh" /bin/sh "$(envof empty SHELL)"
check_eq "numeric user without entry: HOME=/" / "$(envof numeric HOME)"
lacks() { ! has "$@"; }
check "numeric user without entry: no USER (root's is not passed)" lacks numeric USER
check "numeric user without entry: no LOGNAME" lacks numeric LOGNAME
check_eq "no user: tend's HOME kept" /root "$(envof plain HOME)"
check_eq "no user: tend's SHELL kept" /bin/tend-shell "$(envof plain SHELL)"
check_eq "each variable once" "" \
	"$(tr '\0' '\n' <"/proc/$(cat "$T/run/named.pid")/environ" | cut -d= -f1 | sort | uniq -d)"
tend_stop
check_eq "tend exits 0 after SIGTERM" 0 "$TEND_RC"
