/* netc.h: the container side of the network, from [network], through
 * netlink (libnl-3). The only module on tend's side that speaks netlink.
 *
 * Order (tend.md "Network set-up"): lo up; wait for `interface` through
 * RTNLGRP_LINK events on the loop (one already there is used at once);
 * rename, mtu, every address (IPv6 without DAD), link up, default route,
 * every route; then /etc/resolv.conf and /etc/hosts. */
#ifndef TEND_NETC_H
#define TEND_NETC_H

#include <ev.h>
#include "conf/conf.h"

struct netc;

/* r: 0, or -errno; the failure was already logged. */
typedef void (*netc_done_fn)(int r, void *userdata);

/* Start setting up the container's network on `loop`. `net` must stay
 * valid until done is called (or netc_free). done is called exactly once,
 * from the loop (never from inside netc_start), when the set-up finished or
 * failed; by then every netlink socket is closed. Returns 0, or -errno
 * (already logged, done is then never called) when it could not start. */
int netc_start(struct ev_loop *loop, const struct conf_network *net, netc_done_fn done,
	       void *userdata, struct netc **ret);

/* Cancel a set-up still running (done is then not called) and free it.
 * NULL is fine; returns NULL. */
struct netc *netc_free(struct netc *n);

#endif
