#!/usr/bin/env bash
# bench/demo-startup.sh [RUNS]: seconds from `runc run -d` to the first
# HTTP 200 of the demo app (examples/demo/app), three ways, each RUNS times
# (default 10), the median and the spread printed:
#   uvicorn   uvicorn main:app as the container's process (no tend)
#   tend      tend as PID 1 running the same uvicorn (ready probe on /health)
#   tend+net  the demo's own app/tend.ini: tend-net's hook, tend's network
#             set-up, the published port 8090
# The first two share the host's network namespace (the container has none
# of its own) so that both are reached on 127.0.0.1:5077 and the difference
# is tend's. Root; the binaries from TEND_BIN, TEND_NET_BIN (default: the
# build-demo folder that examples/demo/up makes). The bundle comes from
# tend-bundle's cache after the first run. BENCH_OUT: a directory for the
# raw results as TSV (bench/results.sh).
set -euo pipefail
top=$(cd "$(dirname "$(realpath "$0")")/.." && pwd)
. "$top/bench/results.sh"
runs=${1:-10}
: "${TEND_BIN:=$top/build-demo/tend}" "${TEND_NET_BIN:=$top/build-demo/tend-net}"
export TEND_BIN TEND_NET_BIN TENDCTL_BIN=${TENDCTL_BIN:-}
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
[ -x "$TEND_BIN" ] || { echo "no tend at $TEND_BIN (set TEND_BIN)" >&2; exit 1; }

work=$(mktemp -d /tmp/tend-bench-demo.XXXXXX)
id=bench-$$
trap 'runc delete --force $id >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
results_init demo-startup
result param RUNS count "$runs"

cat >"$work/web.ini" <<'EOI'
[service:web]
command = uvicorn main:app --host 127.0.0.1 --port 5077
directory = /app
user = app
env = DB_HOST=127.0.0.1
env = DB_USER=x
env = DB_NAME=x
env = DB_PASSWORD=x
ready = http://127.0.0.1:5077/health
EOI
"$top/bundle/tend-bundle" create "$work/b" --app "$top/examples/demo/app" -c "$work/web.ini" \
	--packages "python3-fastapi python3-pymysql" --user app >/dev/null 2>&1
cp "$work/b/config.json" "$work/tend.json"
uid=$(awk -F: '$1 == "app" {print $3":"$4}' "$work/b/rootfs/etc/passwd")
jq 'del(.hooks) | .linux.namespaces |= map(select(.type != "network"))' "$work/tend.json" >"$work/tend-hostnet.json"
jq --arg u "${uid%:*}" --arg g "${uid#*:}" '.process.args = ["uvicorn", "main:app", "--host", "127.0.0.1", "--port", "5077"]
	| .process.cwd = "/app" | .process.user = {uid: ($u | tonumber), gid: ($g | tonumber)}
	| .process.env += ["DB_HOST=127.0.0.1", "DB_USER=x", "DB_NAME=x", "DB_PASSWORD=x"]' \
	"$work/tend-hostnet.json" >"$work/uvicorn.json"

# One run: start the container, poll until 200, print seconds.
measure() { # CONFIG URL
	cp "$1" "$work/b/config.json"
	python3 - "$work/b" "$id" "$2" <<'EOP'
import http.client, subprocess, sys, time, urllib.parse
bundle, cid, url = sys.argv[1:4]
u = urllib.parse.urlsplit(url)
t0 = time.monotonic()
subprocess.run(["runc", "run", "-d", "-b", bundle, cid], stdin=subprocess.DEVNULL,
               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
while True:
    try:
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=0.5)
        c.request("GET", u.path)
        if c.getresponse().status == 200:
            break
    except OSError:
        pass
    if time.monotonic() - t0 > 60:
        sys.exit("no 200 within 60 s")
    time.sleep(0.002)
print(f"{time.monotonic() - t0:.4f}")
EOP
	runc delete --force "$id" >/dev/null 2>&1
}

stats() { # NAME: reads seconds, one a line
	sort -n >"$work/stats"
	local med min max n all
	read -r med min max n < <(awk '{ v[NR] = $1 } END {
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.6f %.6f %.6f %d\n", m, v[1], v[NR], NR }' "$work/stats")
	LC_NUMERIC=C printf '%-13s median %.3f s  min %.3f  max %.3f  (%d runs)\n' "$1" "$med" "$min" "$max" "$n"
	mapfile -t all <"$work/stats"
	samples "$1" time s "${all[@]}"
	result "$1" median s "$med"
	result "$1" min s "$min"
	result "$1" max s "$max"
}

printf 'demo app, runc run -d to the first 200 of /health (%s runs each)\n' "$runs"
# Interleaved, so that both sides see the same load on a shared machine;
# the paired difference is tend's cost.
for i in $(seq "$runs"); do
	u=$(measure "$work/uvicorn.json" http://127.0.0.1:5077/health)
	t=$(measure "$work/tend-hostnet.json" http://127.0.0.1:5077/health)
	echo "$u $t"
done >"$work/pairs"
awk '{print $1}' "$work/pairs" | stats uvicorn
awk '{print $2}' "$work/pairs" | stats tend
awk '{printf "%.4f\n", $2 - $1}' "$work/pairs" | stats tend-uvicorn
if ip link show tend0 >/dev/null 2>&1; then
	echo "tend+net      skipped: the bridge tend0 exists (is the demo up?)"
elif [ -x "$TEND_NET_BIN" ]; then
	# The bundle's own DIR/tend.ini: the hooks read it and it is bound
	# read-only over the rootfs copy (tend-bundle(8)).
	install -m 0600 "$top/examples/demo/app/tend.ini" "$work/b/tend.ini"
	printf 'DB_PASSWORD=x\n' >"$work/b/rootfs/etc/tend/web.env"
	chmod 0600 "$work/b/rootfs/etc/tend/web.env"
	for i in $(seq "$runs"); do measure "$work/tend.json" http://127.0.0.1:8090/health; done >"$work/net"
	stats tend+net <"$work/net"
fi
