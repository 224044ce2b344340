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

#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <nftables/libnftables.h>

#include "common/util.h"
#include "net/nft.h"

/* Our three base chains. Priorities are the numbers behind nft's
 * `dstnat` (-100) and `srcnat` (100), written as numbers because `output`
 * has no such keyword in every nft version. */
static const char *const chains[] = { "prerouting", "output", "postrouting" };
static const char header[] =
	"add table ip " NFT_TABLE "\n"
	"add chain ip " NFT_TABLE " prerouting { type nat hook prerouting priority -100; policy accept; }\n"
	"add chain ip " NFT_TABLE " output { type nat hook output priority -100; policy accept; }\n"
	"add chain ip " NFT_TABLE " postrouting { type nat hook postrouting priority 100; policy accept; }\n";

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

static const char *proto_name(int proto)
{
	return proto == IPPROTO_UDP ? "udp" : "tcp";
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

int nft_script(const struct nft_spec *s, char **ret_script, size_t *ret_n)
{
	struct buf b = { 0 };
	char c[16];
	size_t n = 0;
	int r;

	if (!word_ok(s->ifname, 15, IFNAME_CHARS) || !word_ok(s->tag, 127, IFNAME_CHARS ":+"))
		return -EINVAL;

	snprintf(c, sizeof(c), "%u.%u.%u.%u", s->container[0], s->container[1], s->container[2],
		 s->container[3]);

	if (s->nat)
		for (size_t i = 0; i < s->n_subnets; i++) {
			const unsigned char *a = s->subnets[i].net;
			/* Outbound only: traffic between containers on the
			 * same bridge keeps its addresses. */
			buf_printf(&b,
				   "add rule ip " NFT_TABLE " postrouting ip saddr %u.%u.%u.%u/%u "
				   "oifname != \"%s\" masquerade comment \"%s\"\n",
				   a[0], a[1], a[2], a[3], s->subnets[i].prefix, s->ifname, s->tag);
			n++;
		}

	for (size_t i = 0; i < s->n_publish; i++) {
		const struct nft_publish *p = &s->publish[i];
		const char *pr = proto_name(p->proto);

		/* `fib daddr type local`: only what is addressed to this
		 * host, on any of its addresses; traffic passing through
		 * to elsewhere on that port is left alone. prerouting sees
		 * what comes from outside, output what the host sends. */
		for (int k = 0; k < 2; k++)
			buf_printf(&b,
				   "add rule ip " NFT_TABLE " %s fib daddr type local %s dport %u "
				   "dnat to %s:%u comment \"%s\"\n",
				   k == 0 ? "prerouting" : "output", pr, p->host_port, c,
				   p->container_port, s->tag);
		/* 127.0.0.1:HOSTPORT: after the DNAT above the packet leaves
		 * with source 127.0.0.1, which the container could not answer
		 * (and the kernel only routes at all with route_localnet on the
		 * outgoing link). Masquerade exactly that flow, nothing else. */
		buf_printf(&b,
			   "add rule ip " NFT_TABLE " postrouting ip saddr 127.0.0.0/8 ip daddr %s "
			   "%s dport %u masquerade comment \"%s\"\n",
			   c, pr, p->container_port, s->tag);
		n += 3;
	}

	r = buf_take(&b, ret_script);
	if (r < 0)
		return r;
	*ret_n = n;
	return 0;
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

/* The table's contents as nft's JSON, or NULL when there is no table. */
static int list_table(struct nft_ctx *c, json_t **ret, char **ret_msg)
{
	_cleanup_json_ json_t *tables = NULL, *root = NULL;
	json_t *arr, *e;
	bool found = false;
	size_t i;
	int r;

	/* Ask for the list of tables first: "list table" of a missing table
	 * is an error indistinguishable from a real failure. */
	r = run(c, "list tables ip", ret_msg);
	if (r < 0)
		return r;
	tables = json_loads(nft_ctx_get_output_buffer(c), 0, NULL);
	if (!tables)
		return -EBADMSG;
	arr = json_object_get(tables, "nftables");
	json_array_foreach(arr, i, e) {
		const char *name = json_string_value(json_object_get(json_object_get(e, "table"), "name"));
		if (name && strcmp(name, NFT_TABLE) == 0)
			found = true;
	}
	if (!found) {
		*ret = NULL;
		return 0;
	}
	r = run(c, "list table ip " NFT_TABLE, ret_msg);
	if (r < 0)
		return r;
	root = json_loads(nft_ctx_get_output_buffer(c), 0, NULL);
	if (!root)
		return -EBADMSG;
	*ret = TAKE_PTR(root);
	return 0;
}

static bool is_our_chain(const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(chains); i++)
		if (name && strcmp(name, chains[i]) == 0)
			return true;
	return false;
}

/* Walk the listing: for each of our rules, append its deletion to `b`.
 * *ret_others counts whatever else lives in the table (other containers'
 * rules, anything someone added), which keeps the table alive. */
static void collect(json_t *root, const char *tag, struct buf *b, size_t *ret_ours, size_t *ret_others)
{
	json_t *arr = json_object_get(root, "nftables"), *e;
	size_t i, ours = 0, others = 0;

	json_array_foreach(arr, i, e) {
		json_t *rule = json_object_get(e, "rule");
		const char *chain, *comment;

		if (json_object_get(e, "metainfo") || json_object_get(e, "table"))
			continue;
		if (json_object_get(e, "chain")) {
			if (!is_our_chain(json_string_value(json_object_get(json_object_get(e, "chain"), "name"))))
				others++;
			continue;
		}
		if (!rule) {
			others++; /* a set, a map, a flowtable... */
			continue;
		}
		chain = json_string_value(json_object_get(rule, "chain"));
		comment = json_string_value(json_object_get(rule, "comment"));
		if (!chain || !comment || strcmp(comment, tag) != 0) {
			others++;
			continue;
		}
		ours++;
		if (b)
			buf_printf(b, "delete rule ip " NFT_TABLE " %s handle %" JSON_INTEGER_FORMAT "\n",
				   chain, json_integer_value(json_object_get(rule, "handle")));
	}
	*ret_ours = ours;
	*ret_others = others;
}

int nft_count(const char *tag, size_t *ret_n, char **ret_msg)
{
	_cleanup_nft_ctx_ struct nft_ctx *c = NULL;
	_cleanup_json_ json_t *root = NULL;
	size_t ours = 0, others = 0;
	int r;

	r = ctx_new(true, &c);
	if (r < 0)
		return r;
	r = list_table(c, &root, ret_msg);
	if (r < 0)
		return r;
	if (root)
		collect(root, tag, NULL, &ours, &others);
	*ret_n = ours;
	return 0;
}

int nft_replace(const char *tag, const char *script, char **ret_msg)
{
	_cleanup_nft_ctx_ struct nft_ctx *lc = NULL, *c = NULL;
	_cleanup_json_ json_t *root = NULL;
	_cleanup_free_ char *cmd = NULL;
	struct buf b = { 0 };
	size_t ours = 0, others = 0;
	bool adds = script && *script;
	int r;

	r = ctx_new(true, &lc);
	if (r < 0)
		return r;
	r = list_table(lc, &root, ret_msg);
	if (r < 0)
		return r;
	if (!root && !adds)
		return 0; /* nothing there, nothing wanted */

	if (adds)
		buf_printf(&b, "%s", header);
	if (root)
		collect(root, tag, &b, &ours, &others);
	if (!adds && others == 0)
		/* Empty without us: the table goes, with its chains (and our
		 * rules, which the lines above delete first anyway). */
		buf_printf(&b, "delete table ip " NFT_TABLE "\n");
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

/* The host port a prerouting rule matches, with its protocol. */
static bool rule_dport(json_t *rule, int *ret_proto, long long *ret_port)
{
	json_t *expr = json_object_get(rule, "expr"), *e;
	size_t i;

	json_array_foreach(expr, i, e) {
		json_t *m = json_object_get(e, "match");
		json_t *payload = json_object_get(json_object_get(m, "left"), "payload");
		const char *proto = json_string_value(json_object_get(payload, "protocol"));
		const char *field = json_string_value(json_object_get(payload, "field"));
		json_t *right = json_object_get(m, "right");

		if (!proto || !field || strcmp(field, "dport") != 0 || !json_is_integer(right))
			continue;
		*ret_proto = strcmp(proto, "udp") == 0 ? IPPROTO_UDP : IPPROTO_TCP;
		*ret_port = json_integer_value(right);
		return true;
	}
	return false;
}

int nft_port_taken(const char *tag, uint16_t port, int proto, char *ret_other, size_t other_len,
		   char **ret_msg)
{
	_cleanup_nft_ctx_ struct nft_ctx *c = NULL;
	_cleanup_json_ json_t *root = NULL;
	json_t *arr, *e;
	size_t i;
	int r;

	r = ctx_new(true, &c);
	if (r < 0)
		return r;
	r = list_table(c, &root, ret_msg);
	if (r < 0)
		return r;
	if (!root)
		return 0;
	arr = json_object_get(root, "nftables");
	json_array_foreach(arr, i, e) {
		json_t *rule = json_object_get(e, "rule");
		const char *chain = json_string_value(json_object_get(rule, "chain"));
		const char *comment = json_string_value(json_object_get(rule, "comment"));
		long long p;
		int pr;

		if (!rule || !chain || strcmp(chain, "prerouting") != 0)
			continue;
		if (comment && strcmp(comment, tag) == 0)
			continue;
		if (!rule_dport(rule, &pr, &p) || pr != proto || p != port)
			continue;
		snprintf(ret_other, other_len, "%s", comment ? comment : "(no comment)");
		return 1;
	}
	return 0;
}
