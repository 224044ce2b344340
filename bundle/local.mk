# bundle: tend-bundle, an application folder to an OCI bundle (a bash
# script; it finds tend, tendctl and tend-net next to itself once installed,
# or through TEND_BIN, TENDCTL_BIN, TEND_NET_BIN).
dist_sbin_SCRIPTS = bundle/tend-bundle

# The demo of README's quick start: a FastAPI app and MariaDB in two runc
# containers (examples/demo/up, examples/demo/down).
EXTRA_DIST += \
	examples/demo/README.md \
	examples/demo/up \
	examples/demo/down \
	examples/demo/app/main.py \
	examples/demo/app/tend.ini \
	examples/demo/db/init-db \
	examples/demo/db/tend.ini \
	bench/demo-startup.sh
