/* parse.c: the INI text into the typed model, through inih.
 *
 * inih (Debian's libinih 55) is driven through ini_parse_stream() with a
 * reader of our own. The reader hands inih one line at a time and first
 * checks the raw line itself, because inih would hide problems from us:
 * it does not tell the handler the line number, it cuts over-long lines
 * into pieces, accepts "key: value", ignores text after "]", and never
 * calls the handler for an empty section. So the reader counts lines,
 * reports NUL bytes, control characters, bad UTF-8, over-long lines and
 * lines of no known shape, handles [section] lines itself, and passes
 * inih only the "key = value" lines it has vetted (a blank line in place
 * of anything else, so that inih's line count stays ours). inih then
 * splits key and value and trims them; the handler below does the rest
 * through a table of keys, {name, sections, parser, field offset}. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "common/strv.h"
#include "common/util.h"
#include "conf/internal.h"

enum sec {
	SEC_NONE,    /* before any section */
	SEC_TEND = 1,
	SEC_NET = 2,
	SEC_SVC = 4,
	SEC_BAD = 8, /* unknown or duplicate: its keys are skipped */
};

struct secent {
	char *name; /* NULL: free slot */
	int line;
};

struct seen {
	const char *key; /* from the key table */
	int line;
};

struct pctx {
	struct conf *c;
	struct conf_lines *lines;
	struct conf_diag *d;
	const char *name;
	const char *text;
	size_t len, pos;
	int line;
	bool stop;       /* a NUL byte: not a text file, stop reading */
	int oom;         /* -ENOMEM seen */
	/* the line handed to inih, and how much of it was read */
	char *feed;
	size_t feed_len, feed_pos, feed_cap;
	/* the current section */
	enum sec sec;
	char *sec_name;  /* as written between the brackets */
	size_t svc;      /* SEC_SVC: index in c->services */
	struct seen *seen;
	size_t n_seen;
	/* every section so far, for duplicates: a hash table (open
	 * addressing), since a file may hold very many sections */
	struct secent *sect;
	size_t sect_cap, sect_n;
};

struct keydef;
typedef int (*value_fn)(struct pctx *p, const struct keydef *k, const char *v, void *field);

struct keydef {
	const char *name;
	unsigned sections;
	bool repeatable;
	value_fn fn;
	size_t off;       /* of the field in conf_tend / conf_network / conf_service */
	const char *what; /* "bad WHAT 'value' for 'key'" */
	unsigned min, max;
	size_t line_off;  /* 1 + offset of a line field in conf_svc_lines (S) or conf_lines (N); 0: none */
};

#define ERR(p, ...) do { if (conf_diag_add((p)->d, (p)->name, (p)->line, __VA_ARGS__) < 0) (p)->oom = -ENOMEM; } while (0)

static int bad(struct pctx *p, const struct keydef *k, const char *v)
{
	ERR(p, "bad %s '%s' for '%s'", k->what, v, k->name);
	return -EINVAL;
}

static int nomem(struct pctx *p)
{
	p->oom = -ENOMEM;
	return -ENOMEM;
}

/* Parsers for the key table. Each parses v into *field or reports. */

static int kv_duration(struct pctx *p, const struct keydef *k, const char *v, void *field)
{
	return conf_parse_duration(v, field) < 0 ? bad(p, k, v) : 0;
}

/* (r2) every: a period of 0 would run the oneshot in a loop. */
static int kv_every(struct pctx *p, const struct keydef *k, const char *v, void *field)
{
	uint64_t ms;
	if (conf_parse_duration(v, &ms) < 0)
		return bad(p, k, v);
	if (ms == 0) {
		ERR(p, "'%s' must be more than 0", k->name);
		return -EINVAL;
	}
	*(uint64_t *)field = ms;
	return 0;
}

static int kv_bool(struct pctx *p, const struct keydef *k, const char *v, void *field)
{
	return conf_parse_bool(v, field) < 0 ? bad(p, k, v) : 0;
}

static int kv_uint(struct pctx *p, const struct keydef *k, const char *v, void *field)
{
	if (conf_parse_uint(v, k->min, k->max, field) < 0) {
		ERR(p, "bad number '%s' for '%s' (%u to %u)", v, k->name, k->min, k->max);
		return -EINVAL;
	}
	return 0;
}

static int set_str(struct pctx *p, char **field, const char *v)
{
	char *n = strdup(v);
	if (!n)
		return nomem(p);
	free(*field);
	*field = n;
	return 0;
}

static int kv_hostname(struct pctx *p, const struct keydef *k, const char *v, void *field)
{
	/* sethostname() takes at most HOST_NAME_MAX (64) bytes */
	return conf_valid_hostname(v) && strlen(v) <= 64 ? set_str(p, field, v) : bad(p, k, v);
}

static int kv_ifname(struct pctx *p, const struct keydef *k, const char *v, void *field)
{
	if (!conf_valid_ifname(v)) {
		ERR(p, "bad interface name '%s' for '%s' (1 to 15 of A-Z a-z 0-9 _ . -)", v, k->name);
		return -EINVAL;
	}
	return set_str(p, field, v);
}

static int kv_abspath(struct pctx *p, const struct keydef *k, const char *v, void *field)
{
	if (v[0] != '/') {
		ERR(p, "'%s' must be an absolute path, not '%s'", k->name, v);
		return -EINVAL;
	}
	return set_str(p, field, v);
}

/* user and group: a name or a number; looked up only at start. */
static int kv_account(struct pctx *p, const struct keydef *k, const char *v, void *field)
{
	if (!*v || strpbrk(v, " \t:,/"))
		return bad(p, k, v);
	return set_str(p, field, v);
}

static int kv_control(struct pctx *p, const struct keydef *k, const char *v, void *field)
{
	/* "" disables the socket; a path must fit sockaddr_un.sun_path. */
	if (*v && (v[0] != '/' || strlen(v) >= 108))
		return bad(p, k, v);
	return set_str(p, field, v);
}

static int kv_http(struct pctx *p, const struct keydef *k, const char *v, void *field)
{
	return conf_parse_http(v) < 0 ? bad(p, k, v) : set_str(p, field, v);
}

static int kv_main(struct pctx *p, const struct keydef *k, const char *v, void *field)
{
	if (!conf_valid_name(v))
		return bad(p, k, v);
	p->c->tend.main_line = p->line;
	return set_str(p, field, v);
}

/* A word out of a list, for the enum keys. */
static int pick(const char *v, const char *const *words, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v, words[i]) == 0)
			return (int)i;
	return -EINVAL;
}

#define KV_ENUM(fn_name, type, ...)                                                              \
	static int fn_name(struct pctx *p, const struct keydef *k, const char *v, void *field) \
	{                                                                                        \
		static const char *const words[] = { __VA_ARGS__ };                              \
		int i = pick(v, words, ELEMENTSOF(words));                                       \
		if (i < 0)                                                                       \
			return bad(p, k, v);                                                     \
		*(type *)field = (type)i;                                                        \
		return 0;                                                                        \
	}
/* In the order of the enums in conf.h. */
KV_ENUM(kv_mount, enum conf_mount, "auto", "yes", "no")
KV_ENUM(kv_log, enum conf_log, "text", "json")
KV_ENUM(kv_type, enum conf_svc_type, "simple", "oneshot")
KV_ENUM(kv_restart, enum conf_restart, "no", "on-failure", "always")
KV_ENUM(kv_stop_mode, enum conf_stop_mode, "group", "main")

static int kv_signal(struct pctx *p, const struct keydef *k, const char *v, void *field)
{
	return conf_parse_signal(v, field) < 0 ? bad(p, k, v) : 0;
}

static int kv_caps(struct pctx *p, const struct keydef *k, const char *v, void *field)
{
	return conf_parse_caps(v, field) < 0 ? bad(p, k, v) : 0;
}

static int kv_umask(struct pctx *p, const struct keydef *k, const char *v, void *field)
{
	struct conf_service *s = &p->c->services[p->svc];
	if (conf_parse_umask(v, &s->umask) < 0)
		return bad(p, k, v);
	s->has_umask = true;
	return 0;
}

static int kv_success_exit(struct pctx *p, const struct keydef *k, const char *v, void *field)
{
	return conf_parse_success_exit(v, field) < 0 ? bad(p, k, v) : 0;
}

static int kv_limit(struct pctx *p, const struct keydef *k, const char *v, void *field)
{
	struct conf_service *s = &p->c->services[p->svc];
	rlim_t soft, hard;
	if (conf_parse_limit(v, &soft, &hard) < 0)
		return bad(p, k, v);
	if (conf_grow(&s->limits, s->n_limits, s->n_limits + 1, sizeof(*s->limits)) < 0)
		return nomem(p);
	s->limits[s->n_limits++] = (struct conf_limit){ .resource = conf_limit_resource(k->name), .soft = soft, .hard = hard };
	return 0;
}

static int kv_command(struct pctx *p, const struct keydef *k, const char *v, void *field)
{
	char **argv;
	if (strspn(v, " \t") == strlen(v)) {
		ERR(p, "empty '%s'", k->name);
		return -EINVAL;
	}
	int r = conf_split_command(v, &argv);
	if (r == -ENOMEM)
		return nomem(p);
	if (r < 0) {
		ERR(p, "unterminated quote or trailing backslash in '%s'", k->name);
		return r;
	}
	strv_free(*(char ***)field);
	*(char ***)field = argv;
	return 0;
}

static int kv_env(struct pctx *p, const struct keydef *k, const char *v, void *field)
{
	const char *eq = strchr(v, '=');
	bool ok = eq && eq > v && (isalpha((unsigned char)*v) || *v == '_');
	for (const char *c = v; ok && c < eq; c++)
		ok = isalnum((unsigned char)*c) || *c == '_';
	if (!ok) {
		/* Name the key only: what follows '=' may be a secret. */
		if (eq)
			ERR(p, "bad variable name '%.*s' for '%s' (KEY=VALUE)", (int)(eq - v), v, k->name);
		else
			ERR(p, "'%s' needs KEY=VALUE (no '=' found)", k->name);
		return -EINVAL;
	}
	char *copy = strdup(v);
	if (!copy || conf_strv_append(field, &p->lines->svc[p->svc].n_env, copy) < 0) {
		free(copy);
		return nomem(p);
	}
	return 0;
}

static int kv_after(struct pctx *p, const struct keydef *k, const char *v, void *field)
{
	char **l = NULL;
	int r = conf_split_list(v, &l);
	if (r == -ENOMEM)
		return nomem(p);
	for (size_t i = 0; r >= 0 && l[i]; i++)
		if (!conf_valid_name(l[i])) {
			ERR(p, "bad service name '%s' in '%s'", l[i], k->name);
			strv_free(l);
			return -EINVAL;
		}
	if (r < 0)
		return bad(p, k, v);
	strv_free(*(char ***)field);
	*(char ***)field = l;
	return 0;
}

/* (r2) A size in bytes, at most k->max MiB. */
static int kv_size(struct pctx *p, const struct keydef *k, const char *v, void *field)
{
	uint64_t n;
	if (conf_parse_size(v, &n) < 0 || n > (uint64_t)k->max << 20) {
		ERR(p, "bad size '%s' for '%s' (bytes, or with K, M or G; at most %u%s)", v, k->name,
		    k->max % 1024 ? k->max : k->max / 1024, k->max % 1024 ? "M" : "G");
		return -EINVAL;
	}
	*(uint64_t *)field = n;
	return 0;
}

static int kv_probe(struct pctx *p, const struct keydef *k, const char *v, void *field)
{
	struct conf_probe pr;
	int r = conf_parse_probe(v, strcmp(k->name, "ready") == 0, &pr);
	if (r == -ENOMEM)
		return nomem(p);
	if (r == -EPROTO) {
		ERR(p, "'notify' is only valid for 'ready', not for '%s'", k->name);
		return r;
	}
	if (r < 0)
		return bad(p, k, v);
	conf_probe_done(field);
	*(struct conf_probe *)field = pr;
	return 0;
}

static int kv_output(struct pctx *p, const struct keydef *k, const char *v, void *field)
{
	bool is_err = strcmp(k->name, "stderr") == 0;
	struct conf_output o;
	int r = conf_parse_output(v, is_err, &o);
	if (r == -ENOMEM)
		return nomem(p);
	if (r == -EPROTO)
		ERR(p, "'%s' is not valid for '%s'", v, k->name);
	else if (r == -EDOM)
		ERR(p, "'%s' must be an absolute path, not '%s'", k->name, v);
	else if (r < 0)
		ERR(p, "bad output '%s' for '%s' (%s)", v, k->name,
		    is_err ? "inherit, null, stdout or a path" : "inherit, tagged, null or a path");
	if (r < 0)
		return r;
	struct conf_output *f = field;
	free(f->path);
	*f = o;
	return 0;
}

/* [network] */

static int add_addr(struct pctx *p, struct conf_addr **arr, size_t *n, const struct conf_addr *a)
{
	if (conf_grow(arr, *n, *n + 1, sizeof(**arr)) < 0)
		return nomem(p);
	(*arr)[(*n)++] = *a;
	return 0;
}

/* address (with prefix) and dns (without): comma separated lists. */
static int kv_addr_list(struct pctx *p, const struct keydef *k, const char *v, void *field)
{
	bool is_dns = strcmp(k->name, "dns") == 0;
	struct conf_network *n = &p->c->net;
	_cleanup_strv_free_ char **l = NULL;
	int r = conf_split_list(v, &l);
	if (r == -ENOMEM)
		return nomem(p);
	if (r < 0)
		return bad(p, k, v);
	for (size_t i = 0; l[i]; i++) {
		struct conf_addr a;
		if (conf_parse_addr(l[i], !is_dns, &a) < 0) {
			if (!is_dns && !strchr(l[i], '/') && conf_parse_addr(l[i], false, &a) == 0)
				ERR(p, "'%s' needs a prefix length, as in '%s/24'", k->name, l[i]);
			else
				bad(p, k, l[i]);
			return -EINVAL;
		}
		r = is_dns ? add_addr(p, &n->dns, &n->n_dns, &a) : add_addr(p, &n->address, &n->n_address, &a);
		if (r < 0)
			return r;
	}
	return 0;
}

static int kv_gateway(struct pctx *p, const struct keydef *k, const char *v, void *field)
{
	if (conf_parse_addr(v, false, &p->c->net.gateway) < 0)
		return bad(p, k, v);
	p->c->net.has_gateway = true;
	return 0;
}

/* (r2) one IPv4 and/or one IPv6 address, comma separated: the host side
 * of a dual-stack container. */
static int kv_host_address(struct pctx *p, const struct keydef *k, const char *v, void *field)
{
	struct conf_network *n = &p->c->net;
	_cleanup_strv_free_ char **l = NULL;
	struct conf_addr a[2];
	size_t i;
	int r = conf_split_list(v, &l);
	if (r == -ENOMEM)
		return nomem(p);
	if (r < 0)
		return bad(p, k, v);
	for (i = 0; l[i]; i++) {
		struct conf_addr x;
		if (conf_parse_addr(l[i], true, &x) < 0) {
			if (!strchr(l[i], '/') && conf_parse_addr(l[i], false, &x) == 0)
				ERR(p, "'%s' needs a prefix length, as in '%s/24'", k->name, l[i]);
			else
				bad(p, k, l[i]);
			return -EINVAL;
		}
		if (i == 2 || (i == 1 && x.family == a[0].family)) {
			ERR(p, "'%s' takes at most one IPv4 and one IPv6 address", k->name);
			return -EINVAL;
		}
		a[i] = x;
	}
	if (i == 0)
		return bad(p, k, v);
	n->host_address = a[0];
	n->has_host_address = true;
	n->has_host_address2 = i > 1;
	if (i > 1)
		n->host_address2 = a[1];
	return 0;
}

static int kv_route(struct pctx *p, const struct keydef *k, const char *v, void *field)
{
	struct conf_network *n = &p->c->net;
	struct conf_route rt;
	int r = conf_parse_route(v, &rt);
	if (r == -ENOMEM)
		return nomem(p);
	if (r < 0) {
		ERR(p, "bad route '%s' for '%s' (CIDR via ADDR [dev NAME])", v, k->name);
		return r;
	}
	if (conf_grow(&n->route, n->n_route, n->n_route + 1, sizeof(*n->route)) < 0) {
		free(rt.dev);
		return nomem(p);
	}
	n->route[n->n_route++] = rt;
	return 0;
}

static int kv_dns_search(struct pctx *p, const struct keydef *k, const char *v, void *field)
{
	char **l = NULL;
	int r = conf_split_words(v, &l);
	if (r == -ENOMEM)
		return nomem(p);
	for (size_t i = 0; r >= 0 && l[i]; i++)
		if (!conf_valid_hostname(l[i])) {
			bad(p, k, l[i]);
			strv_free(l);
			return -EINVAL;
		}
	if (r < 0)
		return bad(p, k, v);
	strv_free(p->c->net.dns_search);
	p->c->net.dns_search = l;
	return 0;
}

static int kv_hosts(struct pctx *p, const struct keydef *k, const char *v, void *field)
{
	struct conf_network *n = &p->c->net;
	struct conf_hostent h;
	int r = conf_parse_hostent(v, &h);
	if (r == -ENOMEM)
		return nomem(p);
	if (r < 0) {
		ERR(p, "bad entry '%s' for '%s' (NAME=ADDR)", v, k->name);
		return r;
	}
	if (conf_grow(&n->hosts, n->n_hosts, n->n_hosts + 1, sizeof(*n->hosts)) < 0) {
		free(h.name);
		return nomem(p);
	}
	n->hosts[n->n_hosts++] = h;
	return 0;
}

static int kv_publish(struct pctx *p, const struct keydef *k, const char *v, void *field)
{
	struct conf_network *n = &p->c->net;
	struct conf_publish pub;
	int r = conf_parse_publish(v, &pub);
	if (r == -EAFNOSUPPORT) {
		ERR(p, "bad port mapping '%s' for '%s': an IPv6 HOST_IP goes in brackets, as in '[::1]:8090:5000'",
		    v, k->name);
		return r;
	}
	if (r < 0) {
		ERR(p, "bad port mapping '%s' for '%s' ([HOST_IP:]HOST_PORT:CONTAINER_PORT[/tcp|/udp])", v, k->name);
		return -EINVAL;
	}
	if (conf_grow(&n->publish, n->n_publish, n->n_publish + 1, sizeof(*n->publish)) < 0)
		return nomem(p);
	n->publish[n->n_publish++] = pub;
	return 0;
}

#define T SEC_TEND
#define N SEC_NET
#define S SEC_SVC
#define OT(f) offsetof(struct conf_tend, f)
#define ON(f) offsetof(struct conf_network, f)
#define OS(f) offsetof(struct conf_service, f)
#define LS(f) (offsetof(struct conf_svc_lines, f) + 1)
#define LN(f) (offsetof(struct conf_lines, f) + 1)
#define LIMIT(n) { "limit_" #n, S, false, kv_limit, 0, "limit", 0, 0, 0 }

static const struct keydef keys[] = {
	{ "hostname", T, false, kv_hostname, OT(hostname), "host name", 0, 0, 0 },
	{ "mount", T, false, kv_mount, OT(mount), "mount mode (auto, yes or no)", 0, 0, 0 },
	{ "main", T, false, kv_main, OT(main), "service name", 0, 0, 0 },
	{ "stop_timeout", T, false, kv_duration, OT(stop_timeout_ms), "duration", 0, 0, 0 },
	{ "control", T, false, kv_control, OT(control), "socket path", 0, 0, 0 },
	{ "http", T, false, kv_http, OT(http), "address (ADDR:PORT)", 0, 0, 0 },
	{ "drain", T, false, kv_duration, OT(drain_ms), "duration", 0, 0, 0 },
	{ "log", T, false, kv_log, OT(log), "log format (text or json)", 0, 0, 0 },

	{ "interface", N, false, kv_ifname, ON(interface), "interface name", 0, 0, 0 },
	{ "wait", N, false, kv_duration, ON(wait_ms), "duration", 0, 0, 0 },
	{ "rename", N, false, kv_ifname, ON(rename), "interface name", 0, 0, LN(rename) },
	{ "address", N, false, kv_addr_list, 0, "address", 0, 0, LN(address) },
	{ "gateway", N, false, kv_gateway, 0, "address", 0, 0, LN(gateway) },
	{ "route", N, true, kv_route, 0, "route", 0, 0, LN(route) },
	{ "mtu", N, false, kv_uint, ON(mtu), "mtu", 68, 65535, LN(mtu) },
	{ "dns", N, false, kv_addr_list, 0, "address", 0, 0, 0 },
	{ "dns_search", N, false, kv_dns_search, 0, "domain", 0, 0, 0 },
	{ "hosts", N, true, kv_hosts, 0, "hosts entry", 0, 0, 0 },
	{ "bridge", N, false, kv_ifname, ON(bridge), "interface name", 0, 0, 0 },
	{ "host_interface", N, false, kv_ifname, ON(host_interface), "interface name", 0, 0, 0 },
	{ "host_address", N, false, kv_host_address, 0, "address (ADDR/PREFIX)", 0, 0, 0 },
	{ "nat", N, false, kv_bool, ON(nat), "boolean", 0, 0, 0 },
	{ "publish", N, true, kv_publish, 0, "port mapping", 0, 0, 0 },

	{ "command", S, false, kv_command, OS(argv), "command", 0, 0, LS(command) },
	{ "type", S, false, kv_type, OS(type), "type (simple or oneshot)", 0, 0, 0 },
	{ "directory", S, false, kv_abspath, OS(directory), "directory", 0, 0, 0 },
	{ "user", S, false, kv_account, OS(user), "user", 0, 0, 0 },
	{ "group", S, false, kv_account, OS(group), "group", 0, 0, 0 },
	{ "env", S, true, kv_env, OS(env), "assignment", 0, 0, 0 },
	{ "env_file", S, false, kv_abspath, OS(env_file), "path", 0, 0, 0 },
	{ "after", S, false, kv_after, OS(after), "service list", 0, 0, LS(after) },
	{ "restart", S, false, kv_restart, OS(restart), "restart policy (no, on-failure or always)", 0, 0, 0 },
	{ "success_exit", S, false, kv_success_exit, OS(success_exit), "exit code list (0 to 255)", 0, 0, 0 },
	{ "restart_delay", S, false, kv_duration, OS(restart_delay_ms), "duration", 0, 0, 0 },
	{ "restart_delay_max", S, false, kv_duration, OS(restart_delay_max_ms), "duration", 0, 0, 0 },
	{ "restart_reset", S, false, kv_duration, OS(restart_reset_ms), "duration", 0, 0, 0 },
	{ "restart_limit", S, false, kv_uint, OS(restart_limit), "number", 0, 1000000, 0 },
	{ "restart_window", S, false, kv_duration, OS(restart_window_ms), "duration", 0, 0, 0 },
	{ "stop_signal", S, false, kv_signal, OS(stop_signal), "signal", 0, 0, 0 },
	{ "stop_timeout", S, false, kv_duration, OS(stop_timeout_ms), "duration", 0, 0, LS(stop_timeout) },
	{ "stop_mode", S, false, kv_stop_mode, OS(stop_mode), "stop mode (group or main)", 0, 0, 0 },
	{ "reload_signal", S, false, kv_signal, OS(reload_signal), "signal", 0, 0, 0 },
	{ "enabled", S, false, kv_bool, OS(enabled), "boolean", 0, 0, 0 },
	{ "every", S, false, kv_every, OS(every_ms), "duration", 0, 0, LS(every) },
	{ "capabilities", S, false, kv_caps, OS(capabilities), "capability list", 0, 0, 0 },
	{ "no_new_privileges", S, false, kv_bool, OS(no_new_privileges), "boolean", 0, 0, 0 },
	{ "ready", S, false, kv_probe, OS(ready), "probe", 0, 0, LS(ready) },
	{ "ready_timeout", S, false, kv_duration, OS(ready_timeout_ms), "duration", 0, 0, 0 },
	{ "health", S, false, kv_probe, OS(health), "probe", 0, 0, LS(health) },
	{ "health_interval", S, false, kv_duration, OS(health_interval_ms), "duration", 0, 0, LS(health_interval) },
	{ "health_timeout", S, false, kv_duration, OS(health_timeout_ms), "duration", 0, 0, LS(health_timeout) },
	{ "health_retries", S, false, kv_uint, OS(health_retries), "number", 1, 1000000, 0 },
	{ "stdout", S, false, kv_output, OS(out), "output", 0, 0, 0 },
	{ "stderr", S, false, kv_output, OS(err), "output", 0, 0, 0 },
	{ "log_max_size", S, false, kv_size, OS(log_max_size), "size", 0, 1048576, LS(log_max_size) },
	{ "log_max_files", S, false, kv_uint, OS(log_max_files), "number", 1, 1000, 0 },
	{ "log_buffer", S, false, kv_size, OS(log_buffer), "size", 0, 16, 0 },
	{ "umask", S, false, kv_umask, 0, "umask (octal, as 022)", 0, 0, 0 },
	LIMIT(nofile), LIMIT(nproc), LIMIT(core), LIMIT(memlock), LIMIT(stack),
	LIMIT(as), LIMIT(fsize), LIMIT(cpu), LIMIT(data), LIMIT(rss),
	LIMIT(msgqueue), LIMIT(nice), LIMIT(rtprio), LIMIT(sigpending), LIMIT(locks),
};

/* ${VAR}, ${VAR:-default} and $$; any other '$' is kept as it is, so that
 * "sh -c 'echo $HOME'" reaches the shell untouched. */
static int expand(struct pctx *p, const char *key, const char *v, char **ret)
{
	size_t cap = strlen(v) + 1, len = 0;
	_cleanup_free_ char *out = malloc(cap);
	if (!out)
		return nomem(p);
	for (const char *s = v; *s;) {
		const char *add = s;
		size_t n = 1;
		_cleanup_free_ char *name = NULL;
		if (s[0] == '$' && s[1] == '$') {
			s += 2;
		} else if (s[0] == '$' && s[1] == '{') {
			const char *close = strchr(s + 2, '}');
			if (!close) {
				ERR(p, "unterminated '${' in '%s'", key);
				return -EINVAL;
			}
			const char *dflt = strstr(s + 2, ":-");
			const char *ne = dflt && dflt < close ? dflt : close;
			name = strndup(s + 2, (size_t)(ne - (s + 2)));
			if (!name)
				return nomem(p);
			bool ok = *name && (isalpha((unsigned char)*name) || *name == '_');
			for (const char *c = name; ok && *c; c++)
				ok = isalnum((unsigned char)*c) || *c == '_';
			if (!ok) {
				ERR(p, "bad variable name '%s' in '%s'", name, key);
				return -EINVAL;
			}
			add = getenv(name);
			if (add)
				n = strlen(add);
			else if (ne == dflt) {
				add = dflt + 2;
				n = (size_t)(close - add);
			} else {
				ERR(p, "variable '%s' is not set (in '%s'; write ${%s:-default} for a default)", name,
				    key, name);
				return -EINVAL;
			}
			s = close + 1;
		} else
			s++;
		if (len + n + 1 > cap) {
			cap = (len + n + 1) * 2;
			char *no = realloc(out, cap);
			if (!no)
				return nomem(p);
			out = no;
		}
		memcpy(out + len, add, n);
		len += n;
	}
	out[len] = 0;
	*ret = TAKE_PTR(out);
	return 0;
}

static const char *sec_label(const struct pctx *p)
{
	return p->sec_name ? p->sec_name : "";
}

/* inih calls this for every "key = value" line the reader let through. */
static int handler(void *user, const char *section, const char *key, const char *value)
{
	struct pctx *p = user;
	const struct keydef *k = NULL;
	if (p->stop || p->oom)
		return 1;
	if (p->sec == SEC_NONE) {
		ERR(p, "key '%s' outside of any section", key);
		return 1;
	}
	if (p->sec == SEC_BAD)
		return 1;
	for (size_t i = 0; i < ELEMENTSOF(keys) && !k; i++)
		if ((keys[i].sections & p->sec) && strcmp(keys[i].name, key) == 0)
			k = &keys[i];
	if (!k) {
		ERR(p, "unknown key '%s' in [%s]", key, sec_label(p));
		return 1;
	}
	/* Only keys that may not repeat are remembered, so the list stays as
	 * short as the key table. */
	if (!k->repeatable) {
		for (size_t i = 0; i < p->n_seen; i++)
			if (p->seen[i].key == k->name) {
				ERR(p, "'%s' already set at line %d", key, p->seen[i].line);
				return 1;
			}
		if (conf_grow(&p->seen, p->n_seen, p->n_seen + 1, sizeof(*p->seen)) < 0) {
			nomem(p);
			return 1;
		}
		p->seen[p->n_seen++] = (struct seen){ k->name, p->line };
	}

	/* The line is kept even when the value is bad, so that the checks
	 * of the whole model do not add "has no command" to "bad command". */
	if (k->line_off) {
		char *lbase = p->sec == SEC_SVC ? (char *)&p->lines->svc[p->svc] : (char *)p->lines;
		*(int *)(lbase + k->line_off - 1) = p->line;
	}
	_cleanup_free_ char *v = NULL;
	if (expand(p, key, value, &v) < 0)
		return 1;
	char *base = p->sec == SEC_TEND ? (char *)&p->c->tend
		     : p->sec == SEC_NET ? (char *)&p->c->net
					 : (char *)&p->c->services[p->svc];
	k->fn(p, k, v, base + k->off);
	return 1;
}

static size_t sect_slot(const struct secent *t, size_t cap, const char *name)
{
	uint64_t h = UINT64_C(14695981039346656037); /* FNV-1a */
	for (const char *c = name; *c; c++)
		h = (h ^ (unsigned char)*c) * UINT64_C(1099511628211);
	size_t i = (size_t)h & (cap - 1);
	while (t[i].name && strcmp(t[i].name, name) != 0)
		i = (i + 1) & (cap - 1);
	return i;
}

/* Remember a section; the line of an earlier one of that name, or 0. */
static int sect_add(struct pctx *p, const char *name, int *ret_first)
{
	if ((p->sect_n + 1) * 2 > p->sect_cap) {
		size_t cap = p->sect_cap ? p->sect_cap * 2 : 16;
		struct secent *t = calloc(cap, sizeof(*t));
		if (!t)
			return -ENOMEM;
		for (size_t i = 0; i < p->sect_cap; i++)
			if (p->sect[i].name)
				t[sect_slot(t, cap, p->sect[i].name)] = p->sect[i];
		free(p->sect);
		p->sect = t;
		p->sect_cap = cap;
	}
	size_t i = sect_slot(p->sect, p->sect_cap, name);
	if (p->sect[i].name) {
		*ret_first = p->sect[i].line;
		return 0;
	}
	if (!(p->sect[i].name = strdup(name)))
		return -ENOMEM;
	p->sect[i].line = p->line;
	p->sect_n++;
	*ret_first = 0;
	return 0;
}

/* A [section] line: its name is everything between the brackets. */
static void section(struct pctx *p, const char *name)
{
	p->sec = SEC_BAD;
	p->n_seen = 0;
	/* tend-net: the other sections are tend's, skipped unread (their
	 * values are never expanded, so a ${VAR} there that only the
	 * container sets is no error here). */
	if (p->lines->net_only && strcmp(name, "network") != 0)
		return;
	free(p->sec_name);
	int first;
	if (!(p->sec_name = strdup(name)) || sect_add(p, name, &first) < 0) {
		nomem(p);
		return;
	}
	if (first) {
		ERR(p, "duplicate section [%s], first at line %d", name, first);
		return;
	}

	if (strcmp(name, "tend") == 0)
		p->sec = SEC_TEND;
	else if (strcmp(name, "network") == 0) {
		p->sec = SEC_NET;
		p->c->net.present = true;
		p->c->net.line = p->line;
	} else if (strncmp(name, "service:", 8) == 0) {
		const char *sn = name + 8;
		p->lines->service_sections++;
		if (!conf_valid_name(sn)) {
			ERR(p, "bad service name '%s' (letters, digits, '_', '.', '-', at most 64)", sn);
			return;
		}
		if (conf_grow(&p->lines->svc, p->lines->n, p->lines->n + 1, sizeof(*p->lines->svc)) < 0 ||
		    conf_service_add(p->c, sn, p->line, &p->svc) < 0) {
			nomem(p);
			return;
		}
		p->lines->svc[p->svc] = (struct conf_svc_lines){ 0 };
		p->lines->n = p->c->n_services;
		p->sec = SEC_SVC;
	} else
		ERR(p, "unknown section [%s]", name);
}

/* Length of a valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t l;
	uint32_t cp;
	if (s[0] < 0x80)
		return 1;
	else if ((s[0] & 0xe0) == 0xc0)
		l = 2, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		l = 3, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		l = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (l > n)
		return 0;
	for (size_t i = 1; i < l; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond Unicode */
	if ((l == 2 && cp < 0x80) || (l == 3 && cp < 0x800) || (l == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return l;
}

static int set_feed(struct pctx *p, const char *s, size_t n)
{
	if (n + 2 > p->feed_cap) {
		char *nf = realloc(p->feed, n + 2);
		if (!nf)
			return nomem(p);
		p->feed = nf;
		p->feed_cap = n + 2;
	}
	memcpy(p->feed, s, n);
	p->feed[n] = '\n';
	p->feed[n + 1] = 0;
	p->feed_len = n + 1;
	p->feed_pos = 0;
	return 0;
}

/* Read the next raw line, check it, and prepare what inih gets of it.
 * Returns false at the end of the text. */
static bool next_line(struct pctx *p)
{
	if (p->pos >= p->len || p->stop || p->oom)
		return false;
	const char *s = p->text + p->pos;
	const char *eol = memchr(s, '\n', p->len - p->pos);
	size_t n = eol ? (size_t)(eol - s) : p->len - p->pos;
	p->pos += n + (eol ? 1 : 0);
	p->line++;
	if (n && s[n - 1] == '\r')
		n--;
	if (p->line == 1 && n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3, n -= 3;
	set_feed(p, "", 0);

	if (memchr(s, 0, n)) {
		ERR(p, "NUL byte: not a text file");
		p->stop = true; /* one message, not one per binary line */
		p->lines->binary = true;
		return true;
	}
	if (n > CONF_MAX_LINE) {
		ERR(p, "line too long (%zu bytes, at most %d)", n, CONF_MAX_LINE);
		return true;
	}
	for (size_t i = 0; i < n;) {
		unsigned char ch = (unsigned char)s[i];
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
			ERR(p, "control character 0x%02x in line: not text", ch);
			return true;
		}
		size_t l = utf8_len((const unsigned char *)s + i, n - i);
		if (!l) {
			ERR(p, "invalid UTF-8 in line: not text");
			return true;
		}
		i += l;
	}
	size_t b = 0;
	while (b < n && (s[b] == ' ' || s[b] == '\t'))
		b++;
	size_t e = n;
	while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t'))
		e--;
	if (b == e || s[b] == ';' || s[b] == '#')
		return true; /* blank or comment */
	if (s[b] == '[') {
		const char *close = memchr(s + b, ']', e - b);
		if (!close) {
			ERR(p, "missing ']' in section line");
			p->sec = SEC_BAD; /* its keys belong to no known section */
			return true;
		}
		/* Reported, but the section is still opened, so that its keys
		 * are checked and not reported as outside of any section. */
		if (close + 1 != s + e)
			ERR(p, "text after ']' in section line");
		_cleanup_free_ char *name = strndup(s + b + 1, (size_t)(close - (s + b + 1)));
		if (!name)
			nomem(p);
		else
			section(p, name);
		return true;
	}
	const char *eq = memchr(s + b, '=', e - b);
	size_t ke = eq ? (size_t)(eq - s) : e;
	while (ke > b && (s[ke - 1] == ' ' || s[ke - 1] == '\t'))
		ke--;
	if (!eq) {
		ERR(p, "expected 'key = value', '[section]' or a comment");
		return true;
	}
	if (ke == b) {
		ERR(p, "missing key before '='");
		return true;
	}
	for (size_t i = b; i < ke; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-') {
			ERR(p, "bad key '%.*s'", (int)(ke - b), s + b);
			return true;
		}
	set_feed(p, s + b, e - b);
	return true;
}

/* fgets() for inih: at most num-1 bytes, up to and including the '\n'. */
static char *reader(char *str, int num, void *stream)
{
	struct pctx *p = stream;
	if (num < 2)
		return NULL;
	if (p->feed_pos >= p->feed_len && !next_line(p))
		return NULL;
	size_t n = p->feed_len - p->feed_pos;
	if (n > (size_t)num - 1)
		n = (size_t)num - 1;
	memcpy(str, p->feed + p->feed_pos, n);
	str[n] = 0;
	p->feed_pos += n;
	return str;
}

int conf_parse_text(struct conf *c, struct conf_lines *lines, const char *name, const char *text,
		    size_t len, struct conf_diag *d)
{
	struct pctx p = { .c = c, .lines = lines, .d = d, .name = name, .text = text, .len = len };

	/* inih's switches (process-wide): heap buffer that may grow to our
	 * longest line plus "\r\n\0", no inline comments (';' is data), no
	 * continuation lines, BOM handled by us. */
	ini_use_stack = false;
	ini_allow_realloc = true;
	ini_initial_alloc = 4096;
	ini_max_line = CONF_MAX_LINE + 8;
	ini_allow_inline_comments = false;
	ini_allow_multiline = false;
	ini_allow_bom = false;
	ini_allow_no_value = false;
	ini_stop_on_first_error = false;

	int r = ini_parse_stream(reader, &p, handler, &p);
	if (r == -2)
		p.oom = -ENOMEM;
	else if (r > 0 && !p.oom && !p.stop)
		/* Cannot happen: every line inih sees was checked. Kept so that
		 * a change in inih never goes unnoticed. */
		conf_diag_add(d, name, r, "syntax error");
	free(p.feed);
	free(p.sec_name);
	free(p.seen);
	for (size_t i = 0; i < p.sect_cap; i++)
		free(p.sect[i].name);
	free(p.sect);
	return p.oom;
}
