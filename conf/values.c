/* values.c: parsers of single configuration values (durations, signals,
 * capabilities, addresses, routes, probes, ...).
 *
 * Every parser is strict: the whole string must be understood, numbers go
 * through strtoull with range checks, and nothing is written to the result
 * unless the value is good, so that a caller can report the error and keep
 * the default. None of them logs: the caller knows the file and the line. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "common/strv.h"
#include "common/util.h"
#include "conf/internal.h"

static bool is_blank(char c) { return c == ' ' || c == '\t'; }

/* Parse a run of decimal digits only (no sign, no space, no "0x"): strtoull
 * alone accepts " -1" and wraps it around. */
static int parse_u64(const char *s, const char **ret_end, uint64_t *ret)
{
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (ret_end)
		*ret_end = end;
	else if (*end)
		return -EINVAL;
	*ret = v;
	return 0;
}

int conf_parse_uint(const char *s, unsigned min, unsigned max, unsigned *ret)
{
	uint64_t v;
	if (parse_u64(s, NULL, &v) < 0 || v < min || v > max)
		return -EINVAL;
	*ret = (unsigned)v;
	return 0;
}

/* Durations: one or more NUMBER[UNIT] groups ("250ms", "1m30s", "1.5s");
 * a bare number is seconds. */
int conf_parse_duration(const char *s, uint64_t *ret_ms)
{
	static const struct { const char *unit; uint64_t ms; } units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
	};
	uint64_t total = 0;
	const char *p = s;
	if (!*p)
		return -EINVAL;
	for (bool first = true; *p; first = false) {
		uint64_t whole, frac = 0, frac_div = 1;
		if (parse_u64(p, &p, &whole) < 0)
			return -EINVAL;
		if (*p == '.') {
			p++;
			if (!isdigit((unsigned char)*p))
				return -EINVAL;
			/* Keep three decimals: the model counts in milliseconds. */
			for (; isdigit((unsigned char)*p); p++)
				if (frac_div < 1000) {
					frac = frac * 10 + (uint64_t)(*p - '0');
					frac_div *= 10;
				}
		}
		uint64_t mult = 0;
		if (!*p && first)
			mult = 1000; /* a bare number, the whole value: seconds */
		else
			for (size_t i = 0; i < ELEMENTSOF(units); i++) {
				size_t l = strlen(units[i].unit);
				if (strncmp(p, units[i].unit, l) == 0 && !isalpha((unsigned char)p[l])) {
					mult = units[i].ms;
					p += l;
					break;
				}
			}
		if (!mult)
			return -EINVAL;
		uint64_t v;
		if (__builtin_mul_overflow(whole, mult, &v) ||
		    __builtin_add_overflow(v, frac * mult / frac_div, &v) ||
		    __builtin_add_overflow(total, v, &total))
			return -EINVAL;
	}
	/* A bound well above anything sensible, so that later arithmetic on
	 * timestamps (now + duration) cannot overflow either. */
	if (total > UINT64_C(1) << 50)
		return -EINVAL;
	*ret_ms = total;
	return 0;
}

int conf_parse_bool(const char *s, bool *ret)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*ret = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*ret = false;
			return 0;
		}
	}
	return -EINVAL;
}

/* Signals: "TERM", "SIGTERM", "15", "RTMIN+3", "SIGRTMAX-1", any case. */
int conf_parse_signal(const char *s, int *ret_sig)
{
	uint64_t n;
	if (isdigit((unsigned char)*s)) {
		if (parse_u64(s, NULL, &n) < 0 || n < 1 || n > (uint64_t)SIGRTMAX ||
		    (n > 31 && n < (uint64_t)SIGRTMIN))
			return -EINVAL;
		*ret_sig = (int)n;
		return 0;
	}
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	if (strncasecmp(s, "RTMIN", 5) == 0 || strncasecmp(s, "RTMAX", 5) == 0) {
		bool max = toupper((unsigned char)s[3]) == 'A';
		const char *p = s + 5;
		int sig = max ? SIGRTMAX : SIGRTMIN;
		if (*p) {
			if (*p != (max ? '-' : '+') || parse_u64(p + 1, NULL, &n) < 0 ||
			    n > (uint64_t)(SIGRTMAX - SIGRTMIN))
				return -EINVAL;
			sig = max ? sig - (int)n : sig + (int)n;
		}
		*ret_sig = sig;
		return 0;
	}
	for (int sig = 1; sig < 32; sig++) {
		const char *name = sigabbrev_np(sig);
		if (name && strcasecmp(s, name) == 0) {
			*ret_sig = sig;
			return 0;
		}
	}
	return -EINVAL;
}

const char *conf_signal_name(int sig)
{
	static char buf[16];
	if (sig >= 1 && sig < 32 && sigabbrev_np(sig))
		return sigabbrev_np(sig);
	if (sig >= SIGRTMIN && sig <= SIGRTMAX) {
		snprintf(buf, sizeof(buf), "RTMIN+%d", sig - SIGRTMIN);
		return buf;
	}
	snprintf(buf, sizeof(buf), "%d", sig);
	return buf;
}

/* Capabilities through libcap's own name table, so that the names are the
 * ones of the libcap tend runs with; "CAP_" is optional and case is free. */
int conf_parse_caps(const char *s, uint64_t *ret)
{
	_cleanup_strv_free_ char **l = NULL;
	uint64_t mask = 0;
	const char *p = s;
	while (is_blank(*p))
		p++;
	if (!*p || strcasecmp(p, "none") == 0) {
		*ret = 0;
		return 0;
	}
	int r = conf_split_list(s, &l);
	if (r < 0)
		return r;
	for (size_t i = 0; l[i]; i++) {
		char name[64];
		const char *n = l[i];
		if (strncasecmp(n, "cap_", 4) == 0)
			n += 4;
		if (!*n || strlen(n) + 5 > sizeof(name))
			return -EINVAL;
		for (const char *c = n; *c; c++)
			if (!isalnum((unsigned char)*c) && *c != '_')
				return -EINVAL;
		snprintf(name, sizeof(name), "cap_%s", n);
		for (char *c = name; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		cap_value_t v;
		if (cap_from_name(name, &v) < 0 || v < 0 || v > 63)
			return -EINVAL;
		mask |= UINT64_C(1) << v;
	}
	*ret = mask;
	return 0;
}

int conf_parse_addr(const char *s, bool want_prefix, struct conf_addr *ret)
{
	char buf[INET6_ADDRSTRLEN + 8];
	struct conf_addr a = { 0 };
	const char *slash = strchr(s, '/');
	size_t len = slash ? (size_t)(slash - s) : strlen(s);
	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = 0;
	if (inet_pton(AF_INET, buf, a.addr) == 1)
		a.family = AF_INET;
	else if (inet_pton(AF_INET6, buf, a.addr) == 1)
		a.family = AF_INET6;
	else
		return -EINVAL;
	unsigned max = a.family == AF_INET ? 32 : 128;
	a.prefix = max;
	if (slash) {
		if (!want_prefix || strlen(slash + 1) > 3 || conf_parse_uint(slash + 1, 0, max, &a.prefix) < 0)
			return -EINVAL;
	} else if (want_prefix)
		return -EINVAL;
	*ret = a;
	return 0;
}

const char *conf_addr_to_string(const struct conf_addr *a, bool with_prefix, char *buf, size_t len)
{
	char tmp[INET6_ADDRSTRLEN];
	if (!inet_ntop(a->family, a->addr, tmp, sizeof(tmp)))
		snprintf(tmp, sizeof(tmp), "?");
	if (with_prefix)
		snprintf(buf, len, "%s/%u", tmp, a->prefix);
	else
		snprintf(buf, len, "%s", tmp);
	return buf;
}

/* 1 to 15 of A-Z a-z 0-9 _ . - (contract r2): what the kernel accepts
 * is wider (anything but '/', ':' and white space), but these names end
 * up in nftables rule text and in /proc/sys paths, where a quote, a ';' or
 * a '#' would be syntax. "." and ".." the kernel refuses itself. */
bool conf_valid_ifname(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 15 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == n;
}

bool conf_valid_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 64)
		return false;
	for (const char *c = s; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr("_.-", *c))
			return false;
	return true;
}

/* RFC 1123 host and domain names (at most 253 characters); underscores
 * tolerated (they occur in the wild). */
bool conf_valid_hostname(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 253 || *s == '-' || *s == '.')
		return false;
	for (const char *c = s; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr("-._", *c))
			return false;
	return true;
}

/* Split on white space into at most `max` words. */
static int split_ws(const char *s, char ***ret)
{
	_cleanup_strv_free_ char **l = NULL;
	size_t nl = 0;
	const char *p = s;
	for (;;) {
		while (is_blank(*p))
			p++;
		if (!*p)
			break;
		const char *e = p;
		while (*e && !is_blank(*e))
			e++;
		char *w = strndup(p, (size_t)(e - p));
		if (!w || conf_strv_append(&l, &nl, w) < 0) {
			free(w);
			return -ENOMEM;
		}
		p = e;
	}
	*ret = TAKE_PTR(l);
	return 0;
}

/* "CIDR [via ADDR] [dev NAME]" or "default via ADDR [dev NAME]". */
int conf_parse_route(const char *s, struct conf_route *ret)
{
	_cleanup_strv_free_ char **w = NULL;
	int r = split_ws(s, &w);
	if (r < 0)
		return r;
	size_t n = strv_length(w);
	if (n < 2)
		return -EINVAL;
	struct conf_route rt = { 0 };
	bool dflt = strcmp(w[0], "default") == 0;
	if (!dflt && conf_parse_addr(w[0], true, &rt.dst) < 0)
		return -EINVAL;
	const char *dev = NULL;
	for (size_t i = 1; i < n; i += 2) {
		if (i + 1 >= n)
			return -EINVAL;
		if (strcmp(w[i], "via") == 0 && !rt.has_via) {
			if (conf_parse_addr(w[i + 1], false, &rt.via) < 0)
				return -EINVAL;
			rt.has_via = true;
		} else if (strcmp(w[i], "dev") == 0 && !dev) {
			if (!conf_valid_ifname(w[i + 1]))
				return -EINVAL;
			dev = w[i + 1];
		} else
			return -EINVAL;
	}
	if (dflt) {
		/* The family of "default" comes from the gateway. */
		if (!rt.has_via)
			return -EINVAL;
		rt.dst.family = rt.via.family;
		rt.dst.prefix = 0;
	} else if (rt.has_via && rt.via.family != rt.dst.family)
		return -EINVAL;
	if (!rt.has_via && !dev)
		return -EINVAL;
	if (dev && !(rt.dev = strdup(dev)))
		return -ENOMEM;
	*ret = rt;
	return 0;
}

/* "NAME=ADDR" for /etc/hosts. */
int conf_parse_hostent(const char *s, struct conf_hostent *ret)
{
	const char *eq = strchr(s, '=');
	if (!eq)
		return -EINVAL;
	_cleanup_free_ char *name = strndup(s, (size_t)(eq - s));
	if (!name)
		return -ENOMEM;
	/* Tolerate "db = 1.2.3.4" inside the value. */
	size_t l = strlen(name);
	while (l && is_blank(name[l - 1]))
		name[--l] = 0;
	const char *a = eq + 1;
	while (is_blank(*a))
		a++;
	struct conf_hostent h = { 0 };
	if (!conf_valid_hostname(name) || conf_parse_addr(a, false, &h.addr) < 0)
		return -EINVAL;
	h.name = TAKE_PTR(name);
	*ret = h;
	return 0;
}

/* "[HOST_IP:]HOST_PORT:CONTAINER_PORT[/tcp|/udp]", an IPv6 HOST_IP in
 * brackets ("[::1]:8090:5000"). -EAFNOSUPPORT: an IPv6 HOST_IP without its
 * brackets (its colons cannot be told from the ports'). */
int conf_parse_publish(const char *s, struct conf_publish *ret)
{
	char buf[80];
	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", s);
	struct conf_publish p = { .proto = IPPROTO_TCP };
	char *ports = buf;
	if (buf[0] == '[') {
		char *close = strchr(buf, ']');
		if (!close || close[1] != ':')
			return -EINVAL;
		*close = 0;
		if (inet_pton(AF_INET6, buf + 1, p.host_ip.addr) != 1)
			return -EINVAL;
		p.host_ip.family = AF_INET6;
		p.host_ip.prefix = 128;
		p.has_host_ip = true;
		ports = close + 2;
	}
	char *slash = strchr(ports, '/');
	if (slash) {
		*slash = 0;
		if (strcasecmp(slash + 1, "tcp") == 0)
			p.proto = IPPROTO_TCP;
		else if (strcasecmp(slash + 1, "udp") == 0)
			p.proto = IPPROTO_UDP;
		else
			return -EINVAL;
	}
	char *last = strrchr(ports, ':');
	if (!last)
		return -EINVAL;
	*last = 0;
	char *hport = ports, *colon = strrchr(ports, ':');
	if (colon) {
		if (p.has_host_ip)
			return -EINVAL;
		*colon = 0;
		hport = colon + 1;
		if (strchr(ports, ':'))
			return -EAFNOSUPPORT;
		if (inet_pton(AF_INET, ports, p.host_ip.addr) != 1)
			return -EINVAL;
		p.host_ip.family = AF_INET;
		p.host_ip.prefix = 32;
		p.has_host_ip = true;
	}
	unsigned hp, cp;
	if (conf_parse_uint(hport, 1, 65535, &hp) < 0 || conf_parse_uint(last + 1, 1, 65535, &cp) < 0)
		return -EINVAL;
	p.host_port = (uint16_t)hp;
	p.container_port = (uint16_t)cp;
	*ret = p;
	return 0;
}

/* HOST[:PORT] of a probe URL; HOST may be [IPv6]. */
static int parse_hostport(const char *s, size_t len, bool need_port, uint16_t dflt_port, char **ret_host,
			  uint16_t *ret_port)
{
	_cleanup_free_ char *hp = strndup(s, len);
	if (!hp)
		return -ENOMEM;
	char *host = hp, *port = NULL;
	if (*hp == '[') {
		char *close = strchr(hp, ']');
		if (!close)
			return -EINVAL;
		*close = 0;
		host = hp + 1;
		struct in6_addr a6;
		if (inet_pton(AF_INET6, host, &a6) != 1)
			return -EINVAL;
		if (close[1] == ':')
			port = close + 2;
		else if (close[1])
			return -EINVAL;
	} else {
		char *colon = strchr(hp, ':');
		if (colon) {
			*colon = 0;
			port = colon + 1;
		}
		if (!conf_valid_hostname(host))
			return -EINVAL;
	}
	unsigned pn = dflt_port;
	if (port) {
		if (conf_parse_uint(port, 1, 65535, &pn) < 0)
			return -EINVAL;
	} else if (need_port)
		return -EINVAL;
	char *h = strdup(host);
	if (!h)
		return -ENOMEM;
	*ret_host = h;
	*ret_port = (uint16_t)pn;
	return 0;
}

int conf_parse_probe(const char *s, bool allow_notify, struct conf_probe *ret)
{
	struct conf_probe p = { .kind = CONF_PROBE_NONE };
	int r;
	if (strcmp(s, "none") == 0)
		;
	else if (strcmp(s, "notify") == 0) {
		if (!allow_notify)
			return -EPROTO;
		p.kind = CONF_PROBE_NOTIFY;
	} else if (strncmp(s, "tcp://", 6) == 0) {
		p.kind = CONF_PROBE_TCP;
		r = parse_hostport(s + 6, strlen(s + 6), true, 0, &p.host, &p.port);
		if (r < 0)
			return r;
	} else if (strncmp(s, "http://", 7) == 0) {
		const char *h = s + 7, *slash = strchr(h, '/');
		size_t hl = slash ? (size_t)(slash - h) : strlen(h);
		p.kind = CONF_PROBE_HTTP;
		r = parse_hostport(h, hl, false, 80, &p.host, &p.port);
		if (r < 0)
			return r;
		/* The path goes into a request line as is: no spaces, no
		 * control characters. */
		for (const char *c = slash; c && *c; c++)
			if ((unsigned char)*c <= ' ' || *c == 0x7f) {
				free(p.host);
				return -EINVAL;
			}
		p.path = strdup(slash ? slash : "/");
		if (!p.path) {
			free(p.host);
			return -ENOMEM;
		}
	} else if (strncmp(s, "exec:", 5) == 0) {
		p.kind = CONF_PROBE_EXEC;
		r = conf_split_command(s + 5, &p.argv);
		if (r < 0)
			return r;
	} else
		return -EINVAL;
	*ret = p;
	return 0;
}

int conf_parse_output(const char *s, bool is_stderr, struct conf_output *ret)
{
	struct conf_output o = { 0 };
	if (strcmp(s, "inherit") == 0)
		o.kind = CONF_OUT_INHERIT;
	else if (strcmp(s, "null") == 0)
		o.kind = CONF_OUT_NULL;
	else if (strcmp(s, "tagged") == 0) {
		if (is_stderr)
			return -EPROTO;
		o.kind = CONF_OUT_TAGGED;
	} else if (strcmp(s, "stdout") == 0) {
		if (!is_stderr)
			return -EPROTO;
		o.kind = CONF_OUT_STDOUT;
	} else if (*s == '/') {
		o.kind = CONF_OUT_FILE;
		if (!(o.path = strdup(s)))
			return -ENOMEM;
	} else if (*s && !strchr(s, ' ') && !strchr(s, '\t') && !strchr(s, ','))
		return -EDOM; /* looks like a relative path */
	else
		return -EINVAL;
	*ret = o;
	return 0;
}

int conf_parse_size(const char *s, uint64_t *ret)
{
	const char *end;
	uint64_t v, mult = 1;
	if (parse_u64(s, &end, &v) < 0)
		return -EINVAL;
	switch (*end) {
	case 0: break;
	case 'K': case 'k': mult = 1ULL << 10; end++; break;
	case 'M': case 'm': mult = 1ULL << 20; end++; break;
	case 'G': case 'g': mult = 1ULL << 30; end++; break;
	default: return -EINVAL;
	}
	if (*end || v > UINT64_MAX / mult)
		return -EINVAL;
	*ret = v * mult;
	return 0;
}

int conf_parse_umask(const char *s, mode_t *ret)
{
	size_t n = strlen(s);
	if (n == 0 || n > 4 || strspn(s, "01234567") != n)
		return -EINVAL;
	unsigned long v = strtoul(s, NULL, 8);
	if (v > 0777)
		return -EINVAL;
	*ret = (mode_t)v;
	return 0;
}

static const struct { const char *key; int resource; } limit_keys[] = {
	{ "limit_nofile", RLIMIT_NOFILE },   { "limit_nproc", RLIMIT_NPROC },
	{ "limit_core", RLIMIT_CORE },       { "limit_memlock", RLIMIT_MEMLOCK },
	{ "limit_stack", RLIMIT_STACK },     { "limit_as", RLIMIT_AS },
	{ "limit_fsize", RLIMIT_FSIZE },     { "limit_cpu", RLIMIT_CPU },
	{ "limit_data", RLIMIT_DATA },       { "limit_rss", RLIMIT_RSS },
	{ "limit_msgqueue", RLIMIT_MSGQUEUE }, { "limit_nice", RLIMIT_NICE },
	{ "limit_rtprio", RLIMIT_RTPRIO },   { "limit_sigpending", RLIMIT_SIGPENDING },
	{ "limit_locks", RLIMIT_LOCKS },
};

int conf_limit_resource(const char *key)
{
	for (size_t i = 0; i < ELEMENTSOF(limit_keys); i++)
		if (strcmp(key, limit_keys[i].key) == 0)
			return limit_keys[i].resource;
	return -ENOENT;
}

const char *conf_limit_name(int resource)
{
	for (size_t i = 0; i < ELEMENTSOF(limit_keys); i++)
		if (limit_keys[i].resource == resource)
			return limit_keys[i].key;
	return "limit_?";
}

static int parse_rlim(const char *s, size_t len, rlim_t *ret)
{
	char buf[32];
	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = 0;
	if (strcasecmp(buf, "infinity") == 0 || strcasecmp(buf, "unlimited") == 0) {
		*ret = RLIM_INFINITY;
		return 0;
	}
	uint64_t v;
	if (parse_u64(buf, NULL, &v) < 0 || v >= (uint64_t)RLIM_INFINITY)
		return -EINVAL;
	*ret = (rlim_t)v;
	return 0;
}

/* SOFT[:HARD]; one number sets both, as `ulimit` without -S/-H does. */
int conf_parse_limit(const char *s, rlim_t *ret_soft, rlim_t *ret_hard)
{
	const char *colon = strchr(s, ':');
	rlim_t soft, hard;
	if (parse_rlim(s, colon ? (size_t)(colon - s) : strlen(s), &soft) < 0)
		return -EINVAL;
	hard = soft;
	if (colon && parse_rlim(colon + 1, strlen(colon + 1), &hard) < 0)
		return -EINVAL;
	if (soft != RLIM_INFINITY && hard != RLIM_INFINITY ? soft > hard : hard != RLIM_INFINITY)
		return -EINVAL; /* soft above hard */
	*ret_soft = soft;
	*ret_hard = hard;
	return 0;
}

int conf_parse_success_exit(const char *s, uint8_t ret[32])
{
	_cleanup_strv_free_ char **l = NULL;
	uint8_t bits[32] = { 0 };
	int r = conf_split_list(s, &l);
	if (r < 0)
		return r;
	for (size_t i = 0; l[i]; i++) {
		unsigned v;
		if (conf_parse_uint(l[i], 0, 255, &v) < 0)
			return -EINVAL;
		bits[v / 8] |= (uint8_t)(1u << (v % 8));
	}
	memcpy(ret, bits, sizeof(bits));
	return 0;
}

/* ADDR:PORT with a numeric IPv4 address, or [IPv6]:PORT. */
int conf_parse_http(const char *s)
{
	const char *colon = strrchr(s, ':');
	if (!colon)
		return -EINVAL;
	unsigned port;
	if (conf_parse_uint(colon + 1, 1, 65535, &port) < 0)
		return -EINVAL;
	char buf[INET6_ADDRSTRLEN + 2];
	size_t len = (size_t)(colon - s);
	if (len < 2 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = 0;
	unsigned char a[16];
	if (buf[0] == '[') {
		if (buf[len - 1] != ']')
			return -EINVAL;
		buf[len - 1] = 0;
		return inet_pton(AF_INET6, buf + 1, a) == 1 ? 0 : -EINVAL;
	}
	return inet_pton(AF_INET, buf, a) == 1 ? 0 : -EINVAL;
}

int conf_split_list(const char *s, char ***ret)
{
	_cleanup_strv_free_ char **l = NULL;
	size_t nl = 0;
	const char *p = s;
	for (;;) {
		const char *e = strchr(p, ',');
		if (!e)
			e = p + strlen(p);
		const char *b = p, *t = e;
		while (b < t && is_blank(*b))
			b++;
		while (t > b && is_blank(t[-1]))
			t--;
		if (b == t)
			return -EINVAL; /* "a,,b", a trailing comma, or nothing */
		char *w = strndup(b, (size_t)(t - b));
		if (!w || conf_strv_append(&l, &nl, w) < 0) {
			free(w);
			return -ENOMEM;
		}
		if (!*e)
			break;
		p = e + 1;
	}
	*ret = TAKE_PTR(l);
	return 0;
}

int conf_split_words(const char *s, char ***ret)
{
	_cleanup_free_ char *c = strdup(s);
	if (!c)
		return -ENOMEM;
	for (char *p = c; *p; p++)
		if (*p == ',')
			*p = ' ';
	_cleanup_strv_free_ char **l = NULL;
	int r = split_ws(c, &l);
	if (r < 0)
		return r;
	if (!l)
		return -EINVAL;
	*ret = TAKE_PTR(l);
	return 0;
}

/* Words as a POSIX shell splits them, without any expansion: blanks
 * separate words; '...' keeps everything literally; "..." keeps everything
 * but lets a backslash escape $ ` " \ and a newline; outside quotes a
 * backslash makes the next character literal. */
int conf_split_command(const char *s, char ***ret_argv)
{
	_cleanup_strv_free_ char **l = NULL;
	size_t nl = 0;
	size_t n = strlen(s);
	_cleanup_free_ char *w = malloc(n + 1);
	if (!w)
		return -ENOMEM;
	const char *p = s;
	for (;;) {
		while (is_blank(*p) || *p == '\n' || *p == '\r')
			p++;
		if (!*p)
			break;
		size_t wl = 0;
		while (*p && !is_blank(*p) && *p != '\n' && *p != '\r') {
			if (*p == '\'') {
				const char *e = strchr(p + 1, '\'');
				if (!e)
					return -EINVAL;
				memcpy(w + wl, p + 1, (size_t)(e - p - 1));
				wl += (size_t)(e - p - 1);
				p = e + 1;
			} else if (*p == '"') {
				p++;
				for (;;) {
					if (!*p)
						return -EINVAL;
					if (*p == '"')
						break;
					if (*p == '\\' && p[1] && strchr("$`\"\\\n", p[1]))
						p++;
					w[wl++] = *p++;
				}
				p++;
			} else if (*p == '\\') {
				if (!p[1])
					return -EINVAL; /* nothing to escape */
				w[wl++] = p[1];
				p += 2;
			} else
				w[wl++] = *p++;
		}
		char *word = strndup(w, wl);
		if (!word || conf_strv_append(&l, &nl, word) < 0) {
			free(word);
			return -ENOMEM;
		}
	}
	if (!l)
		return -EINVAL; /* nothing to run */
	*ret_argv = TAKE_PTR(l);
	return 0;
}
