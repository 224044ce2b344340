/* netload.h: the container side of the network lives in a module of its
 * own, tend-netc.so (net/netc.c with libnl-3), loaded only when the
 * configuration has a [network] section. A tend without one (a tini-style
 * init, a supervisor on a host) never maps libnl: about half a megabyte
 * less of PID 1's memory. With the module loaded, net/netc.h's API is
 * called through it unchanged. tend-static has the network code linked
 * in (no dlopen in a static binary): there netload() does nothing. */
#ifndef TEND_NETLOAD_H
#define TEND_NETLOAD_H

/* Find and load tend-netc.so: next to tend's own executable first (the
 * build tree), then the installed module directory, /usr/lib/tend and
 * /usr/local/lib/tend (where tend-bundle puts it in a rootfs). Call it
 * before namespaces and pivot_root, while the file is reachable. Logs and
 * returns -errno on failure (tend exits 70). */
int netload(void);

#endif
