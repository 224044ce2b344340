/* host.c: veth, bridge, addresses and sysctls on the host, through
 * libnl-3 route. See host.h. libnl reports -NLE_* codes, not errno: they
 * are turned into errno values once, in nl_err(), so that callers follow
 * the project's -errno convention. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/netlink.h>
#include <netlink/errno.h>
#include <netlink/cache.h>
#include <netlink/route/link.h>
#include <netlink/route/addr.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/link/inet.h>
#include <netlink/route/neighbour.h>
#include <linux/if_addr.h>
#include <linux/ip.h>
#include <linux/neighbour.h>

#include "common/util.h"
#include "net/host.h"

/* IF_OPER_UP of <linux/if.h>, a header that clashes with <net/if.h>. */
#define OPER_UP 6

struct host {
	struct nl_sock *sk;
};

static void nl_linkp(struct rtnl_link **l)
{
	if (*l)
		rtnl_link_put(*l);
}
#define _cleanup_nl_link_ _cleanup_(nl_linkp)

static void nl_addrp(struct nl_addr **a)
{
	if (*a)
		nl_addr_put(*a);
}
#define _cleanup_nl_addr_ _cleanup_(nl_addrp)

static void rtnl_addrp(struct rtnl_addr **a)
{
	if (*a)
		rtnl_addr_put(*a);
}
#define _cleanup_rtnl_addr_ _cleanup_(rtnl_addrp)

static void nl_cachep(struct nl_cache **c)
{
	if (*c)
		nl_cache_free(*c);
}
#define _cleanup_nl_cache_ _cleanup_(nl_cachep)

/* libnl's error space to errno. libnl has no public reverse of
 * nl_syserr2nlerr(), so this is the table of the codes route calls give. */
static int nl_err(int nle)
{
	switch (nle < 0 ? -nle : nle) {
	case 0: return 0;
	case NLE_NOMEM: return -ENOMEM;
	case NLE_EXIST: return -EEXIST;
	case NLE_OBJ_NOTFOUND: return -ENODEV;
	case NLE_NODEV: return -ENODEV;
	case NLE_PERM: return -EPERM;
	case NLE_INVAL: return -EINVAL;
	case NLE_RANGE: return -ERANGE;
	case NLE_BUSY: return -EBUSY;
	case NLE_AGAIN: return -EAGAIN;
	case NLE_NOADDR: return -EADDRNOTAVAIL;
	case NLE_OPNOTSUPP: return -EOPNOTSUPP;
	case NLE_AF_NOSUPPORT: return -EAFNOSUPPORT;
	case NLE_NOACCESS: return -EACCES;
	case NLE_MSGSIZE: return -EMSGSIZE;
	case NLE_BAD_SOCK: return -EBADF;
	default: return -EIO;
	}
}

int host_open(struct host **ret)
{
	struct host *h;
	int r;

	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->sk = nl_socket_alloc();
	if (!h->sk) {
		free(h);
		return -ENOMEM;
	}
	/* libnl 3.2.26+ opens its socket with SOCK_CLOEXEC. */
	r = nl_connect(h->sk, NETLINK_ROUTE);
	if (r < 0) {
		nl_socket_free(h->sk);
		free(h);
		return nl_err(r);
	}
	*ret = h;
	return 0;
}

int host_open_netns(int netns_fd, struct host **ret)
{
	_cleanup_close_ int self = -1;
	int r;

	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -errno;
	if (setns(netns_fd, CLONE_NEWNET) < 0)
		return -errno;
	r = host_open(ret);
	if (setns(self, CLONE_NEWNET) < 0) {
		if (r >= 0)
			*ret = host_close(*ret);
		return -ENOTRECOVERABLE;
	}
	return r;
}

struct host *host_close(struct host *h)
{
	if (h) {
		nl_socket_free(h->sk);
		free(h);
	}
	return NULL;
}

static void fill_link(struct rtnl_link *l, struct host_link *ret)
{
	const char *s;

	memset(ret, 0, sizeof(*ret));
	ret->ifindex = rtnl_link_get_ifindex(l);
	ret->master = rtnl_link_get_master(l);
	s = rtnl_link_get_type(l);
	if (s)
		snprintf(ret->kind, sizeof(ret->kind), "%s", s);
	s = rtnl_link_get_ifalias(l);
	if (s)
		snprintf(ret->alias, sizeof(ret->alias), "%s", s);
	struct nl_addr *a = rtnl_link_get_addr(l);
	if (a && nl_addr_get_len(a) == sizeof(ret->mac))
		memcpy(ret->mac, nl_addr_get_binary_addr(a), sizeof(ret->mac));
	ret->running = rtnl_link_get_operstate(l) == OPER_UP;
}

int host_link_get(struct host *h, const char *name, struct host_link *ret)
{
	_cleanup_nl_link_ struct rtnl_link *l = NULL;
	int r;

	r = rtnl_link_get_kernel(h->sk, 0, name, &l);
	if (r < 0)
		return nl_err(r);
	fill_link(l, ret);
	return 0;
}

int host_link_get_index(struct host *h, int ifindex, struct host_link *ret)
{
	_cleanup_nl_link_ struct rtnl_link *l = NULL;
	int r;

	r = rtnl_link_get_kernel(h->sk, ifindex, NULL, &l);
	if (r < 0)
		return nl_err(r);
	fill_link(l, ret);
	return 0;
}

/* The ifindex of a link just made, by name: RTM_NEWLINK does not answer
 * with it. Called under tend-net's lock, so the name is still ours. */
static int ifindex_of(struct host *h, const char *name)
{
	struct host_link l;
	int r;

	r = host_link_get(h, name, &l);
	return r < 0 ? r : l.ifindex;
}

int host_bridge_create(struct host *h, const char *name)
{
	_cleanup_nl_link_ struct rtnl_link *l = NULL;
	int r;

	l = rtnl_link_alloc();
	if (!l)
		return -ENOMEM;
	rtnl_link_set_name(l, name);
	r = rtnl_link_set_type(l, "bridge");
	if (r < 0)
		return nl_err(r);
	/* NLM_F_EXCL: a bridge someone made meanwhile is not taken as ours. */
	r = rtnl_link_add(h->sk, l, NLM_F_CREATE | NLM_F_EXCL);
	if (r < 0)
		return nl_err(r);
	return ifindex_of(h, name);
}

int host_veth_create(struct host *h, const char *name, const char *peer, int netns_fd)
{
	_cleanup_nl_link_ struct rtnl_link *l = NULL, *p = NULL;
	int r;

	l = rtnl_link_veth_alloc();
	if (!l)
		return -ENOMEM;
	rtnl_link_set_name(l, name);
	p = rtnl_link_veth_get_peer(l);
	rtnl_link_set_name(p, peer);
	/* The peer is born in the container's namespace: no moment where it
	 * sits in ours under a name that may clash, and nothing to move back
	 * if a later step fails (deleting our end deletes both). */
	rtnl_link_set_ns_fd(p, netns_fd);
	r = rtnl_link_add(h->sk, l, NLM_F_CREATE | NLM_F_EXCL);
	if (r < 0)
		return nl_err(r);
	return ifindex_of(h, name);
}

/* Apply `change` to the link `ifindex`. */
static int link_change(struct host *h, int ifindex, struct rtnl_link *change)
{
	_cleanup_nl_link_ struct rtnl_link *orig = NULL;
	int r;

	orig = rtnl_link_alloc();
	if (!orig)
		return -ENOMEM;
	rtnl_link_set_ifindex(orig, ifindex);
	r = rtnl_link_change(h->sk, orig, change, 0);
	return nl_err(r);
}

int host_link_set_alias(struct host *h, int ifindex, const char *alias)
{
	_cleanup_nl_link_ struct rtnl_link *c = rtnl_link_alloc();

	if (!c)
		return -ENOMEM;
	rtnl_link_set_ifalias(c, alias);
	return link_change(h, ifindex, c);
}

int host_link_set_up(struct host *h, int ifindex)
{
	_cleanup_nl_link_ struct rtnl_link *c = rtnl_link_alloc();

	if (!c)
		return -ENOMEM;
	rtnl_link_set_flags(c, IFF_UP);
	return link_change(h, ifindex, c);
}

int host_link_set_master(struct host *h, int ifindex, int master)
{
	_cleanup_nl_link_ struct rtnl_link *c = rtnl_link_alloc();

	if (!c)
		return -ENOMEM;
	rtnl_link_set_master(c, master);
	return link_change(h, ifindex, c);
}

int host_link_set_arp_notify(struct host *h, int ifindex)
{
	_cleanup_nl_link_ struct rtnl_link *c = rtnl_link_alloc();
	int r;

	if (!c)
		return -ENOMEM;
	r = rtnl_link_inet_set_conf(c, IPV4_DEVCONF_ARP_NOTIFY, 1);
	if (r < 0)
		return nl_err(r);
	return link_change(h, ifindex, c);
}

int host_link_wait_running(struct host *h, int ifindex, int timeout_ms)
{
	/* The carrier reaches operstate through the kernel's linkwatch
	 * work, moments after the link came up: poll, every millisecond. */
	for (int i = 0; i <= timeout_ms; i++) {
		struct host_link l;
		int r = host_link_get_index(h, ifindex, &l);

		if (r < 0)
			return r;
		if (l.running)
			return 0;
		nanosleep(&(struct timespec) { .tv_nsec = 1000000 }, NULL);
	}
	return -ETIMEDOUT;
}

int host_link_delete(struct host *h, int ifindex)
{
	_cleanup_nl_link_ struct rtnl_link *l = rtnl_link_alloc();

	if (!l)
		return -ENOMEM;
	/* By index only: a new link that took the old name is not ours. */
	rtnl_link_set_ifindex(l, ifindex);
	return nl_err(rtnl_link_delete(h->sk, l));
}

static int to_nl_addr(const struct host_addr *a, struct nl_addr **ret)
{
	struct nl_addr *n;

	n = nl_addr_build(a->family, a->bytes, a->family == AF_INET ? 4 : 16);
	if (!n)
		return -ENOMEM;
	nl_addr_set_prefixlen(n, (int) a->prefix);
	*ret = n;
	return 0;
}

static void from_rtnl_addr(struct rtnl_addr *ra, struct host_addr *ret)
{
	struct nl_addr *local = rtnl_addr_get_local(ra);
	unsigned len;

	memset(ret, 0, sizeof(*ret));
	if (!local)
		return;
	ret->family = nl_addr_get_family(local);
	len = nl_addr_get_len(local);
	if (len > sizeof(ret->bytes))
		len = sizeof(ret->bytes);
	memcpy(ret->bytes, nl_addr_get_binary_addr(local), len);
	ret->prefix = (unsigned) rtnl_addr_get_prefixlen(ra);
}

bool host_addr_overlap(const struct host_addr *a, const struct host_addr *b)
{
	unsigned bits, i;

	if (a->family != b->family)
		return false;
	/* Two networks overlap when they agree on the shorter prefix. */
	bits = a->prefix < b->prefix ? a->prefix : b->prefix;
	for (i = 0; i < bits / 8; i++)
		if (a->bytes[i] != b->bytes[i])
			return false;
	if (bits % 8) {
		unsigned char m = (unsigned char) (0xff << (8 - bits % 8));
		if ((a->bytes[i] & m) != (b->bytes[i] & m))
			return false;
	}
	return true;
}

int host_addr_add(struct host *h, int ifindex, const struct host_addr *a)
{
	_cleanup_rtnl_addr_ struct rtnl_addr *ra = NULL;
	_cleanup_nl_addr_ struct nl_addr *local = NULL;
	_cleanup_nl_cache_ struct nl_cache *cache = NULL;
	struct nl_object *o;
	int r;

	r = rtnl_addr_alloc_cache(h->sk, &cache);
	if (r < 0)
		return nl_err(r);
	for (o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *cur = (struct rtnl_addr *) o;
		struct host_addr ca;

		if (rtnl_addr_get_ifindex(cur) != ifindex)
			continue;
		from_rtnl_addr(cur, &ca);
		if (ca.family == a->family && ca.prefix == a->prefix &&
		    memcmp(ca.bytes, a->bytes, a->family == AF_INET ? 4 : 16) == 0)
			return 1;
	}

	r = to_nl_addr(a, &local);
	if (r < 0)
		return r;
	ra = rtnl_addr_alloc();
	if (!ra)
		return -ENOMEM;
	rtnl_addr_set_ifindex(ra, ifindex);
	r = rtnl_addr_set_local(ra, local);
	if (r < 0)
		return nl_err(r);
	rtnl_addr_set_prefixlen(ra, (int) a->prefix);
	if (a->family == AF_INET6)
		rtnl_addr_set_flags(ra, IFA_F_NODAD);
	r = rtnl_addr_add(h->sk, ra, NLM_F_CREATE | NLM_F_EXCL);
	return r < 0 ? nl_err(r) : 0;
}

int host_neigh_set(struct host *h, int ifindex, const struct host_addr *a, const unsigned char mac[6])
{
	_cleanup_nl_addr_ struct nl_addr *dst = NULL, *ll = NULL;
	struct rtnl_neigh *n;
	int r;

	struct host_addr one = *a;

	one.prefix = a->family == AF_INET ? 32 : 128;
	r = to_nl_addr(&one, &dst);
	if (r < 0)
		return r;
	ll = nl_addr_build(AF_LLC, mac, 6);
	n = rtnl_neigh_alloc();
	if (!ll || !n) {
		if (n)
			rtnl_neigh_put(n);
		return -ENOMEM;
	}
	rtnl_neigh_set_ifindex(n, ifindex);
	rtnl_neigh_set_family(n, a->family);
	rtnl_neigh_set_dst(n, dst);
	rtnl_neigh_set_lladdr(n, ll);
	rtnl_neigh_set_state(n, NUD_REACHABLE);
	r = rtnl_neigh_add(h->sk, n, NLM_F_CREATE | NLM_F_REPLACE);
	rtnl_neigh_put(n);
	return nl_err(r);
}

static bool in_list(int v, const int *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == v)
			return true;
	return false;
}

int host_addr_clash(struct host *h, const struct host_addr *a, const int *skip, size_t n_skip,
		    char *ret_what, size_t what_len)
{
	_cleanup_nl_cache_ struct nl_cache *cache = NULL;
	struct nl_object *o;
	int r;

	r = rtnl_addr_alloc_cache(h->sk, &cache);
	if (r < 0)
		return nl_err(r);
	for (o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *cur = (struct rtnl_addr *) o;
		struct host_addr ca;
		char txt[INET6_ADDRSTRLEN], dev[IF_NAMESIZE] = "?";
		int idx = rtnl_addr_get_ifindex(cur);

		if (in_list(idx, skip, n_skip))
			continue;
		from_rtnl_addr(cur, &ca);
		/* IPv6 link-local addresses are on every link and never
		 * routed: they cannot clash with a configured network. */
		if (ca.family == AF_INET6 && ca.bytes[0] == 0xfe && (ca.bytes[1] & 0xc0) == 0x80)
			continue;
		if (!host_addr_overlap(a, &ca))
			continue;
		if (!inet_ntop(ca.family, ca.bytes, txt, sizeof(txt)))
			snprintf(txt, sizeof(txt), "?");
		if_indextoname((unsigned) idx, dev);
		snprintf(ret_what, what_len, "%s/%u on %s", txt, ca.prefix, dev);
		return 1;
	}
	return 0;
}

int host_link_count_ports(struct host *h, int master, unsigned *ret_n)
{
	_cleanup_nl_cache_ struct nl_cache *cache = NULL;
	struct nl_object *o;
	unsigned n = 0;
	int r;

	r = rtnl_link_alloc_cache(h->sk, AF_UNSPEC, &cache);
	if (r < 0)
		return nl_err(r);
	for (o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o))
		if (rtnl_link_get_master((struct rtnl_link *) o) == master)
			n++;
	*ret_n = n;
	return 0;
}

int host_links_with_alias(struct host *h, const char *alias, struct host_link **ret, size_t *ret_n)
{
	_cleanup_nl_cache_ struct nl_cache *cache = NULL;
	_cleanup_free_ struct host_link *v = NULL;
	struct nl_object *o;
	size_t n = 0;
	int r;

	r = rtnl_link_alloc_cache(h->sk, AF_UNSPEC, &cache);
	if (r < 0)
		return nl_err(r);
	for (o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		const char *a = rtnl_link_get_ifalias((struct rtnl_link *) o);
		struct host_link *nv;

		if (!a || strcmp(a, alias) != 0)
			continue;
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv)
			return -ENOMEM;
		v = nv;
		fill_link((struct rtnl_link *) o, &v[n++]);
	}
	*ret = TAKE_PTR(v);
	*ret_n = n;
	return 0;
}

int host_sysctl_set(const char *path, const char *value, char *ret_old, size_t old_len)
{
	_cleanup_close_ int fd = -1;
	char cur[64];
	ssize_t n;
	size_t vlen = strlen(value);

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, cur, sizeof(cur) - 1);
	if (n < 0)
		return -errno;
	cur[n] = 0;
	cur[strcspn(cur, "\n")] = 0;
	if (ret_old && old_len > 0)
		snprintf(ret_old, old_len, "%s", cur);
	if (strcmp(cur, value) == 0)
		return 0;
	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	n = write(fd, value, vlen);
	if (n < 0)
		return -errno;
	if ((size_t) n != vlen)
		return -EIO;
	return 1;
}

/* Whether a listener on `a` (of `family`, as read) takes traffic for
 * `ip`: the same address, or a wildcard. An IPv6 wildcard may take IPv4
 * too (IPV6_V6ONLY is not in /proc), and an IPv4-mapped address is that
 * IPv4 address. */
static bool addr_meets(int family, const unsigned char *a, const struct host_addr *ip)
{
	static const unsigned char zero[16], mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (!ip)
		return true;
	if (memcmp(a, zero, family == AF_INET ? 4 : 16) == 0)
		return true;
	if (family == ip->family)
		return memcmp(a, ip->bytes, family == AF_INET ? 4 : 16) == 0;
	return family == AF_INET6 && memcmp(a, mapped, 12) == 0 && memcmp(a + 12, ip->bytes, 4) == 0;
}

/* One /proc/net/{tcp,udp}[6] file: lines of "sl local rem st ...", the
 * addresses as hex words in the kernel's byte order, the ports as hex. */
static int port_in_file(const char *path, int family, unsigned port, bool udp, const struct host_addr *ip,
			char *ret_what, size_t what_len)
{
	_cleanup_fclose_ FILE *f = NULL;
	char line[512];

	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno; /* no IPv6 on this host */
	if (!fgets(line, sizeof(line), f))
		return 0; /* the header */
	while (fgets(line, sizeof(line), f)) {
		char laddr[33], raddr[33], t[9];
		unsigned lport, rport, st;
		unsigned char a[16];
		char txt[INET6_ADDRSTRLEN];
		size_t words = family == AF_INET ? 1 : 4;

		if (sscanf(line, " %*u: %32[0-9A-Fa-f]:%x %32[0-9A-Fa-f]:%x %x", laddr, &lport, raddr, &rport, &st) != 5)
			continue;
		if (lport != port || strlen(laddr) != words * 8)
			continue;
		/* TCP: LISTEN (0x0A). UDP: unconnected (no remote port). */
		if (udp ? rport != 0 : st != 0x0A)
			continue;
		for (size_t w = 0; w < words; w++) {
			uint32_t v;

			memcpy(t, laddr + w * 8, 8);
			t[8] = 0;
			v = (uint32_t) strtoul(t, NULL, 16);
			memcpy(a + w * 4, &v, 4); /* printed in host order of the network-order word */
		}
		if (!addr_meets(family, a, ip))
			continue;
		if (!inet_ntop(family, a, txt, sizeof(txt)))
			snprintf(txt, sizeof(txt), "?");
		snprintf(ret_what, what_len, family == AF_INET ? "%s:%u" : "[%s]:%u", txt, port);
		return 1;
	}
	return ferror(f) ? -EIO : 0;
}

int host_port_in_use(unsigned port, int proto, const struct host_addr *ip, char *ret_what, size_t what_len)
{
	bool udp = proto == IPPROTO_UDP;
	int r;

	r = port_in_file(udp ? "/proc/net/udp" : "/proc/net/tcp", AF_INET, port, udp, ip, ret_what, what_len);
	if (r != 0)
		return r;
	return port_in_file(udp ? "/proc/net/udp6" : "/proc/net/tcp6", AF_INET6, port, udp, ip, ret_what,
			    what_len);
}
