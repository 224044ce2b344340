/* netc.c: the container side of the network, through libnl-3.
 *
 * Everything runs on at most two netlink sockets that live only while the
 * set-up runs: `sk` for requests (blocking; the requests of one step are
 * sent together and their acks read right after, see "Batches": each
 * takes microseconds, so the loop is never held up for long) and, only
 * when the interface is not there yet, `evsk`, subscribed to RTNLGRP_LINK
 * and watched by an ev_io until it is moved in. The link is looked up
 * again right after subscribing, so that one arriving between the first
 * look and the subscription cannot be missed. Both sockets are closed
 * before done is called: tend keeps no netlink socket once the network is
 * set up.
 *
 * Errors: libnl folds many kernel errnos into "Unspecific failure"
 * (ENETUNREACH among them), so the acks are read here, and the kernel's
 * own errno and its extended-ack text are what is reported; libnl's codes
 * (building a message, sending it) are converted once, in nl_to_errno().
 * Every failure is logged once, here, as "unable to WHAT: REASON". */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if.h>
#include <linux/ip.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/inet.h>
#include <netlink/route/route.h>

#include "common/log.h"
#include "common/util.h"
#include "net/netc.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define LOOPBACK_IFINDEX 1 /* the kernel gives lo index 1 in every netns */
#define HOSTS_MARK "\t# tend"
#define RESOLV_PATH "/etc/resolv.conf"
#define HOSTS_PATH "/etc/hosts"

static void nl_socket_freep(struct nl_sock **p) { if (*p) nl_socket_free(*p); }
static void rtnl_link_putp(struct rtnl_link **p) { if (*p) rtnl_link_put(*p); }
static void rtnl_addr_putp(struct rtnl_addr **p) { if (*p) rtnl_addr_put(*p); }
static void rtnl_route_putp(struct rtnl_route **p) { if (*p) rtnl_route_put(*p); }
static void nl_addr_putp(struct nl_addr **p) { if (*p) nl_addr_put(*p); }
#define _cleanup_nl_sock_ _cleanup_(nl_socket_freep)
#define _cleanup_rtnl_link_ _cleanup_(rtnl_link_putp)
#define _cleanup_rtnl_addr_ _cleanup_(rtnl_addr_putp)
#define _cleanup_rtnl_route_ _cleanup_(rtnl_route_putp)
#define _cleanup_nl_addr_ _cleanup_(nl_addr_putp)

struct netc {
	struct ev_loop *loop;
	const struct conf_network *net;
	netc_done_fn done;
	void *userdata;
	struct nl_sock *sk;   /* requests */
	struct nl_sock *evsk; /* RTNLGRP_LINK while waiting for the interface */
	ev_io io;
	ev_timer wait;
	ev_timer finish;      /* calls done from the loop, never from netc_start */
	int result;
	int ifindex;          /* the interface's, once it is there */
	unsigned ifflags;
	int renamed_ifindex;  /* found under `rename` already (tend-net named it so) */
	unsigned renamed_flags;
	bool renamed;         /* ifindex is that link */
	uint64_t start_ns;
	uint64_t found_ns;    /* when the interface was there (or start_ns) */
	int kerr;             /* the kernel's errno (negative) for the refused request */
	char kmsg[200];       /* its extended-ack message, "" when none */
};

/* libnl's -NLE_* as -errno: the one place these codes are converted. */
static int nl_to_errno(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case NLE_SUCCESS: return 0;
	case NLE_INTR: return -EINTR;
	case NLE_BAD_SOCK: return -EBADF;
	case NLE_AGAIN: return -EAGAIN;
	case NLE_NOMEM: return -ENOMEM;
	case NLE_EXIST: return -EEXIST;
	case NLE_INVAL: return -EINVAL;
	case NLE_RANGE: return -ERANGE;
	case NLE_MSGSIZE: return -EMSGSIZE;
	case NLE_OPNOTSUPP: return -EOPNOTSUPP;
	case NLE_AF_NOSUPPORT: return -EAFNOSUPPORT;
	case NLE_OBJ_NOTFOUND: return -ENOENT;
	case NLE_NOADDR: return -EADDRNOTAVAIL;
	case NLE_BUSY: return -EBUSY;
	case NLE_NOACCESS: return -EACCES;
	case NLE_PERM: return -EPERM;
	case NLE_NODEV: return -ENODEV;
	default: return -EIO;
	}
}

/* req_fail's reason: the kernel's errno and extended-ack text when it
 * refused, libnl's code otherwise. */
static int req_errno(const struct netc *n, int nlr)
{
	if (nlr >= 0)
		return 0;
	return n->kerr < 0 ? n->kerr : nl_to_errno(nlr);
}

/* Log "unable to WHAT: REASON" once and return -errno. REASON is the
 * kernel's (its errno text and extended-ack message) or libnl's. */
static int _printf_(3, 4) req_fail(const struct netc *n, int nlr, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	int r = req_errno(n, nlr);
	const char *hint = r == -EPERM ? " (tend lacks CAP_NET_ADMIN: the bundle must grant CAP_NET_ADMIN to tend)" : "";
	if (n->kerr < 0)
		return log_error_errno(r, "unable to %s: %m%s%s%s%s", what, n->kmsg[0] ? " (" : "", n->kmsg,
				       n->kmsg[0] ? ")" : "", hint);
	return log_error_errno(r, "unable to %s: %s%s", what, nl_geterror(nlr), hint);
}

static const char *fmt_addr(const struct conf_addr *a, bool with_prefix, char *buf, size_t len)
{
	char s[INET6_ADDRSTRLEN];

	if (!inet_ntop(a->family, a->addr, s, sizeof(s)))
		snprintf(s, sizeof(s), "?");
	if (with_prefix)
		snprintf(buf, len, "%s/%u", s, a->prefix);
	else
		snprintf(buf, len, "%s", s);
	return buf;
}

static int addr_to_nl(const struct conf_addr *a, unsigned prefix, struct nl_addr **ret)
{
	struct nl_addr *x = nl_addr_build(a->family, a->addr, a->family == AF_INET6 ? 16 : 4);
	if (!x)
		return -ENOMEM;
	nl_addr_set_prefixlen(x, (int)prefix);
	*ret = x;
	return 0;
}

/* Open a NETLINK_ROUTE socket (libnl opens it with SOCK_CLOEXEC) for the
 * batches below, which read it themselves. EXT_ACK/CAP_ACK are best effort
 * (older kernels). */
static int sock_open(struct nl_sock **ret)
{
	_cleanup_nl_sock_ struct nl_sock *s = nl_socket_alloc();
	int one = 1, r;

	if (!s)
		return -ENOMEM;
	r = nl_connect(s, NETLINK_ROUTE);
	if (r < 0)
		return nl_to_errno(r);
	(void)setsockopt(nl_socket_get_fd(s), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	(void)setsockopt(nl_socket_get_fd(s), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	*ret = TAKE_PTR(s);
	return 0;
}

/* Batches: the requests of one step go to the kernel back to back in one
 * sendmsg, each with NLM_F_ACK, and their acks are read afterwards (a few
 * at a time, recvmmsg) and matched by sequence number. The kernel handles
 * one socket's messages in order, so the contract's order holds, and it
 * answers them in that order: the first refusal read is the first request
 * refused, reported exactly as a request on its own would be. Unlike one
 * request at a time, the kernel has then also run the requests after the
 * refused one; the set-up fails anyway (exit 70) and the namespace goes
 * with the container. Every request's ack is a few hundred bytes of the
 * receive buffer (libnl's 32 KiB, doubled by the kernel): BATCH_MAX keeps
 * a batch's acks well within it, since an ack that does not fit is lost. */
#define BATCH_MAX 16
#define BATCH_BUF 4096
#define RECV_SLOTS 8
#define RECV_SLOT 2048 /* an ack, or the head of a link (all we read of it) */

struct batch_req {
	uint32_t seq;
	int *ret_ifindex;    /* a lookup: the link's index, 0 when it is not there */
	unsigned *ret_flags; /* and its flags (NULL: not wanted) */
	char what[128];      /* for "unable to WHAT" */
};

struct batch {
	struct netc *n;
	size_t count, len;
	struct batch_req req[BATCH_MAX];
	union {
		struct nlmsghdr h; /* alignment */
		char buf[BATCH_BUF];
	} u;
};

static void batch_init(struct batch *b, struct netc *n)
{
	b->n = n;
	b->count = b->len = 0;
}

/* A refusal's extended-ack message (NETLINK_EXT_ACK), "" when none. mlen
 * is what was read of the message; the request itself is not echoed before
 * the attributes with NETLINK_CAP_ACK (NLM_F_CAPPED). */
static void ack_text(const struct nlmsghdr *h, size_t mlen, char *buf, size_t size)
{
	const struct nlmsgerr *e = NLMSG_DATA(h);
	size_t off = NLMSG_HDRLEN + sizeof(*e);

	buf[0] = '\0';
	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(h->nlmsg_flags & NLM_F_CAPPED) && e->msg.nlmsg_len > sizeof(e->msg))
		off += NLMSG_ALIGN(e->msg.nlmsg_len - sizeof(e->msg));
	if (off >= mlen)
		return;
	struct nlattr *a = nla_find((struct nlattr *)((char *)h + off), (int)(mlen - off), NLMSGERR_ATTR_MSG);
	if (a && nla_len(a) > 0)
		snprintf(buf, size, "%.*s", nla_len(a), (const char *)nla_data(a));
}

/* One message of a batch's answers: 1 when it completed a request, 0 when
 * it did not (a lookup's reply, or not ours), or the first refusal,
 * logged. */
static int batch_answer(struct batch *b, const struct nlmsghdr *h, size_t mlen)
{
	struct netc *n = b->n;
	struct batch_req *q = NULL;

	for (size_t i = 0; i < b->count && !q; i++)
		if (b->req[i].seq == h->nlmsg_seq)
			q = &b->req[i];
	if (!q)
		return 0;
	if (h->nlmsg_type == RTM_NEWLINK && q->ret_ifindex && mlen >= NLMSG_SPACE(sizeof(struct ifinfomsg))) {
		const struct ifinfomsg *ifi = NLMSG_DATA(h);
		*q->ret_ifindex = ifi->ifi_index;
		if (q->ret_flags)
			*q->ret_flags = ifi->ifi_flags;
		return 0;
	}
	if (h->nlmsg_type != NLMSG_ERROR || mlen < NLMSG_SPACE(sizeof(struct nlmsgerr)))
		return 0;
	const struct nlmsgerr *e = NLMSG_DATA(h);
	if (e->error == 0 || (q->ret_ifindex && e->error == -ENODEV))
		return 1; /* a lookup's ENODEV: the link is not there */
	n->kerr = e->error < 0 ? e->error : -EIO;
	ack_text(h, mlen, n->kmsg, sizeof(n->kmsg));
	return req_fail(n, -NLE_FAILURE, "%s", q->what);
}

/* Send the batch and read every request's answer: 0, or the first refusal
 * (logged). The batch is empty afterwards. */
static int batch_flush(struct batch *b)
{
	struct netc *n = b->n;
	size_t done = 0;
	int r;

	if (b->count == 0)
		return 0;
	n->kerr = 0;
	n->kmsg[0] = '\0';
	r = nl_sendto(n->sk, b->u.buf, b->len);
	if (r < 0)
		return req_fail(n, r, "%s", b->req[0].what);
	while (done < b->count) {
		struct mmsghdr mm[RECV_SLOTS];
		struct iovec iov[RECV_SLOTS];
		_Alignas(struct nlmsghdr) char rbuf[RECV_SLOTS][RECV_SLOT];

		memset(mm, 0, sizeof(mm));
		for (size_t i = 0; i < RECV_SLOTS; i++) {
			iov[i] = (struct iovec){ .iov_base = rbuf[i], .iov_len = RECV_SLOT };
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
		}
		/* Blocks for the first answer only, then takes what is there. */
		int k = recvmmsg(nl_socket_get_fd(n->sk), mm, RECV_SLOTS, MSG_WAITFORONE, NULL);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			n->kerr = -errno;
			return req_fail(n, -NLE_FAILURE, "%s", b->req[done].what);
		}
		for (int i = 0; i < k; i++) {
			/* A datagram may hold several messages; one cut short
			 * (MSG_TRUNC: a long link) is read as far as it goes. */
			const char *p = rbuf[i];
			size_t left = mm[i].msg_len < RECV_SLOT ? mm[i].msg_len : RECV_SLOT;
			while (left >= NLMSG_HDRLEN) {
				const struct nlmsghdr *h = (const struct nlmsghdr *)p;
				if (h->nlmsg_len < NLMSG_HDRLEN)
					break;
				r = batch_answer(b, h, h->nlmsg_len < left ? h->nlmsg_len : left);
				if (r < 0)
					return r;
				done += (size_t)r;
				if (NLMSG_ALIGN(h->nlmsg_len) >= left)
					break;
				left -= NLMSG_ALIGN(h->nlmsg_len);
				p += NLMSG_ALIGN(h->nlmsg_len);
			}
		}
	}
	b->count = b->len = 0;
	return 0;
}

/* Queue a request built by libnl (nlr: the builder's result; m is freed
 * here in every case), described as "WHAT" for its failure. A full batch
 * is sent first. A lookup (ret_ifindex) gets the link's index, or 0 when
 * it is not there, once the batch is sent. */
static int _printf_(6, 7) batch_add(struct batch *b, int nlr, struct nl_msg *m, int *ret_ifindex,
				    unsigned *ret_flags, const char *fmt, ...)
{
	struct netc *n = b->n;
	struct batch_req *q;
	va_list ap;
	int r;

	if (nlr >= 0 && (b->count == BATCH_MAX ||
			 b->len + NLMSG_ALIGN(nlmsg_hdr(m)->nlmsg_len) > sizeof(b->u.buf))) {
		r = batch_flush(b);
		if (r < 0) {
			nlmsg_free(m);
			return r;
		}
	}
	q = &b->req[b->count];
	va_start(ap, fmt);
	vsnprintf(q->what, sizeof(q->what), fmt, ap);
	va_end(ap);
	if (nlr >= 0 && NLMSG_ALIGN(nlmsg_hdr(m)->nlmsg_len) > sizeof(b->u.buf))
		nlr = -NLE_MSGSIZE;
	if (nlr < 0) {
		nlmsg_free(m);
		n->kerr = 0;
		return req_fail(n, nlr, "%s", q->what);
	}
	/* Our port, the next sequence number, NLM_F_REQUEST. */
	nl_complete_msg(n->sk, m);
	struct nlmsghdr *h = nlmsg_hdr(m);
	h->nlmsg_flags |= NLM_F_ACK;
	q->seq = h->nlmsg_seq;
	q->ret_ifindex = ret_ifindex;
	q->ret_flags = ret_flags;
	if (ret_ifindex)
		*ret_ifindex = 0;
	memcpy(b->u.buf + b->len, h, h->nlmsg_len);
	memset(b->u.buf + b->len + h->nlmsg_len, 0, NLMSG_ALIGN(h->nlmsg_len) - h->nlmsg_len);
	b->len += NLMSG_ALIGN(h->nlmsg_len);
	b->count++;
	nlmsg_free(m);
	return 0;
}

/* RTM_NEWLINK on ifindex: name (NULL: keep), mtu (0: keep), and the IFF_UP
 * bit when up >= 0. Returns libnl's code. */
static int link_change_msg(int ifindex, const char *name, unsigned mtu, int up, struct nl_msg **ret)
{
	_cleanup_rtnl_link_ struct rtnl_link *orig = rtnl_link_alloc();
	_cleanup_rtnl_link_ struct rtnl_link *chg = rtnl_link_alloc();

	*ret = NULL;
	if (!orig || !chg)
		return -NLE_NOMEM;
	rtnl_link_set_ifindex(orig, ifindex);
	if (name)
		rtnl_link_set_name(chg, name);
	if (mtu)
		rtnl_link_set_mtu(chg, mtu);
	if (up > 0)
		rtnl_link_set_flags(chg, IFF_UP);
	/* arp_notify: announce our addresses when the link comes up, so that
	 * a host that asked for them too early (its first SYN raced our
	 * set-up) learns them at once instead of after its 1 s ARP retry.
	 * /proc/sys is read-only under runc; netlink is not. */
	if (up > 0 && ifindex != LOOPBACK_IFINDEX)
		rtnl_link_inet_set_conf(chg, IPV4_DEVCONF_ARP_NOTIFY, 1);
	else if (up == 0)
		rtnl_link_unset_flags(chg, IFF_UP);
	return rtnl_link_build_change_request(orig, chg, 0, ret);
}

/* Look a link up by name, in a batch of its own: 1 and its index/flags
 * when it is there, 0 when not, -errno (logged) on failure. */
static int link_find(struct netc *n, const char *name, int *ret_ifindex, unsigned *ret_flags)
{
	struct batch b;
	struct nl_msg *m = NULL;
	int ifindex = 0, r;
	unsigned flags = 0;

	batch_init(&b, n);
	r = rtnl_link_build_get_request(0, name, &m);
	r = batch_add(&b, r, m, &ifindex, &flags, "look up interface '%s'", name);
	if (r >= 0)
		r = batch_flush(&b);
	if (r < 0)
		return r;
	if (ifindex <= 0)
		return 0;
	*ret_ifindex = ifindex;
	if (ret_flags)
		*ret_flags = flags;
	return 1;
}

static int addr_msg(struct netc *n, const struct conf_addr *a, struct nl_msg **ret)
{
	_cleanup_rtnl_addr_ struct rtnl_addr *ra = rtnl_addr_alloc();
	_cleanup_nl_addr_ struct nl_addr *local = NULL;

	*ret = NULL;
	if (!ra || addr_to_nl(a, a->prefix, &local) < 0)
		return -NLE_NOMEM;
	rtnl_addr_set_ifindex(ra, n->ifindex);
	rtnl_addr_set_family(ra, a->family);
	int r = rtnl_addr_set_local(ra, local);
	if (r < 0)
		return r;
	rtnl_addr_set_prefixlen(ra, (int)a->prefix);
	/* Duplicate address detection would keep an IPv6 address tentative
	 * (unusable) for a second or more after "network ready": the
	 * addresses here are assigned by the configuration, not discovered. */
	if (a->family == AF_INET6)
		rtnl_addr_set_flags(ra, IFA_F_NODAD);
	/* NLM_F_REPLACE: tend-net may have put the same address there
	 * before the container started (tend-net(8), the first request);
	 * adding it again is no change, not an error. */
	return rtnl_addr_build_add_request(ra, NLM_F_REPLACE, ret);
}

/* A route to dst (prefix included) via `via` (NULL: on-link) out of
 * ifindex (0: the kernel chooses from via). */
static int route_msg(const struct conf_addr *dst, const struct conf_addr *via, int ifindex, struct nl_msg **ret)
{
	_cleanup_rtnl_route_ struct rtnl_route *rt = rtnl_route_alloc();
	_cleanup_nl_addr_ struct nl_addr *d = NULL;
	_cleanup_nl_addr_ struct nl_addr *g = NULL;
	int r;

	*ret = NULL;
	if (!rt || addr_to_nl(dst, dst->prefix, &d) < 0)
		return -NLE_NOMEM;
	if (via && addr_to_nl(via, via->family == AF_INET6 ? 128 : 32, &g) < 0)
		return -NLE_NOMEM;
	rtnl_route_set_family(rt, (uint8_t)dst->family);
	rtnl_route_set_table(rt, RT_TABLE_MAIN);
	rtnl_route_set_protocol(rt, RTPROT_BOOT);
	rtnl_route_set_type(rt, RTN_UNICAST);
	rtnl_route_set_scope(rt, via ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);
	r = rtnl_route_set_dst(rt, d);
	if (r < 0)
		return r;
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	if (!nh)
		return -NLE_NOMEM;
	if (ifindex > 0)
		rtnl_route_nh_set_ifindex(nh, ifindex);
	if (g)
		rtnl_route_nh_set_gateway(nh, g);
	rtnl_route_add_nexthop(rt, nh); /* the route owns nh now */
	return rtnl_route_build_add_request(rt, NLM_F_EXCL, ret);
}

/* Everything after the interface is there, in the contract's order, queued
 * on b. */
static int configure_interface(struct netc *n, struct batch *b)
{
	const struct conf_network *net = n->net;
	const char *name = n->renamed ? net->rename : net->interface;
	char a[INET6_ADDRSTRLEN + 8];
	struct nl_msg *m;
	int r;

	if (net->rename && strcmp(net->rename, name) != 0) {
		/* The kernel refuses to rename a link that is up. */
		if (n->ifflags & IFF_UP) {
			r = link_change_msg(n->ifindex, NULL, 0, 0, &m);
			r = batch_add(b, r, m, NULL, NULL, "bring '%s' down to rename it", name);
			if (r < 0)
				return r;
		}
		r = link_change_msg(n->ifindex, net->rename, 0, -1, &m);
		r = batch_add(b, r, m, NULL, NULL, "rename '%s' to '%s'", name, net->rename);
		if (r < 0)
			return r;
		name = net->rename;
	}
	if (net->mtu > 0) {
		r = link_change_msg(n->ifindex, NULL, net->mtu, -1, &m);
		r = batch_add(b, r, m, NULL, NULL, "set mtu %u on '%s'", net->mtu, name);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < net->n_address; i++) {
		r = addr_msg(n, &net->address[i], &m);
		r = batch_add(b, r, m, NULL, NULL, "add address %s to '%s'",
			      fmt_addr(&net->address[i], true, a, sizeof(a)), name);
		if (r < 0)
			return r;
	}
	r = link_change_msg(n->ifindex, NULL, 0, 1, &m);
	return batch_add(b, r, m, NULL, NULL, "bring '%s' up", name);
}

static int configure_routes(struct netc *n, struct batch *b)
{
	const struct conf_network *net = n->net;
	const char *ifname = net->rename ? net->rename : net->interface;
	char a[INET6_ADDRSTRLEN + 8], c[INET6_ADDRSTRLEN + 8];
	struct nl_msg *m;
	int r;

	if (net->has_gateway) {
		struct conf_addr any = { .family = net->gateway.family, .prefix = 0 };
		r = route_msg(&any, &net->gateway, n->ifindex, &m);
		r = batch_add(b, r, m, NULL, NULL, "add the default route via %s%s%s%s",
			      fmt_addr(&net->gateway, false, a, sizeof(a)), ifname ? " dev '" : "",
			      ifname ? ifname : "", ifname ? "'" : "");
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < net->n_route; i++) {
		const struct conf_route *rt = &net->route[i];
		int ifindex = n->ifindex;
		if (rt->dev && !(ifname && strcmp(rt->dev, ifname) == 0) &&
		    !(net->interface && strcmp(rt->dev, net->interface) == 0)) {
			/* Another link: what comes before goes first (its
			 * failure is the one to report), then the lookup,
			 * whose answer the route needs. */
			r = batch_flush(b);
			if (r >= 0)
				r = link_find(n, rt->dev, &ifindex, NULL);
			if (r < 0)
				return r;
			if (r == 0)
				return log_error_errno(-ENODEV, "unable to add route %s: no interface '%s'",
						       fmt_addr(&rt->dst, true, a, sizeof(a)), rt->dev);
		}
		r = route_msg(&rt->dst, rt->has_via ? &rt->via : NULL, ifindex, &m);
		r = batch_add(b, r, m, NULL, NULL, "add route %s%s%s", fmt_addr(&rt->dst, true, a, sizeof(a)),
			      rt->has_via ? " via " : "",
			      rt->has_via ? fmt_addr(&rt->via, false, c, sizeof(c)) : "");
		if (r < 0)
			return r;
	}
	return 0;
}

/* resolv.conf is entirely ours when dns or dns_search is given. */
static int write_resolv_conf(const struct conf_network *net)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	char a[INET6_ADDRSTRLEN + 8];

	if (net->n_dns == 0 && !(net->dns_search && net->dns_search[0]))
		return 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return log_error_errno(-errno, "unable to write %s: %m", RESOLV_PATH);
	fputs("# written by tend from [network] dns, dns_search\n", f);
	for (size_t i = 0; i < net->n_dns; i++)
		fprintf(f, "nameserver %s\n", fmt_addr(&net->dns[i], false, a, sizeof(a)));
	if (net->dns_search && net->dns_search[0]) {
		fputs("search", f);
		for (char **s = net->dns_search; *s; s++)
			fprintf(f, " %s", *s);
		fputc('\n', f);
	}
	if (fclose(f) != 0)
		return log_error_errno(-ENOMEM, "unable to write %s: %m", RESOLV_PATH);
	int r = write_file_atomic(RESOLV_PATH, buf, len, 0644);
	if (r < 0)
		return log_error_errno(r, "unable to write %s: %m", RESOLV_PATH);
	return 0;
}

/* /etc/hosts: our entries (each line marked HOSTS_MARK) first, so that they
 * win over an older entry of the same name (the resolver takes the first
 * match), then every line that was there and is not ours, unchanged; lines
 * we wrote before (a restarted tend) are replaced, not repeated. */
static int write_hosts(const struct conf_network *net)
{
	_cleanup_free_ char *old = NULL, *buf = NULL;
	size_t old_len = 0, len = 0;
	char a[INET6_ADDRSTRLEN + 8];
	int r;

	if (net->n_hosts == 0)
		return 0;
	r = read_full_file(HOSTS_PATH, &old, &old_len);
	if (r < 0 && r != -ENOENT)
		return log_error_errno(r, "unable to read %s: %m", HOSTS_PATH);
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return log_error_errno(-errno, "unable to write %s: %m", HOSTS_PATH);
	for (size_t i = 0; i < net->n_hosts; i++)
		fprintf(f, "%s\t%s" HOSTS_MARK "\n", fmt_addr(&net->hosts[i].addr, false, a, sizeof(a)),
			net->hosts[i].name);
	for (char *p = old; p && *p;) {
		char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p) : strlen(p);
		size_t ml = strlen(HOSTS_MARK);
		if (!(l >= ml && memcmp(p + l - ml, HOSTS_MARK, ml) == 0))
			fprintf(f, "%.*s\n", (int)l, p);
		p += l + (nl ? 1 : 0);
	}
	if (fclose(f) != 0)
		return log_error_errno(-ENOMEM, "unable to write %s: %m", HOSTS_PATH);
	r = write_file_atomic(HOSTS_PATH, buf, len, 0644);
	if (r < 0)
		return log_error_errno(r, "unable to write %s: %m", HOSTS_PATH);
	return 0;
}

static void sockets_close(struct netc *n)
{
	if (n->evsk) {
		ev_io_stop(n->loop, &n->io);
		nl_socket_free(n->evsk);
		n->evsk = NULL;
	}
	ev_timer_stop(n->loop, &n->wait);
	if (n->sk) {
		nl_socket_free(n->sk);
		n->sk = NULL;
	}
}

/* The end, success or not: close everything now, call done from the loop. */
static void complete(struct netc *n, int r)
{
	sockets_close(n);
	n->result = r;
	if (r >= 0) {
		/* The set-up's own time, apart from the wait for the link. */
		uint64_t wait_ns = n->found_ns - n->start_ns;
		uint64_t us = (now_ns() - n->start_ns - wait_ns) / 1000, waited = wait_ns / 1000000;
		const char *ifname = n->net->rename ? n->net->rename : n->net->interface;
		char w[64] = "";
		if (waited > 0)
			snprintf(w, sizeof(w), " (after waiting %llums for it)", (unsigned long long)waited);
		log_info("network ready%s%s%s in %llu.%03llums%s", ifname ? ": '" : "", ifname ? ifname : "",
			 ifname ? "'" : "", (unsigned long long)(us / 1000), (unsigned long long)(us % 1000), w);
	}
	ev_timer_set(&n->finish, 0., 0.);
	ev_timer_start(n->loop, &n->finish);
}

static void finish_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct netc *n = w->data;
	(void)revents;

	ev_timer_stop(loop, w);
	/* done may free n: nothing touches n after this call. */
	n->done(n->result, n->userdata);
}

/* The interface is there: configure it, its routes, then the files. */
static void interface_ready(struct netc *n)
{
	int r;

	n->found_ns = now_ns();
	if (n->evsk) {
		ev_io_stop(n->loop, &n->io);
		nl_socket_free(n->evsk);
		n->evsk = NULL;
	}
	ev_timer_stop(n->loop, &n->wait);
	struct batch b;
	batch_init(&b, n);
	r = n->net->interface ? configure_interface(n, &b) : 0;
	if (r >= 0)
		r = configure_routes(n, &b);
	if (r >= 0)
		r = batch_flush(&b);
	if (r >= 0)
		r = write_resolv_conf(n->net);
	if (r >= 0)
		r = write_hosts(n->net);
	complete(n, r);
}

/* One RTNLGRP_LINK message: is it our interface arriving (or leaving)? */
static int link_event_cb(struct nl_msg *msg, void *arg)
{
	struct netc *n = arg;
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct nlattr *tb[IFLA_MAX + 1];

	if (h->nlmsg_type != RTM_NEWLINK && h->nlmsg_type != RTM_DELLINK)
		return NL_OK;
	if (nlmsg_parse(h, sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL) < 0 || !tb[IFLA_IFNAME])
		return NL_OK;
	const struct ifinfomsg *ifi = nlmsg_data(h);
	/* Or already under its new name (tend-net names it so). */
	bool as_rename = n->net->rename && nla_strcmp(tb[IFLA_IFNAME], n->net->rename) == 0;
	if (nla_strcmp(tb[IFLA_IFNAME], n->net->interface) != 0 && !as_rename) {
		if (ifi->ifi_index == n->ifindex) /* renamed away by someone */
			n->ifindex = 0;
		return NL_OK;
	}
	if (h->nlmsg_type == RTM_DELLINK) {
		n->ifindex = 0;
	} else {
		n->ifindex = ifi->ifi_index;
		n->ifflags = ifi->ifi_flags;
		n->renamed = as_rename;
	}
	return NL_OK;
}

static void link_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct netc *n = w->data;
	int r;
	(void)loop;
	(void)revents;

	/* Drain every queued event; the last word on our name wins. */
	while ((r = nl_recvmsgs_default(n->evsk)) >= 0)
		;
	if (r != -NLE_AGAIN) {
		/* ENOBUFS (events were dropped, libnl says NLE_NOMEM) or another
		 * receive error: ask the kernel directly instead. */
		r = link_find(n, n->net->interface, &n->ifindex, &n->ifflags);
		if (r < 0) {
			complete(n, r);
			return;
		}
	}
	if (n->ifindex > 0)
		interface_ready(n);
}

static void wait_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct netc *n = w->data;
	char t[32];
	(void)loop;
	(void)revents;

	complete(n, log_error_errno(-ETIMEDOUT, "interface '%s' did not appear within %s", n->net->interface,
				    fmt_ms(t, sizeof(t), n->net->wait_ms)));
}

/* The interface was not there at the first look (netc_start's): subscribe
 * to link events and wait for it on the loop. The subscription comes
 * before a second look, so that a link arriving in between is seen by one
 * or the other; the event socket is only made when it is needed (tend-net
 * as an OCI hook has usually moved the link in already). */
static int start_waiting(struct netc *n)
{
	_cleanup_nl_sock_ struct nl_sock *s = NULL;
	int r;

	s = nl_socket_alloc();
	if (!s)
		return log_error_errno(-ENOMEM, "unable to watch network links: %m");
	nl_socket_disable_seq_check(s);
	nl_socket_modify_cb(s, NL_CB_VALID, NL_CB_CUSTOM, link_event_cb, n);
	r = nl_connect(s, NETLINK_ROUTE);
	if (r >= 0)
		r = nl_socket_add_membership(s, RTNLGRP_LINK);
	if (r >= 0)
		r = nl_socket_set_nonblocking(s);
	if (r < 0)
		return log_error_errno(nl_to_errno(r), "unable to watch network links: %s", nl_geterror(r));
	n->evsk = TAKE_PTR(s);

	r = link_find(n, n->net->interface, &n->ifindex, &n->ifflags);
	if (r < 0)
		return r;
	if (r > 0) {
		interface_ready(n);
		return 0;
	}
	log_debug("waiting for interface '%s'", n->net->interface);
	ev_io_init(&n->io, link_io_cb, nl_socket_get_fd(n->evsk), EV_READ);
	n->io.data = n;
	ev_io_start(n->loop, &n->io);
	/* The loop's clock may be stale if tend did slow work before the
	 * loop ran: the wait is counted from now. */
	ev_now_update(n->loop);
	ev_timer_set(&n->wait, (double)n->net->wait_ms / 1000., 0.);
	ev_timer_start(n->loop, &n->wait);
	return 0;
}

/* The kernel's own rule (dev_valid_name): 1..15 bytes, not "." or "..",
 * no '/', ':' or white space. Checked here so that a bad name is reported
 * as such, not as a puzzling netlink error. */
static bool ifname_valid(const char *s)
{
	size_t l = strlen(s);

	if (l == 0 || l >= IFNAMSIZ || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || *s == ' ' || *s == '\t' || *s == '\n')
			return false;
	return true;
}

static int names_check(const struct conf_network *net)
{
	const char *bad = NULL;

	if (net->interface && !ifname_valid(net->interface))
		bad = net->interface;
	else if (net->rename && !ifname_valid(net->rename))
		bad = net->rename;
	for (size_t i = 0; !bad && i < net->n_route; i++)
		if (net->route[i].dev && !ifname_valid(net->route[i].dev))
			bad = net->route[i].dev;
	if (bad)
		return log_error_errno(-EINVAL, "invalid interface name '%s' (1 to 15 characters, no '/', ':' or spaces)", bad);
	return 0;
}

int netc_start(struct ev_loop *loop, const struct conf_network *net, netc_done_fn done, void *userdata,
	       struct netc **ret)
{
	struct netc *n = calloc(1, sizeof(*n));
	int r;

	if (!n)
		return log_error_errno(-ENOMEM, "unable to set up the network: %m");
	n->loop = loop;
	n->net = net;
	n->done = done;
	n->userdata = userdata;
	n->start_ns = n->found_ns = now_ns();
	ev_init(&n->wait, wait_cb);
	n->wait.data = n;
	ev_init(&n->finish, finish_cb);
	n->finish.data = n;

	r = names_check(net);
	if (r < 0) {
		complete(n, r);
	} else if ((r = sock_open(&n->sk)) < 0) {
		complete(n, log_error_errno(r, "unable to open a netlink socket: %m"));
	} else {
		/* lo up and the first look for the interface, together. */
		struct batch b;
		struct nl_msg *m;
		batch_init(&b, n);
		r = link_change_msg(LOOPBACK_IFINDEX, NULL, 0, 1, &m);
		r = batch_add(&b, r, m, NULL, NULL, "bring 'lo' up");
		if (r >= 0 && net->interface) {
			r = rtnl_link_build_get_request(0, net->interface, &m);
			r = batch_add(&b, r, m, &n->ifindex, &n->ifflags, "look up interface '%s'", net->interface);
		}
		/* tend-net names the container end as it will be renamed
		 * (so that it can be up before the container starts). */
		if (r >= 0 && net->interface && net->rename && strcmp(net->rename, net->interface) != 0) {
			r = rtnl_link_build_get_request(0, net->rename, &m);
			r = batch_add(&b, r, m, &n->renamed_ifindex, &n->renamed_flags, "look up interface '%s'",
				      net->rename);
		}
		if (r >= 0)
			r = batch_flush(&b);
		if (r >= 0 && net->interface && n->ifindex <= 0 && n->renamed_ifindex > 0) {
			n->ifindex = n->renamed_ifindex;
			n->ifflags = n->renamed_flags;
			n->renamed = true;
		}
		if (r < 0)
			complete(n, r);
		else if (!net->interface || n->ifindex > 0)
			interface_ready(n); /* no interface: only the files */
		else if ((r = start_waiting(n)) < 0)
			complete(n, r);
	}
	*ret = n;
	return 0;
}

struct netc *netc_free(struct netc *n)
{
	if (!n)
		return NULL;
	sockets_close(n);
	ev_timer_stop(n->loop, &n->finish);
	free(n);
	return NULL;
}
