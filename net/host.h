/* host.h: the host side of a container's link, through libnl-3 route:
 * veth pairs, bridges, addresses, and the few sysctls tend-net turns on.
 *
 * Every function returns >= 0 on success and -errno on failure (libnl's
 * -NLE_* codes are turned into errno values here, once) and logs nothing:
 * tend-net's main decides what to say. Links are addressed by ifindex
 * once known, so that a name reused behind our back is never acted on. */
#ifndef TEND_NET_HOST_H
#define TEND_NET_HOST_H

#include <stdbool.h>
#include <stddef.h>

#define HOST_IFNAMSIZ 16 /* IFNAMSIZ: 15 characters and the NUL */
#define HOST_ALIASSIZ 128

struct host;

/* What host_link_get() tells about one link. */
struct host_link {
	int ifindex;
	int master;                 /* ifindex of the bridge it is on, 0: none */
	char kind[16];              /* "bridge", "veth", ... or "" */
	char alias[HOST_ALIASSIZ];  /* IFLA_IFALIAS, "" when unset */
	unsigned char mac[6];       /* its Ethernet address, zeros when none */
	bool running;               /* operstate UP: carrier seen, traffic flows */
};

/* An address in network byte order, with its prefix length. */
struct host_addr {
	int family; /* AF_INET or AF_INET6 */
	unsigned char bytes[16];
	unsigned prefix;
};

int host_open(struct host **ret);
/* A handle whose socket lives in the network namespace `netns_fd`: every
 * call on it acts there (a netlink socket stays in the namespace it was
 * made in). -ENOTRECOVERABLE: this process could not return to its own
 * namespace, and must stop at once. */
int host_open_netns(int netns_fd, struct host **ret);
struct host *host_close(struct host *h);
static inline void host_closep(struct host **h) { host_close(*h); }
#define _cleanup_host_ __attribute__((cleanup(host_closep)))

/* -ENODEV when there is no link of that name. */
int host_link_get(struct host *h, const char *name, struct host_link *ret);
int host_link_get_index(struct host *h, int ifindex, struct host_link *ret);

/* Create a bridge / a veth pair whose peer `peer` is created directly in
 * the network namespace `netns_fd` (never in ours, so ten containers may
 * all call their end "eth0"). Returns the new ifindex. */
int host_bridge_create(struct host *h, const char *name);
int host_veth_create(struct host *h, const char *name, const char *peer, int netns_fd);

int host_link_set_alias(struct host *h, int ifindex, const char *alias);
int host_link_set_up(struct host *h, int ifindex);
int host_link_set_master(struct host *h, int ifindex, int master);
/* -ENODEV when it is already gone. */
int host_link_delete(struct host *h, int ifindex);

/* Put an address on a link; 0 when added, 1 when it was there already.
 * An IPv6 address gets no duplicate address detection: configured, not
 * discovered, it is usable at once instead of a second or more later. */
int host_addr_add(struct host *h, int ifindex, const struct host_addr *a);

/* arp_notify on the link (announce its addresses when it comes up),
 * through netlink: it works where /proc/sys is read-only. */
int host_link_set_arp_notify(struct host *h, int ifindex);

/* The neighbour entry of `a` on the link: `mac`, reachable, replacing
 * whatever the host had learnt before (an old container's MAC). */
int host_neigh_set(struct host *h, int ifindex, const struct host_addr *a, const unsigned char mac[6]);

/* Wait up to timeout_ms until the link is running (operstate UP).
 * -ETIMEDOUT when it is not by then. */
int host_link_wait_running(struct host *h, int ifindex, int timeout_ms);

/* Look for an address on any link but those in `skip` whose network
 * overlaps a's network. Returns 1 and describes it in ret_what ("10.1.0.1/16
 * on eth0") when there is one, 0 when none. */
int host_addr_clash(struct host *h, const struct host_addr *a, const int *skip, size_t n_skip,
		    char *ret_what, size_t what_len);

/* Number of links enslaved to `master`. */
int host_link_count_ports(struct host *h, int master, unsigned *ret_n);

/* Every link whose alias is exactly `alias` (malloc'ed array, may be NULL
 * with *ret_n = 0). */
int host_links_with_alias(struct host *h, const char *alias, struct host_link **ret, size_t *ret_n);

/* Write `value` to a /proc/sys file unless it already reads so.
 * *ret_old (optional, >= 2 bytes) gets the value read before. Returns 1
 * when it changed, 0 when it already had the value. */
int host_sysctl_set(const char *path, const char *value, char *ret_old, size_t old_len);

/* Whether a socket of this network namespace (the host's) listens on
 * `port` (`proto`: IPPROTO_TCP or IPPROTO_UDP): TCP in LISTEN, or UDP
 * bound and not connected, on an address that meets `ip` (NULL: any
 * address; else that address, or a wildcard 0.0.0.0 / ::, which takes
 * both families unless IPV6_V6ONLY, unknown from here). A DNAT of that
 * port would take its traffic away, the host's own connections to
 * 127.0.0.1 included. Read from /proc/net/{tcp,tcp6,udp,udp6}. Returns 1
 * and the socket's address in ret_what ("127.0.0.1:22"), 0 when none. */
int host_port_in_use(unsigned port, int proto, const struct host_addr *ip, char *ret_what, size_t what_len);

/* Whether two networks (address/prefix) share any address. */
bool host_addr_overlap(const struct host_addr *a, const struct host_addr *b);

#endif
