/* nft.c: tend-net's rules in the nftables table `ip tend`. See nft.h.
 *
 * Why libnftables and not `nft -f -` with a generated script: it is the
 * same command language and the same one-transaction-per-buffer semantics
 * (nft itself is a thin wrapper around this library), without depending on
 * PATH, which OCI hooks run with only when the bundle's config.json sets
 * it, without a child process to spawn and reap, and with nftables' own
 * error text handed back in a buffer instead of parsed from a pipe. The
 * listing comes back as JSON (the same as `nft -j`), read with jansson;
 * rule handles from it are used to delete exactly our rules. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <nftables/libnftables.h>

#include "common/util.h"
#include "net/nft.h"

/* Our base chains. Priorities are the numbers behind nft's `dstnat` (-100),
 * `srcnat` (100) and `filter` (0), written as numbers because `output` has
 * no such keyword in every nft version. `forward` is only made when the
 * host has an iptables FORWARD chain (see forward_rules()). */
static const char *const chains[] = { "prerouting", "output", "postrouting", "forward" };

static void nft_ctxp(struct nft_ctx **c)
{
	if (*c)
		nft_ctx_free(*c);
}
#define _cleanup_nft_ctx_ _cleanup_(nft_ctxp)

/* jansson's own json_decrefp() (behind json_auto_t) accepts NULL. */
#define _cleanup_json_ _cleanup_(json_decrefp)

/* A growing string. */
struct buf {
	char *s;
	size_t len, cap;
	int err;
};

static void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->err)
		return;
	for (;;) {
		size_t avail = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, avail, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->err = -EINVAL;
			return;
		}
		if ((size_t) n < avail) {
			b->len += (size_t) n;
			return;
		}
		size_t ncap = (b->cap + (size_t) n + 1) * 2;
		char *ns = realloc(b->s, ncap);
		if (!ns) {
			b->err = -ENOMEM;
			return;
		}
		b->s = ns;
		b->cap = ncap;
	}
}

static int buf_take(struct buf *b, char **ret)
{
	if (b->err) {
		free(b->s);
		return b->err;
	}
	if (!b->s) {
		b->s = strdup("");
		if (!b->s)
			return -ENOMEM;
	}
	*ret = b->s;
	return 0;
}

/* Whether `s` is 1..max characters of `set`. The names that go into rule
 * text are checked here again, whoever checked them before: a quote, a
 * ';' or a '#' in them would be nft syntax, not a name (a rule cut short
 * by '#' loses its comment, and with it down's way to find it). */
static bool word_ok(const char *s, size_t max, const char *set)
{
	size_t n = s ? strlen(s) : 0;

	return n > 0 && n <= max && strspn(s, set) == n;
}

#define IFNAME_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-"

/* nftables' name of a family, and of its address header. */
static const char *fam(int family)
{
	return family == AF_INET6 ? "ip6" : "ip";
}

static const char *ntop(const struct nft_addr *a, char *buf, size_t len)
{
	if (!inet_ntop(a->family, a->a, buf, (socklen_t) len))
		snprintf(buf, len, "?");
	return buf;
}

/* "ADDR:PORT", an IPv6 ADDR in brackets, as `dnat to` takes it. */
static const char *addr_port(const struct nft_addr *a, unsigned port, char *buf, size_t len)
{
	char t[INET6_ADDRSTRLEN];

	ntop(a, t, sizeof(t));
	snprintf(buf, len, a->family == AF_INET6 ? "[%s]:%u" : "%s:%u", t, port);
	return buf;
}

static void chains_nat(struct buf *b, int family)
{
	const char *f = fam(family);

	buf_printf(b, "add table %s " NFT_TABLE "\n", f);
	buf_printf(b, "add chain %s " NFT_TABLE " prerouting { type nat hook prerouting priority -100; policy accept; }\n", f);
	buf_printf(b, "add chain %s " NFT_TABLE " output { type nat hook output priority -100; policy accept; }\n", f);
	buf_printf(b, "add chain %s " NFT_TABLE " postrouting { type nat hook postrouting priority 100; policy accept; }\n", f);
}

static const struct nft_addr *container_of(const struct nft_spec *s, int family)
{
	const struct nft_addr *c = family == AF_INET6 ? &s->container6 : &s->container4;

	return c->family == family ? c : NULL;
}

/* The rules of one family: NAT and published ports, in table `F tend`. */
static size_t nat_rules(const struct nft_spec *s, int family, struct buf *b)
{
	const char *f = fam(family);
	const struct nft_addr *c = container_of(s, family);
	char t[INET6_ADDRSTRLEN], cp[INET6_ADDRSTRLEN + 8], hip[INET6_ADDRSTRLEN + 16];
	size_t n = 0;

	if (s->nat)
		for (size_t i = 0; i < s->n_subnets; i++) {
			const struct nft_subnet *sn = &s->subnets[i];
			struct nft_addr a = { .family = sn->family };

			if (sn->family != family)
				continue;
			memcpy(a.a, sn->net, sizeof(a.a));
			/* Outbound only: traffic between containers on the
			 * same bridge keeps its addresses. */
			buf_printf(b,
				   "add rule %s " NFT_TABLE " postrouting %s saddr %s/%u "
				   "oifname != \"%s\" masquerade comment \"%s\"\n",
				   f, f, ntop(&a, t, sizeof(t)), sn->prefix, s->ifname, s->tag);
			n++;
		}
	if (!c)
		return n;

	for (size_t i = 0; i < s->n_publish; i++) {
		const struct nft_publish *p = &s->publish[i];
		const char *pr = p->proto == IPPROTO_UDP ? "udp" : "tcp";

		if (p->host_ip.family && p->host_ip.family != family)
			continue;
		hip[0] = 0;
		if (p->host_ip.family)
			snprintf(hip, sizeof(hip), "%s daddr %s ", f, ntop(&p->host_ip, t, sizeof(t)));
		addr_port(c, p->container_port, cp, sizeof(cp));
		/* `fib daddr type local`: only what is addressed to this
		 * host (on HOST_IP, or any of its addresses); traffic passing
		 * through to elsewhere on that port is left alone. prerouting
		 * sees what comes from outside, output what the host sends. */
		for (int k = 0; k < 2; k++)
			buf_printf(b,
				   "add rule %s " NFT_TABLE " %s %sfib daddr type local %s dport %u "
				   "dnat to %s comment \"%s\"\n",
				   f, k == 0 ? "prerouting" : "output", hip, pr, p->host_port, cp, s->tag);
		n += 2;
		/* 127.0.0.1:HOSTPORT: after the DNAT above the packet leaves
		 * with source 127.0.0.1, which the container could not answer
		 * (and the kernel only routes at all with route_localnet on
		 * the outgoing link). Masquerade exactly that flow, once per
		 * container port. IPv6 has no such switch: the kernel never
		 * lets ::1 out of lo, so [::1] is refused (tend-net.c). */
		if (family != AF_INET)
			continue;
		bool seen = false;
		for (size_t j = 0; j < i; j++)
			seen |= s->publish[j].container_port == p->container_port && s->publish[j].proto == p->proto &&
				(!s->publish[j].host_ip.family || s->publish[j].host_ip.family == AF_INET);
		if (seen)
			continue;
		buf_printf(b,
			   "add rule ip " NFT_TABLE " postrouting ip saddr 127.0.0.0/8 ip daddr %s %s dport %u "
			   "masquerade comment \"%s\"\n",
			   ntop(c, t, sizeof(t)), pr, p->container_port, s->tag);
		n++;
	}
	return n;
}

/* A host whose forwarding is dropped (Docker: iptables FORWARD policy
 * DROP; with br_netfilter, traffic between two ports of one bridge crosses
 * that chain too). A packet is forwarded only when every base chain at the
 * forward hook accepts it, so an accept in a table of our own cannot
 * override that drop: the accept has to be in iptables' own chain. Docker
 * documents DOCKER-USER, jumped to first from FORWARD, as the place for
 * the administrator's rules, and keeps it across its restarts; without
 * Docker, its FORWARD chain itself. (libvirt and netavark's iptables driver
 * do the same: their accepts go at the top of FORWARD.)
 *
 * What goes there is two rules per container, in the only expressions
 * iptables-nft reads back (`-i/-o`, `-s/-d`, `-m comment`, ACCEPT: a
 * native `ct` match would make `iptables -L` call the whole table
 * "incompatible", and break Docker's own iptables calls):
 *    iifname IF  saddr CONTAINER  accept   its traffic, out and across IF
 *    oifname IF  daddr CONTAINER  accept   traffic to it
 * The second alone would let the outside open connections to the
 * container, which Docker's drop refused before; the state check that
 * narrows it lives in our own table's forward chain, where a drop is final
 * whatever other tables say: what comes from elsewhere than IF to the
 * container passes only as a reply (established, related) or as a
 * published port (DNAT). Inserted at the top, as libvirt does: a
 * DOCKER-USER ending in Docker's `return` would otherwise never reach
 * them. */
static size_t forward_rules(const struct nft_spec *s, int family, const char *chain, struct buf *b)
{
	const char *f = fam(family);
	const struct nft_addr *c = container_of(s, family);
	char t[INET6_ADDRSTRLEN];

	if (!c || !chain)
		return 0;
	ntop(c, t, sizeof(t));
	buf_printf(b, "insert rule %s filter %s iifname \"%s\" %s saddr %s accept comment \"%s\"\n", f, chain,
		   s->ifname, f, t, s->tag);
	buf_printf(b, "insert rule %s filter %s oifname \"%s\" %s daddr %s accept comment \"%s\"\n", f, chain,
		   s->ifname, f, t, s->tag);
	buf_printf(b,
		   "add rule %s " NFT_TABLE " forward oifname \"%s\" %s daddr %s iifname != \"%s\" "
		   "ct state != { established, related } ct status & dnat == 0 drop comment \"%s\"\n",
		   f, s->ifname, f, t, s->ifname, s->tag);
	return 3;
}

static bool chain_ok(const char *c)
{
	return !c || strcmp(c, "DOCKER-USER") == 0 || strcmp(c, "FORWARD") == 0;
}

int nft_script(const struct nft_spec *s, char **ret_script, size_t *ret_n)
{
	struct buf b = { 0 };
	size_t n = 0;

	if (!word_ok(s->ifname, 15, IFNAME_CHARS) || !word_ok(s->tag, 127, IFNAME_CHARS ":+") ||
	    !chain_ok(s->forward4) || !chain_ok(s->forward6))
		return -EINVAL;

	for (int i = 0; i < 2; i++) {
		int family = i == 0 ? AF_INET : AF_INET6;
		const char *fw = i == 0 ? s->forward4 : s->forward6;
		struct buf r = { 0 };
		size_t k, kf;
		char *text = NULL;
		int e;

		k = nat_rules(s, family, &r);
		kf = forward_rules(s, family, fw, &r);
		if (k + kf > 0) {
			/* The chains first, in the same transaction. */
			chains_nat(&b, family);
			if (kf)
				buf_printf(&b, "add chain %s " NFT_TABLE " forward { type filter hook forward "
					   "priority 0; policy accept; }\n", fam(family));
		}
		e = buf_take(&r, &text);
		if (e < 0) {
			free(b.s);
			return e;
		}
		buf_printf(&b, "%s", text);
		free(text);
		n += k + kf;
	}
	*ret_n = n;
	return buf_take(&b, ret_script);
}

static int ctx_new(bool json, struct nft_ctx **ret)
{
	struct nft_ctx *c = nft_ctx_new(NFT_CTX_DEFAULT);

	if (!c)
		return -ENOMEM;
	if (nft_ctx_buffer_output(c) < 0 || nft_ctx_buffer_error(c) < 0) {
		nft_ctx_free(c);
		return -ENOMEM;
	}
	if (json)
		nft_ctx_output_set_flags(c, NFT_CTX_OUTPUT_JSON | NFT_CTX_OUTPUT_HANDLE);
	*ret = c;
	return 0;
}

/* Run one buffer (one transaction). On failure nftables' message, trimmed
 * to its first line, goes to *ret_msg. */
static int run(struct nft_ctx *c, const char *cmd, char **ret_msg)
{
	const char *e;

	if (nft_run_cmd_from_buffer(c, cmd) == 0)
		return 0;
	e = nft_ctx_get_error_buffer(c);
	if (ret_msg && e) {
		char *m;

		if (strncmp(e, "Error: ", 7) == 0)
			e += 7;
		m = strndup(e, strcspn(e, "\n"));
		if (m) {
			free(*ret_msg);
			*ret_msg = m;
		}
	}
	if (e && strstr(e, "No such file or directory"))
		return -ENOENT;
	if (e && strstr(e, "Operation not permitted"))
		return -EPERM;
	return -EIO;
}

/* The tables tend-net reads: its own two, and iptables' filter tables,
 * where its forward accepts may be. */
struct table {
	const char *family, *name;
	bool ours;
};
static const struct table tables[] = {
	{ "ip", NFT_TABLE, true },
	{ "ip6", NFT_TABLE, true },
	{ "ip", "filter", false },
	{ "ip6", "filter", false },
};
#define N_TABLES ELEMENTSOF(tables)

/* Each table's contents as nft's JSON, NULL for a table that is not there. */
struct listing {
	json_t *t[N_TABLES];
};

static void listing_done(struct listing *l)
{
	for (size_t i = 0; i < N_TABLES; i++)
		json_decref(l->t[i]);
}

static int list_tables(struct listing *ret, char **ret_msg)
{
	_cleanup_nft_ctx_ struct nft_ctx *c = NULL;
	_cleanup_json_ json_t *all = NULL;
	struct listing l = { 0 };
	json_t *arr, *e;
	bool found[N_TABLES] = { false };
	size_t i;
	int r;

	r = ctx_new(true, &c);
	if (r < 0)
		return r;
	/* The list of tables first: "list table" of a missing table is an
	 * error indistinguishable from a real failure. */
	r = run(c, "list tables", ret_msg);
	if (r < 0)
		return r;
	all = json_loads(nft_ctx_get_output_buffer(c), 0, NULL);
	if (!all)
		return -EBADMSG;
	arr = json_object_get(all, "nftables");
	json_array_foreach(arr, i, e) {
		json_t *t = json_object_get(e, "table");
		const char *name = json_string_value(json_object_get(t, "name"));
		const char *family = json_string_value(json_object_get(t, "family"));

		for (size_t k = 0; name && family && k < N_TABLES; k++)
			if (strcmp(name, tables[k].name) == 0 && strcmp(family, tables[k].family) == 0)
				found[k] = true;
	}
	for (size_t k = 0; k < N_TABLES; k++) {
		char cmd[64];

		if (!found[k])
			continue;
		snprintf(cmd, sizeof(cmd), "list table %s %s", tables[k].family, tables[k].name);
		r = run(c, cmd, ret_msg);
		if (r >= 0 && !(l.t[k] = json_loads(nft_ctx_get_output_buffer(c), 0, NULL)))
			r = -EBADMSG;
		if (r < 0) {
			listing_done(&l);
			return r;
		}
	}
	*ret = l;
	return 0;
}

static bool is_our_chain(const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(chains); i++)
		if (name && strcmp(name, chains[i]) == 0)
			return true;
	return false;
}

/* Walk one table: for each rule tagged `tag`, append its deletion to `b`.
 * In our own tables, *others counts whatever else lives there (other
 * containers' rules, anything someone added), which keeps the table. */
static void collect(json_t *root, const struct table *t, const char *tag, struct buf *b, size_t *ours,
		    size_t *others)
{
	json_t *arr = json_object_get(root, "nftables"), *e;
	size_t i;

	json_array_foreach(arr, i, e) {
		json_t *rule = json_object_get(e, "rule");
		const char *chain, *comment;

		if (json_object_get(e, "metainfo") || json_object_get(e, "table"))
			continue;
		if (json_object_get(e, "chain")) {
			if (!is_our_chain(json_string_value(json_object_get(json_object_get(e, "chain"), "name"))))
				(*others)++;
			continue;
		}
		if (!rule) {
			(*others)++; /* a set, a map, a flowtable... */
			continue;
		}
		chain = json_string_value(json_object_get(rule, "chain"));
		comment = json_string_value(json_object_get(rule, "comment"));
		if (!chain || !comment || strcmp(comment, tag) != 0) {
			(*others)++;
			continue;
		}
		/* A chain name that could not be written back as nft text is
		 * not one we made rules in. */
		if (!word_ok(chain, 64, IFNAME_CHARS))
			continue;
		(*ours)++;
		if (b)
			buf_printf(b, "delete rule %s %s %s handle %" JSON_INTEGER_FORMAT "\n", t->family, t->name,
				   chain, json_integer_value(json_object_get(rule, "handle")));
	}
}

int nft_count(const char *tag, size_t *ret_n, char **ret_msg)
{
	struct listing l;
	size_t ours = 0, others = 0;
	int r;

	r = list_tables(&l, ret_msg);
	if (r < 0)
		return r;
	for (size_t k = 0; k < N_TABLES; k++)
		if (l.t[k])
			collect(l.t[k], &tables[k], tag, NULL, &ours, &others);
	listing_done(&l);
	*ret_n = ours;
	return 0;
}

int nft_replace(const char *tag, const char *script, char **ret_msg)
{
	_cleanup_nft_ctx_ struct nft_ctx *c = NULL;
	_cleanup_free_ char *cmd = NULL;
	struct listing l;
	struct buf b = { 0 };
	bool adds = script && *script;
	int r;

	r = list_tables(&l, ret_msg);
	if (r < 0)
		return r;

	for (size_t k = 0; k < N_TABLES; k++) {
		size_t ours = 0, others = 0;
		char add[32];

		if (!l.t[k])
			continue;
		collect(l.t[k], &tables[k], tag, &b, &ours, &others);
		if (!tables[k].ours || others > 0)
			continue;
		/* Ours, and empty without this container's rules: the table
		 * goes, unless the script fills it again. */
		snprintf(add, sizeof(add), "add table %s " NFT_TABLE "\n", tables[k].family);
		if (!adds || !strstr(script, add))
			buf_printf(&b, "delete table %s " NFT_TABLE "\n", tables[k].family);
	}
	listing_done(&l);
	if (adds)
		buf_printf(&b, "%s", script);
	r = buf_take(&b, &cmd);
	if (r < 0)
		return r;
	if (!*cmd)
		return 0;

	r = ctx_new(false, &c);
	if (r < 0)
		return r;
	return run(c, cmd, ret_msg);
}

/* The host port a DNAT rule matches, its protocol, and its address (from
 * `ip daddr` / `ip6 daddr`, "" when any). */
static bool rule_dport(json_t *rule, int *ret_proto, long long *ret_port, const char **ret_daddr)
{
	json_t *expr = json_object_get(rule, "expr"), *e;
	bool found = false;
	size_t i;

	*ret_daddr = "";
	json_array_foreach(expr, i, e) {
		json_t *m = json_object_get(e, "match");
		json_t *payload = json_object_get(json_object_get(m, "left"), "payload");
		const char *proto = json_string_value(json_object_get(payload, "protocol"));
		const char *field = json_string_value(json_object_get(payload, "field"));
		json_t *right = json_object_get(m, "right");

		if (!proto || !field)
			continue;
		if (strcmp(field, "daddr") == 0 && json_is_string(right)) {
			*ret_daddr = json_string_value(right);
		} else if (strcmp(field, "dport") == 0 && json_is_integer(right)) {
			*ret_proto = strcmp(proto, "udp") == 0 ? IPPROTO_UDP : IPPROTO_TCP;
			*ret_port = json_integer_value(right);
			found = true;
		}
	}
	return found;
}

int nft_port_taken(const char *tag, const struct nft_publish *p, char *ret_other, size_t other_len,
		   char **ret_msg)
{
	struct listing l;
	char want[INET6_ADDRSTRLEN] = "";
	int r, taken = 0;

	if (p->host_ip.family)
		ntop(&p->host_ip, want, sizeof(want));
	r = list_tables(&l, ret_msg);
	if (r < 0)
		return r;
	for (size_t k = 0; k < N_TABLES && !taken; k++) {
		json_t *arr, *e;
		size_t i;

		if (!tables[k].ours || !l.t[k])
			continue;
		arr = json_object_get(l.t[k], "nftables");
		json_array_foreach(arr, i, e) {
			json_t *rule = json_object_get(e, "rule");
			const char *chain = json_string_value(json_object_get(rule, "chain"));
			const char *comment = json_string_value(json_object_get(rule, "comment"));
			const char *daddr;
			long long port;
			int proto;

			if (!rule || !chain || strcmp(chain, "prerouting") != 0)
				continue;
			if (comment && strcmp(comment, tag) == 0)
				continue;
			if (!rule_dport(rule, &proto, &port, &daddr) || proto != p->proto || port != p->host_port)
				continue;
			/* Two specific addresses meet only when equal. */
			if (*daddr && *want && strcmp(daddr, want) != 0)
				continue;
			snprintf(ret_other, other_len, "%s", comment ? comment : "(no comment)");
			taken = 1;
			break;
		}
	}
	listing_done(&l);
	return taken;
}

/* The chain of one iptables-nft filter table (its listing, NULL when
 * there is none) that our accepts go to. */
static const char *forward_chain(json_t *root)
{
	json_t *arr = json_object_get(root, "nftables"), *e;
	bool forward = false, user = false;
	size_t i;

	json_array_foreach(arr, i, e) {
		json_t *ch = json_object_get(e, "chain");
		const char *name = json_string_value(json_object_get(ch, "name"));
		const char *hook = json_string_value(json_object_get(ch, "hook"));

		if (!name)
			continue;
		if (strcmp(name, "FORWARD") == 0 && hook && strcmp(hook, "forward") == 0)
			forward = true;
		else if (strcmp(name, "DOCKER-USER") == 0 && !hook)
			user = true;
	}
	/* DOCKER-USER counts only beside the FORWARD base chain that jumps
	 * to it: on its own it sees no packet. */
	if (!forward)
		return NULL;
	return user ? "DOCKER-USER" : "FORWARD";
}

int nft_forward_chains(const char **ret4, const char **ret6, char **ret_msg)
{
	struct listing l;
	int r;

	r = list_tables(&l, ret_msg);
	if (r < 0)
		return r;
	/* tables[2] and [3]: ip filter, ip6 filter */
	*ret4 = forward_chain(l.t[2]);
	*ret6 = forward_chain(l.t[3]);
	listing_done(&l);
	return 0;
}
