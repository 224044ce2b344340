/* tend-net: the host side of a container's network, as an OCI hook or by
 * hand (see tend-net(8)).
 *
 *   tend-net hook up|down -c FILE        OCI state JSON on stdin
 *   tend-net up   -c FILE --pid PID --name NAME
 *   tend-net down [-c FILE] --name NAME
 *
 * What it trusts (contract section 6): the -c FILE, the OCI state and the
 * bundle's config.json, all of them the host's. Nothing inside the
 * container's root filesystem: in hook mode -c is required, and a FILE
 * that resolves to a path inside the bundle's root.path is refused, as is
 * a FILE that is not a regular file owned by root and writable by root
 * alone (opened without following a last symlink and without blocking,
 * then judged on the open descriptor, so a FIFO or a swapped name never
 * stalls the hook or slips past the check). Only [network] is read.
 *
 * How it knows what is its own, so that `down` removes exactly that:
 *  - links: the host end of a veth gets the alias (IFLA_IFALIAS)
 *    "tend-net:NAME", a bridge tend-net created gets "tend-net bridge"
 *    (a space: no container name can make that tag). Links without the
 *    mark are someone else's and are never changed or deleted;
 *  - rules: every rule in the table `ip tend` has the comment
 *    "tend-net:NAME";
 *  - /run/tend-net/NAME records the names up used (written before anything
 *    is made, so that down also cleans after an up that died half-way).
 * Every up and down runs under an flock on /run/tend-net/lock: ten
 * containers starting at once on one bridge take turns, and a "look, then
 * act" (does the bridge exist? is the table empty?) cannot race. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "common/log.h"
#include "common/util.h"
#include "conf/conf.h"
#include "net/host.h"
#include "net/nft.h"
#include "net/ocistate.h"

#define EXIT_USAGE 64
#define EXIT_CONFIG 78

#define RUN_DIR "/run/tend-net"
#define LOCK_PATH RUN_DIR "/lock"
#define BRIDGE_ALIAS "tend-net bridge"
#define TAG_PREFIX "tend-net:"
#define NAME_MAX_LEN OCI_NAME_MAX
#define CONF_MAX (1024 * 1024) /* as conf_load() */

enum verb { VERB_UP, VERB_DOWN };

struct args {
	enum verb verb;
	bool hook;
	const char *config;
	char *bundle; /* hook mode: from the OCI state */
	char *name;
	pid_t pid;
};

/* What up decided to make, from the configuration. */
struct plan {
	const char *conf_path;
	char tag[sizeof(TAG_PREFIX) + NAME_MAX_LEN];
	char host[HOST_IFNAMSIZ];
	const char *peer;           /* the container end's name: `rename`, else `interface` */
	const char *bridge;         /* NULL: none */
	struct host_addr host_address[2]; /* one IPv4 and/or one IPv6 */
	size_t n_host_address;
	struct host_addr caddr[8];  /* the container's addresses, set by up */
	size_t n_caddr;
	struct nft_addr container4, container6; /* the first of each family */
	struct nft_subnet subnets[8];
	size_t n_subnets;
	bool nat;
	struct nft_publish *publish;
	size_t n_publish;
};

/* /run/tend-net/NAME */
struct state {
	char host[HOST_IFNAMSIZ];
	char bridge[HOST_IFNAMSIZ];
	char rules[17]; /* hash of the rules last applied, "" none */
};

static void help(FILE *f)
{
	fputs("Usage: tend-net hook up|down -c FILE       (OCI state JSON on stdin)\n"
	      "       tend-net up -c FILE --pid PID --name NAME\n"
	      "       tend-net down [-c FILE] --name NAME\n"
	      "The host side of a container's network: veth, bridge, NAT and published\n"
	      "ports, from the [network] section of the host's copy of the container's INI.\n"
	      "  -c, --config FILE  the INI: a regular file, root's, outside the rootfs\n"
	      "      --pid PID      a process in the container's network namespace\n"
	      "      --name NAME    the container's name (hook mode: its id)\n"
	      "  -v, --verbose      more logging\n"
	      "  -h, --help         this text\n"
	      "      --version      the version\n",
	      f);
}

static int usage(const char *msg)
{
	log_error("%s (see tend-net --help)", msg);
	return EXIT_USAGE;
}

static int parse_pid(const char *s, pid_t *ret)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v <= 0 || v > INT_MAX)
		return -EINVAL;
	*ret = (pid_t) v;
	return 0;
}

/* Returns 0 to go on, -1 to exit 0 (help, version), or an exit status. */
static int parse_args(int argc, char **argv, struct args *a)
{
	enum { OPT_PID = 256, OPT_NAME, OPT_VERSION };
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "pid", required_argument, NULL, OPT_PID },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{}
	};
	const char *pid = NULL, *verb;
	int c, nw;

	/* GNU getopt permutes: options may come before or after the words. */
	while ((c = getopt_long(argc, argv, "c:vh", opts, NULL)) >= 0) {
		switch (c) {
		case 'c': a->config = optarg; break;
		case OPT_PID: pid = optarg; break;
		case OPT_NAME: a->name = optarg; break;
		case 'v': log_setup("tend-net", LOG_LVL_DEBUG, false); break;
		case 'h': help(stdout); return -1;
		case OPT_VERSION: printf("tend-net %s\n", PACKAGE_VERSION); return -1;
		default: return EXIT_USAGE; /* getopt said why */
		}
	}
	nw = argc - optind;
	if (nw >= 1 && strcmp(argv[optind], "hook") == 0) {
		a->hook = true;
		optind++;
		nw--;
	}
	if (nw != 1)
		return usage(nw == 0 ? "expected 'up' or 'down'" : "too many arguments");
	verb = argv[optind];
	if (strcmp(verb, "up") == 0)
		a->verb = VERB_UP;
	else if (strcmp(verb, "down") == 0)
		a->verb = VERB_DOWN;
	else
		return usage("expected 'up' or 'down'");

	if (a->hook) {
		/* The hook's state JSON names the container and its PID. */
		if (pid || a->name)
			return usage("--pid and --name do not go with 'hook': the OCI state gives them");
		/* Never a default inside the bundle: the container's own
		 * tend.ini is the container's to write. */
		if (!a->config) {
			log_error("hook mode needs -c FILE, the host's copy of the INI (tend-bundle writes "
				  "DIR/tend.ini): the file inside the container is the container's, never read");
			return EXIT_CONFIG;
		}
		return 0;
	}
	if (!a->name)
		return usage("--name is required");
	if (!oci_name_ok(a->name))
		return usage("--name: use 1 to 100 of A-Z a-z 0-9 _ . + -, not starting with . or -");
	if (a->verb == VERB_UP) {
		if (!a->config)
			return usage("up needs -c FILE");
		if (!pid)
			return usage("up needs --pid PID");
		if (parse_pid(pid, &a->pid) < 0)
			return usage("--pid: not a process id");
	} else if (pid) {
		return usage("--pid does not go with down");
	}
	return 0;
}


/* All of stdin, at most OCI_STATE_MAX bytes (one more is read to tell a
 * larger input), NUL-terminated. Returns 0 or an exit status. */
static int read_stdin(char **ret, size_t *ret_len)
{
	_cleanup_free_ char *data = NULL;
	size_t len = 0, cap = 0;

	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *nd;

			if (cap > OCI_STATE_MAX)
				return log_error("OCI state on stdin is larger than %d bytes", OCI_STATE_MAX), 1;
			cap = cap ? cap * 2 : 8192;
			if (cap > OCI_STATE_MAX + 1)
				cap = OCI_STATE_MAX + 1;
			nd = realloc(data, cap + 1);
			if (!nd)
				return log_error_errno(-ENOMEM, "unable to read stdin: %m"), 1;
			data = nd;
		}
		n = read(STDIN_FILENO, data + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return log_error_errno(-errno, "unable to read the OCI state from stdin: %m"), 1;
		if (n == 0)
			break;
		len += (size_t) n;
	}
	if (len > OCI_STATE_MAX)
		return log_error("OCI state on stdin is larger than %d bytes", OCI_STATE_MAX), 1;
	if (!data && !(data = malloc(1)))
		return log_error_errno(-ENOMEM, "unable to read stdin: %m"), 1;
	data[len] = 0;
	*ret = TAKE_PTR(data);
	*ret_len = len;
	return 0;
}

/* Hook mode: the OCI state on stdin gives the container's id, its PID and
 * its bundle. Returns 0 or an exit status, having said why. */
static int read_hook_state(struct args *a)
{
	_cleanup_free_ char *data = NULL;
	struct oci_state st;
	char err[256];
	size_t len;
	int r;

	/* A terminal on stdin means a person ran "tend-net hook up" by
	 * hand: waiting for them to type JSON helps nobody. */
	if (isatty(STDIN_FILENO))
		return log_error("hook mode reads the OCI state JSON on stdin, and stdin is a terminal"), 1;
	r = read_stdin(&data, &len);
	if (r != 0)
		return r;
	if (oci_state_parse(data, len, &st, err, sizeof(err)) < 0)
		return log_error("%s", err), 1;
	a->name = TAKE_PTR(st.id);
	a->bundle = TAKE_PTR(st.bundle);
	if (a->verb == VERB_DOWN)
		return 0; /* poststop: the process is gone, only the id matters */
	if (st.pid <= 0)
		return log_error("OCI state on stdin has no valid \"pid\" (is this a createRuntime hook?)"), 1;
	a->pid = (pid_t) st.pid;
	if (!a->bundle)
		return log_error("OCI state on stdin has no \"bundle\""), 1;
	return 0;
}

/* The real path of the bundle's root filesystem, from its config.json
 * (root.path, relative to the bundle or absolute). Returns 0 or 1. */
static int bundle_rootfs(const char *bundle, char **ret)
{
	_cleanup_(json_decrefp) json_t *spec = NULL;
	_cleanup_free_ char *cfg = NULL, *text = NULL, *joined = NULL;
	const char *root;
	size_t len;
	int r;

	if (asprintf(&cfg, "%s/config.json", bundle) < 0)
		return log_error_errno(-ENOMEM, "%m"), 1;
	r = read_full_file(cfg, &text, &len);
	if (r < 0)
		return log_error_errno(r, "unable to read %s (to know the container's root filesystem): %m", cfg), 1;
	spec = json_loadb(text, len, 0, NULL);
	root = json_string_value(json_object_get(json_object_get(spec, "root"), "path"));
	if (!root || !*root)
		return log_error("%s has no root.path: cannot tell the container's root filesystem", cfg), 1;
	if (root[0] != '/' && asprintf(&joined, "%s/%s", bundle, root) < 0)
		return log_error_errno(-ENOMEM, "%m"), 1;
	*ret = realpath(joined ? joined : root, NULL);
	if (!*ret)
		return log_error_errno(-errno, "unable to resolve the root filesystem '%s' of %s: %m", root, cfg), 1;
	return 0;
}

static bool path_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (n == 1 && dir[0] == '/')
		return true;
	return strncmp(path, dir, n) == 0 && (path[n] == 0 || path[n] == '/');
}

/* Read the INI the way the contract trusts it: resolved, opened without
 * following a last symlink and without blocking (a FIFO opens at once and
 * is then refused), judged on the descriptor (what was opened is what is
 * checked and read): not inside `rootfs` (NULL: by hand, no bundle), a
 * regular file, owned by root, writable by nobody else. Returns 0 with the
 * text, or EXIT_CONFIG / 1 having said why. */
static int read_trusted(const char *path, const char *rootfs, char **ret, size_t *ret_len)
{
	_cleanup_free_ char *real = NULL, *text = NULL;
	_cleanup_close_ int fd = -1;
	char opened[PATH_MAX], proc[64];
	size_t len = 0;
	struct stat st;
	ssize_t n;

	real = realpath(path, NULL);
	if (!real)
		return log_error_errno(-errno, "%s: %m", path), EXIT_CONFIG;
	fd = open(real, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return log_error_errno(-errno, "%s: %m", path), EXIT_CONFIG;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	n = readlink(proc, opened, sizeof(opened) - 1);
	if (n < 0 || (size_t) n >= sizeof(opened) - 1)
		return log_error_errno(n < 0 ? -errno : -ENAMETOOLONG, "%s: unable to tell where it is: %m", path), 1;
	opened[n] = 0;
	if (rootfs && path_under(opened, rootfs))
		return log_error("%s: inside the container's root filesystem (%s is in %s): a hook reads only "
				 "the host's copy of the INI (tend-bundle writes DIR/tend.ini)",
				 path, opened, rootfs), EXIT_CONFIG;
	if (fstat(fd, &st) < 0)
		return log_error_errno(-errno, "%s: %m", path), 1;
	if (!S_ISREG(st.st_mode))
		return log_error("%s: not a regular file", path), EXIT_CONFIG;
	if (st.st_uid != 0)
		return log_error("%s: not owned by root (uid %u): tend-net reads only a file that root alone can write",
				 path, (unsigned) st.st_uid), EXIT_CONFIG;
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return log_error("%s: writable by group or others (mode %04o): tend-net reads only a file that "
				 "root alone can write", path, (unsigned) (st.st_mode & 07777)), EXIT_CONFIG;
	if (st.st_size > CONF_MAX)
		return log_error("%s: file too large (at most 1 MiB)", path), EXIT_CONFIG;
	text = malloc((size_t) st.st_size + 2);
	if (!text)
		return log_error_errno(-ENOMEM, "%m"), 1;
	/* The size is known; one byte more tells a file that grew meanwhile. */
	while (len < (size_t) st.st_size + 1) {
		n = read(fd, text + len, (size_t) st.st_size + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return log_error_errno(-errno, "%s: %m", path), EXIT_CONFIG;
		if (n == 0)
			break;
		len += (size_t) n;
	}
	if (len > (size_t) st.st_size)
		return log_error("%s: changed while it was read", path), 1;
	text[len] = 0;
	*ret = TAKE_PTR(text);
	*ret_len = len;
	return 0;
}

/* Load [network] of the INI; the other sections are tend's (their ${VAR}
 * are the container's to set). Returns 0 or an exit status. */
static int load_conf(const char *path, const char *rootfs, struct conf **ret)
{
	_cleanup_free_ char *text = NULL;
	struct conf_diag d = { 0 };
	size_t len;
	int r;

	r = read_trusted(path, rootfs, &text, &len);
	if (r != 0)
		return r;
	r = conf_load_network(path, text, len, ret, &d);
	for (size_t i = 0; i < d.n; i++)
		fprintf(stderr, "%s\n", d.lines[i]);
	if (r < 0 && d.n == 0)
		log_error_errno(r, "%s: %m", path);
	conf_diag_clear(&d);
	return r < 0 ? EXIT_CONFIG : 0;
}

/* "tn" and 12 hex digits of a 64-bit FNV-1a hash of the name: fits the
 * kernel's 15 characters, and the same name always gives the same link,
 * so that down (and a second up) find it again. */
static void derive_host_name(const char *name, char ret[HOST_IFNAMSIZ])
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (const unsigned char *p = (const unsigned char *) name; *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ULL;
	}
	snprintf(ret, HOST_IFNAMSIZ, "tn%012llx", (unsigned long long) (h & 0xffffffffffffULL));
}

static void to_host_addr(const struct conf_addr *c, struct host_addr *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->family = c->family;
	memcpy(ret->bytes, c->addr, sizeof(ret->bytes));
	ret->prefix = c->prefix;
}

/* conf/ checked the names already (FILE:LINE at the key); checked here
 * again because they become link names and nft rule text. */
static bool ifname_ok(const char *s)
{
	return conf_valid_ifname(s);
}

/* Turn [network] into a plan, reporting what tend-net cannot work with as
 * configuration errors (FILE:LINE). Returns 0 or an exit status. */
static int make_plan(const struct conf *c, const char *path, const char *name, struct plan *p)
{
	const struct conf_network *n = &c->net;
	struct conf_diag d = { 0 };

	memset(p, 0, sizeof(*p));
	p->conf_path = path;
	snprintf(p->tag, sizeof(p->tag), TAG_PREFIX "%s", name);

	if (!n->present) {
		fprintf(stderr, "%s: no [network] section: tend-net has nothing to set up\n", path);
		return EXIT_CONFIG;
	}
	if (!n->interface)
		conf_diag_add(&d, path, n->line,
			      "[network] has no 'interface': tend-net needs the name of the container's end");
	else if (!ifname_ok(n->interface))
		conf_diag_add(&d, path, n->line, "[network] interface '%s' is not a valid link name",
			      n->interface);
	p->peer = n->interface;
	/* Named as tend will rename it: the container end is set up here,
	 * before the container runs, and a rename inside would take it down
	 * and up again under the first requests (tend finds it renamed). */
	if (n->rename) {
		if (!ifname_ok(n->rename))
			conf_diag_add(&d, path, n->line, "[network] rename '%s' is not a valid link name", n->rename);
		else
			p->peer = n->rename;
	}

	if (n->host_interface) {
		if (!ifname_ok(n->host_interface))
			conf_diag_add(&d, path, n->line, "[network] host_interface '%s' is not a valid link name",
				      n->host_interface);
		else
			snprintf(p->host, sizeof(p->host), "%s", n->host_interface);
	} else {
		derive_host_name(name, p->host);
	}
	if (n->bridge) {
		if (!ifname_ok(n->bridge))
			conf_diag_add(&d, path, n->line, "[network] bridge '%s' is not a valid link name", n->bridge);
		else if (n->host_interface && strcmp(n->bridge, n->host_interface) == 0)
			conf_diag_add(&d, path, n->line, "[network] bridge and host_interface are the same name");
		p->bridge = n->bridge;
	}
	if (n->has_host_address)
		to_host_addr(&n->host_address, &p->host_address[p->n_host_address++]);
	if (n->has_host_address2)
		to_host_addr(&n->host_address2, &p->host_address[p->n_host_address++]);

	for (size_t i = 0; i < n->n_address; i++) {
		const struct conf_addr *a = &n->address[i];
		struct nft_addr *ca = a->family == AF_INET ? &p->container4 : &p->container6;
		unsigned max = a->family == AF_INET ? 32 : 128;
		struct nft_subnet *s;

		if (p->n_caddr < ELEMENTSOF(p->caddr))
			to_host_addr(a, &p->caddr[p->n_caddr++]);
		if (!ca->family) {
			ca->family = a->family;
			memcpy(ca->a, a->addr, sizeof(ca->a));
		}
		if (p->n_subnets >= ELEMENTSOF(p->subnets))
			continue;
		s = &p->subnets[p->n_subnets++];
		s->family = a->family;
		s->prefix = a->prefix > max ? max : a->prefix;
		memcpy(s->net, a->addr, sizeof(s->net));
		for (unsigned b = s->prefix; b < max; b++)
			s->net[b / 8] &= (unsigned char) ~(0x80 >> (b % 8));
	}
	p->nat = n->nat;
	if (n->nat && p->n_subnets == 0)
		conf_diag_add(&d, path, n->line, "[network] nat = yes needs an 'address': its subnet is what gets masqueraded");
	if (n->n_publish > 0) {
		p->publish = calloc(n->n_publish, sizeof(*p->publish));
		if (!p->publish) {
			conf_diag_clear(&d);
			return log_error_errno(-ENOMEM, "%m"), 1;
		}
		for (size_t i = 0; i < n->n_publish; i++) {
			const struct conf_publish *cp = &n->publish[i];
			struct nft_publish *pp = &p->publish[i];
			char t[INET6_ADDRSTRLEN] = "";

			pp->host_port = cp->host_port;
			pp->container_port = cp->container_port;
			pp->proto = cp->proto;
			if (cp->has_host_ip) {
				pp->host_ip.family = cp->host_ip.family;
				memcpy(pp->host_ip.a, cp->host_ip.addr, sizeof(pp->host_ip.a));
				inet_ntop(cp->host_ip.family, cp->host_ip.addr, t, sizeof(t));
			}
			if (cp->has_host_ip && cp->host_ip.family == AF_INET6 &&
			    IN6_IS_ADDR_LOOPBACK((const struct in6_addr *) cp->host_ip.addr))
				/* No route_localnet for IPv6: ::1 never leaves lo,
				 * DNATed or not. */
				conf_diag_add(&d, path, n->line,
					      "[network] publish on [::1] cannot work: the kernel never forwards IPv6 "
					      "loopback traffic; publish on 127.0.0.1 or on an IPv6 address of the host");
			else if (!p->container4.family && !p->container6.family)
				conf_diag_add(&d, path, n->line, "[network] publish needs an 'address' to forward to");
			else if (cp->has_host_ip && (cp->host_ip.family == AF_INET ? !p->container4.family
										: !p->container6.family))
				conf_diag_add(&d, path, n->line,
					      "[network] publish on %s needs an %s 'address' to forward to", t,
					      cp->host_ip.family == AF_INET ? "IPv4" : "IPv6");
			for (size_t j = 0; j < i; j++) {
				const struct nft_publish *o = &p->publish[j];

				if (o->host_port != pp->host_port || o->proto != pp->proto)
					continue;
				if (o->host_ip.family && pp->host_ip.family &&
				    (o->host_ip.family != pp->host_ip.family ||
				     memcmp(o->host_ip.a, pp->host_ip.a, sizeof(o->host_ip.a)) != 0))
					continue; /* two different addresses */
				conf_diag_add(&d, path, n->line, "[network] host port %u/%s is published twice",
					      pp->host_port, pp->proto == IPPROTO_UDP ? "udp" : "tcp");
			}
		}
		p->n_publish = n->n_publish;
	}

	if (d.n > 0) {
		for (size_t i = 0; i < d.n; i++)
			fprintf(stderr, "%s\n", d.lines[i]);
		conf_diag_clear(&d);
		return EXIT_CONFIG;
	}
	return 0;
}

static int state_path(const char *name, char *buf, size_t len)
{
	if ((size_t) snprintf(buf, len, RUN_DIR "/%s", name) >= len)
		return -ENAMETOOLONG;
	return 0;
}

/* 0 and *ret filled, -ENOENT when there is no record. */
static int state_read(const char *name, struct state *ret)
{
	_cleanup_free_ char *data = NULL;
	char path[PATH_MAX], *line, *save = NULL;
	struct state s = { 0 };
	int r;

	r = state_path(name, path, sizeof(path));
	if (r < 0)
		return r;
	r = read_full_file(path, &data, NULL);
	if (r < 0)
		return r;
	for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *v = strchr(line, '=');

		if (line[0] == '#' || !v)
			continue;
		*v++ = 0;
		if (strcmp(line, "host") == 0)
			snprintf(s.host, sizeof(s.host), "%s", v);
		else if (strcmp(line, "bridge") == 0)
			snprintf(s.bridge, sizeof(s.bridge), "%s", v);
		else if (strcmp(line, "rules") == 0)
			snprintf(s.rules, sizeof(s.rules), "%s", v);
	}
	*ret = s;
	return 0;
}

static int state_write(const char *name, const struct state *s)
{
	char path[PATH_MAX], text[512];
	int n, r;

	r = state_path(name, path, sizeof(path));
	if (r < 0)
		return r;
	n = snprintf(text, sizeof(text),
		     "# tend-net: what 'tend-net up' made for %s; 'tend-net down' reads it\n"
		     "host=%s\nbridge=%s\nrules=%s\n",
		     name, s->host, s->bridge, s->rules);
	/* Atomic: a reader never sees half a record. */
	return write_file_atomic(path, text, (size_t) n, 0644);
}

static int state_remove(const char *name)
{
	char path[PATH_MAX];
	int r;

	r = state_path(name, path, sizeof(path));
	if (r < 0)
		return r;
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

/* Serialise every tend-net on this host. The fd is kept (close releases). */
static int take_lock(int *ret_fd)
{
	int fd;

	if (mkdir(RUN_DIR, 0755) < 0 && errno != EEXIST)
		return log_error_errno(-errno, "unable to create " RUN_DIR ": %m");
	fd = open(LOCK_PATH, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0)
		return log_error_errno(-errno, "unable to open " LOCK_PATH ": %m");
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			int r = -errno;
			safe_close(fd);
			return log_error_errno(r, "unable to lock " LOCK_PATH ": %m");
		}
	}
	*ret_fd = fd;
	return 0;
}

static void rules_hash(const char *script, char ret[17])
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (const unsigned char *p = (const unsigned char *) script; *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ULL;
	}
	snprintf(ret, 17, "%016llx", (unsigned long long) h);
}

/* The container's network namespace, checked to be another one than ours
 * (a by-hand --pid of a host process would otherwise have `interface`
 * created in the host's own namespace). */
static int open_netns(pid_t pid, int *ret_fd)
{
	_cleanup_close_ int fd = -1;
	struct stat st, self;
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int) pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ESRCH)
			return log_error("process %d does not exist (the container's PID is gone)", (int) pid), -ESRCH;
		return log_error_errno(-errno, "unable to open %s: %m", path);
	}
	if (fstat(fd, &st) < 0)
		return log_error_errno(-errno, "unable to stat %s: %m", path);
	if (stat("/proc/self/ns/net", &self) < 0)
		return log_error_errno(-errno, "unable to stat /proc/self/ns/net: %m");
	if (st.st_dev == self.st_dev && st.st_ino == self.st_ino)
		return log_error("process %d is in tend-net's own network namespace, not a container's", (int) pid),
		       -EINVAL;
	*ret_fd = TAKE_FD(fd);
	return 0;
}

/* Whether the link `l` (named `name`) is this container's host end: it
 * carries our mark, or it is the unmarked link our record names (an up
 * that died between creating the link and marking it). */
static bool link_is_ours(const struct host_link *l, const char *name, const struct plan *p,
			 const struct state *st)
{
	if (strcmp(l->alias, p->tag) == 0)
		return true;
	return l->alias[0] == 0 && st && strcmp(st->host, name) == 0;
}

/* What this call of up made, to undo on failure. */
struct made {
	int bridge;   /* ifindex of a bridge we created, 0 none */
	int veth;     /* ifindex of a veth we created, 0 none */
	bool state;   /* the record was written by this call (none before) */
	bool forward; /* ip_forward switched on by this call */
	bool forward6;
};

static void undo(struct host *h, const char *name, const struct made *m)
{
	int r;

	/* Reverse order of making. Each step is tried even when one fails. */
	if (m->forward) {
		r = host_sysctl_set("/proc/sys/net/ipv4/ip_forward", "0", NULL, 0);
		if (r < 0)
			log_warn_errno(r, "unable to switch ip_forward back off: %m");
	}
	if (m->forward6) {
		r = host_sysctl_set("/proc/sys/net/ipv6/conf/all/forwarding", "0", NULL, 0);
		if (r < 0)
			log_warn_errno(r, "unable to switch IPv6 forwarding back off: %m");
	}
	if (m->veth) {
		r = host_link_delete(h, m->veth);
		if (r < 0 && r != -ENODEV)
			log_warn_errno(r, "unable to delete the veth just made: %m");
	}
	if (m->bridge) {
		r = host_link_delete(h, m->bridge);
		if (r < 0 && r != -ENODEV)
			log_warn_errno(r, "unable to delete the bridge just made: %m");
	}
	if (m->state) {
		r = state_remove(name);
		if (r < 0)
			log_warn_errno(r, "unable to remove " RUN_DIR "/%s: %m", name);
	}
}

/* nftables' own message when it gave one, else the errno's. */
static int log_nft(int r, const char *msg, const char *what)
{
	if (msg)
		return log_error_errno(r, "%s: %s", what, msg);
	return log_error_errno(r, "%s: %m", what);
}

static const char *fmt_addr(const struct host_addr *a, char *buf, size_t len)
{
	char t[INET6_ADDRSTRLEN];

	if (!inet_ntop(a->family, a->bytes, t, sizeof(t)))
		snprintf(t, sizeof(t), "?");
	snprintf(buf, len, "%s/%u", t, a->prefix);
	return buf;
}

/* The first request to a published port must not wait (tend-net(8)).
 * Left to tend, the container end gets its address only once the
 * container runs: a host SYN sent before finds no one to answer its ARP
 * and waits for TCP's retransmission, a second later; and when the
 * container restarts with the same address, the host keeps using the old
 * container's MAC for up to a minute. So here, before the container runs:
 * the end inside gets the addresses of [network] (IPv6 without duplicate
 * address detection), arp_notify and is brought up (tend finds it so and
 * goes on: the same addresses again are no change), and the host learns
 * its MAC for each address on `facing` at once, replacing what it knew. */
static int peer_setup(struct host *h, int nsfd, const struct plan *p, const char *facing)
{
	_cleanup_host_ struct host *ch = NULL;
	struct host_link l, f;
	char a1[64];
	int r;

	r = host_open_netns(nsfd, &ch);
	if (r == -ENOTRECOVERABLE) {
		log_error_errno(r, "unable to return to tend-net's own network namespace: %m");
		_exit(1);
	}
	if (r < 0)
		return log_error_errno(r, "unable to open a netlink socket in the container: %m");
	r = host_link_get(ch, p->peer, &l);
	if (r < 0)
		return log_error_errno(r, "unable to find '%s' in the container: %m", p->peer);
	r = host_link_set_arp_notify(ch, l.ifindex);
	if (r < 0)
		return log_error_errno(r, "unable to set arp_notify on '%s' in the container: %m", p->peer);
	for (size_t i = 0; i < p->n_caddr; i++) {
		r = host_addr_add(ch, l.ifindex, &p->caddr[i]);
		if (r < 0)
			return log_error_errno(r, "unable to put %s on '%s' in the container: %m",
					       fmt_addr(&p->caddr[i], a1, sizeof(a1)), p->peer);
	}
	r = host_link_set_up(ch, l.ifindex);
	if (r < 0)
		return log_error_errno(r, "unable to bring '%s' up in the container: %m", p->peer);
	r = host_link_get(h, facing, &f);
	if (r < 0)
		return log_error_errno(r, "unable to look up '%s': %m", facing);
	for (size_t i = 0; i < p->n_caddr; i++) {
		r = host_neigh_set(h, f.ifindex, &p->caddr[i], l.mac);
		if (r < 0)
			return log_error_errno(r, "unable to tell '%s' the MAC of %s: %m", facing,
					       fmt_addr(&p->caddr[i], a1, sizeof(a1)));
	}
	return 0;
}

/* Everything up checks before making anything. Returns 0 or 1 (said why). */
static int up_checks(struct host *h, const struct plan *p, const struct state *old, struct host_link *br,
		     bool *br_exists, struct host_link *hl, bool *hl_exists)
{
	int skip[2];
	size_t n_skip = 0;
	char what[128], a1[64];
	int r;

	if (p->bridge) {
		r = host_link_get(h, p->bridge, br);
		if (r >= 0) {
			if (strcmp(br->kind, "bridge") != 0)
				return log_error("'%s' exists and is not a bridge (it is a%s%s link): "
						 "choose another [network] bridge",
						 p->bridge, br->kind[0] ? " " : "n ", br->kind[0] ? br->kind : "unknown"), 1;
			*br_exists = true;
			skip[n_skip++] = br->ifindex;
		} else if (r != -ENODEV) {
			return log_error_errno(r, "unable to look up link '%s': %m", p->bridge), 1;
		}
	}

	r = host_link_get(h, p->host, hl);
	if (r >= 0) {
		if (!link_is_ours(hl, p->host, p, old))
			return log_error("link '%s' already exists and was not made by tend-net for '%s': "
					 "set another [network] host_interface", p->host, p->tag + strlen(TAG_PREFIX)), 1;
		if (strcmp(hl->kind, "veth") != 0)
			return log_error("link '%s' is not a veth", p->host), 1;
		*hl_exists = true;
		skip[n_skip++] = hl->ifindex;
	} else if (r != -ENODEV) {
		return log_error_errno(r, "unable to look up link '%s': %m", p->host), 1;
	}

	/* An address in the same network on another link would make the
	 * routes ambiguous: refuse rather than break the host's network. */
	for (size_t i = 0; i < p->n_host_address; i++) {
		r = host_addr_clash(h, &p->host_address[i], skip, n_skip, what, sizeof(what));
		if (r < 0)
			return log_error_errno(r, "unable to list the host's addresses: %m"), 1;
		if (r > 0)
			return log_error("host_address %s clashes with %s",
					 fmt_addr(&p->host_address[i], a1, sizeof(a1)), what), 1;
	}
	for (size_t i = 0; i < p->n_subnets; i++) {
		struct host_addr s = { .family = p->subnets[i].family, .prefix = p->subnets[i].prefix };

		memcpy(s.bytes, p->subnets[i].net, sizeof(s.bytes));
		r = host_addr_clash(h, &s, skip, n_skip, what, sizeof(what));
		if (r < 0)
			return log_error_errno(r, "unable to list the host's addresses: %m"), 1;
		if (r > 0)
			return log_error("the container's subnet %s clashes with %s",
					 fmt_addr(&s, a1, sizeof(a1)), what), 1;
	}

	for (size_t i = 0; i < p->n_publish; i++) {
		_cleanup_free_ char *msg = NULL;
		const struct nft_publish *pp = &p->publish[i];
		const char *pr = pp->proto == IPPROTO_UDP ? "udp" : "tcp";
		struct host_addr ip = { .family = pp->host_ip.family };
		char on[INET6_ADDRSTRLEN + 8] = "", t[INET6_ADDRSTRLEN];

		if (ip.family) {
			memcpy(ip.bytes, pp->host_ip.a, sizeof(ip.bytes));
			inet_ntop(ip.family, ip.bytes, t, sizeof(t));
			snprintf(on, sizeof(on), ip.family == AF_INET6 ? " on [%s]" : " on %s", t);
		}
		/* A DNAT of a port the host serves would take its traffic, the
		 * host's own connections to it included (ssh on 22). With
		 * HOST_IP, only a socket on that address or a wildcard does. */
		r = host_port_in_use(pp->host_port, pp->proto, ip.family ? &ip : NULL, what, sizeof(what));
		if (r < 0)
			return log_error_errno(r, "unable to list the host's sockets: %m"), 1;
		if (r > 0)
			return log_error("host port %u/%s%s is in use on the host (a socket listens on %s): "
					 "choose another [network] publish", pp->host_port, pr, on, what), 1;
		r = nft_port_taken(p->tag, pp, what, sizeof(what), &msg);
		if (r < 0)
			return log_nft(r, msg, "unable to list the host's nftables tables"), 1;
		if (r > 0)
			return log_error("host port %u/%s%s is already published by '%s'", pp->host_port, pr, on,
					 what), 1;
	}
	return 0;
}

static int do_up(const char *name, pid_t pid, const struct plan *p)
{
	_cleanup_close_ int nsfd = -1;
	_cleanup_host_ struct host *h = NULL;
	_cleanup_free_ char *script = NULL, *msg = NULL;
	struct state st = { 0 }, old = { 0 };
	struct host_link br = { 0 }, hl = { 0 };
	bool have_old, br_exists = false, hl_exists = false, br_ours = false;
	struct made m = { 0 };
	const char *facing;
	char hash[17], path[PATH_MAX];
	size_t n_rules = 0, n_have = 0;
	int r;

	if (open_netns(pid, &nsfd) < 0)
		return 1;
	r = host_open(&h);
	if (r < 0)
		return log_error_errno(r, "unable to open a netlink socket: %m"), 1;
	have_old = state_read(name, &old) >= 0;

	if (up_checks(h, p, have_old ? &old : NULL, &br, &br_exists, &hl, &hl_exists))
		return 1;
	br_ours = br_exists && strcmp(br.alias, BRIDGE_ALIAS) == 0;
	facing = p->bridge ? p->bridge : p->host;

	{
		struct nft_spec spec = {
			.tag = p->tag, .ifname = facing, .nat = p->nat,
			.subnets = p->subnets, .n_subnets = p->n_subnets,
			.container4 = p->container4, .container6 = p->container6,
			.publish = p->publish, .n_publish = p->n_publish,
		};
		/* A host whose iptables FORWARD chain is there (Docker's,
		 * policy drop): our accepts go into it (see nft.c). */
		r = nft_forward_chains(&spec.forward4, &spec.forward6, &msg);
		if (r < 0)
			return log_nft(r, msg, "unable to list the host's nftables tables"), 1;
		r = nft_script(&spec, &script, &n_rules);
		if (r < 0)
			return log_error_errno(r, "unable to build the rules: %m"), 1;
	}
	rules_hash(script, hash);

	/* The record comes first: if we die half-way, down finds it. */
	snprintf(st.host, sizeof(st.host), "%s", p->host);
	snprintf(st.bridge, sizeof(st.bridge), "%s", p->bridge ? p->bridge : "");
	snprintf(st.rules, sizeof(st.rules), "%s", have_old ? old.rules : "");
	r = state_write(name, &st);
	if (r < 0)
		return log_error_errno(r, "unable to write " RUN_DIR "/%s: %m", name), 1;
	m.state = !have_old;

	if (p->bridge && !br_exists) {
		r = host_bridge_create(h, p->bridge);
		if (r < 0) {
			log_error_errno(r, "unable to create bridge '%s': %m", p->bridge);
			goto fail;
		}
		m.bridge = br.ifindex = r;
		r = host_link_set_alias(h, br.ifindex, BRIDGE_ALIAS);
		if (r < 0) {
			log_error_errno(r, "unable to mark bridge '%s' as tend-net's: %m", p->bridge);
			goto fail;
		}
		br_ours = true;
	}
	/* A bridge someone else made is used as it is: its addresses and its
	 * state are theirs. */
	if (br_ours) {
		for (size_t i = 0; i < p->n_host_address; i++) {
			r = host_addr_add(h, br.ifindex, &p->host_address[i]);
			if (r < 0) {
				log_error_errno(r, "unable to put host_address on bridge '%s': %m", p->bridge);
				goto fail;
			}
		}
		r = host_link_set_up(h, br.ifindex);
		if (r < 0) {
			log_error_errno(r, "unable to bring bridge '%s' up: %m", p->bridge);
			goto fail;
		}
	}

	if (!hl_exists) {
		r = host_veth_create(h, p->host, p->peer, nsfd);
		if (r == -EEXIST) {
			log_error("unable to create veth '%s': a link named '%s' already exists in the "
				  "container's network namespace, or '%s' on the host", p->host, p->peer, p->host);
			goto fail;
		}
		if (r < 0) {
			log_error_errno(r, "unable to create veth '%s' (peer '%s' in the container): %m",
					p->host, p->peer);
			goto fail;
		}
		m.veth = hl.ifindex = r;
		r = host_link_set_alias(h, hl.ifindex, p->tag);
		if (r < 0) {
			log_error_errno(r, "unable to mark link '%s' as tend-net's: %m", p->host);
			goto fail;
		}
	}
	if (p->bridge) {
		r = host_link_set_master(h, hl.ifindex, br.ifindex);
		if (r < 0) {
			log_error_errno(r, "unable to attach '%s' to bridge '%s': %m", p->host, p->bridge);
			goto fail;
		}
	} else {
		for (size_t i = 0; i < p->n_host_address; i++) {
			r = host_addr_add(h, hl.ifindex, &p->host_address[i]);
			if (r < 0) {
				log_error_errno(r, "unable to put host_address on '%s': %m", p->host);
				goto fail;
			}
		}
	}
	r = host_link_set_up(h, hl.ifindex);
	if (r < 0) {
		log_error_errno(r, "unable to bring '%s' up: %m", p->host);
		goto fail;
	}
	if (peer_setup(h, nsfd, p, facing) < 0)
		goto fail;

	/* Host-wide switches: turned on, never back off by down (other
	 * containers, or the admin, may rely on them by then). */
	if ((p->nat || p->n_publish > 0) && p->container4.family) {
		r = host_sysctl_set("/proc/sys/net/ipv4/ip_forward", "1", NULL, 0);
		if (r < 0) {
			log_error_errno(r, "unable to turn on net.ipv4.ip_forward: %m");
			goto fail;
		}
		m.forward = r > 0;
	}
	/* IPv6 forwarding is one switch for the whole host; note that a
	 * link that takes its address from router advertisements stops
	 * listening to them unless its accept_ra is 2 (tend-net(8)). */
	if ((p->nat || p->n_publish > 0) && p->container6.family) {
		r = host_sysctl_set("/proc/sys/net/ipv6/conf/all/forwarding", "1", NULL, 0);
		if (r < 0) {
			log_error_errno(r, "unable to turn on net.ipv6.conf.all.forwarding: %m");
			goto fail;
		}
		m.forward6 = r > 0;
	}
	if (p->n_publish > 0) {
		snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/route_localnet", facing);
		r = host_sysctl_set(path, "1", NULL, 0);
		if (r < 0) {
			log_error_errno(r, "unable to turn on route_localnet on '%s' (for 127.0.0.1): %m", facing);
			goto fail;
		}
	}

	/* The rules, last: one transaction, so on failure nothing of it is
	 * there. Skipped when exactly these rules are in place already. */
	r = nft_count(p->tag, &n_have, &msg);
	if (r < 0) {
		log_nft(r, msg, "unable to list the host's nftables tables");
		goto fail;
	}
	if (strcmp(old.rules, hash) != 0 || n_have != n_rules) {
		r = nft_replace(p->tag, script, &msg);
		if (r < 0) {
			log_nft(r, msg, "unable to apply the nftables rules");
			goto fail;
		}
	}
	/* The first request: the path to the container is there only once
	 * the kernel has seen the carrier of the links just brought up (a
	 * fresh bridge, or a port not yet forwarding, drops what is sent
	 * before: TCP's SYN waits a second to try again). Returning once it
	 * is, the container starts with its path open. */
	r = host_link_wait_running(h, hl.ifindex, 2000);
	if (r >= 0 && p->bridge)
		r = host_link_wait_running(h, br.ifindex, 2000);
	if (r < 0)
		log_warn_errno(r, "'%s' is not running yet (%m): the first packets to the container may wait",
			       facing);
	snprintf(st.rules, sizeof(st.rules), "%s", hash);
	r = state_write(name, &st);
	if (r < 0)
		/* Everything is in place; only the idempotence shortcut is lost. */
		log_warn_errno(r, "unable to update " RUN_DIR "/%s: %m", name);
	log_debug("up: %s on %s%s%s, %zu rules", p->host, p->peer, p->bridge ? ", bridge " : "",
		  p->bridge ? p->bridge : "", n_rules);
	return 0;

fail:
	undo(h, name, &m);
	return 1;
}

static int do_down(const char *name)
{
	_cleanup_host_ struct host *h = NULL;
	_cleanup_free_ struct host_link *links = NULL;
	_cleanup_free_ char *msg = NULL;
	char tag[sizeof(TAG_PREFIX) + NAME_MAX_LEN];
	int masters[8];
	size_t n_links = 0, n_masters = 0;
	struct state st = { 0 };
	struct host_link l;
	bool have_st;
	int r, ret = 0;

	snprintf(tag, sizeof(tag), TAG_PREFIX "%s", name);
	have_st = state_read(name, &st) >= 0;
	r = host_open(&h);
	if (r < 0)
		return log_error_errno(r, "unable to open a netlink socket: %m"), 1;

	/* The host end(s): everything marked for this container, and the
	 * unmarked link our record names (an up that died before marking). */
	r = host_links_with_alias(h, tag, &links, &n_links);
	if (r < 0)
		return log_error_errno(r, "unable to list links: %m"), 1;
	if (have_st && st.host[0] && host_link_get(h, st.host, &l) >= 0 && l.alias[0] == 0 &&
	    strcmp(l.kind, "veth") == 0) {
		struct host_link *nl = realloc(links, (n_links + 1) * sizeof(*links));
		if (!nl)
			return log_error_errno(-ENOMEM, "%m"), 1;
		links = nl;
		links[n_links++] = l;
	}
	for (size_t i = 0; i < n_links; i++) {
		if (links[i].master > 0 && n_masters < ELEMENTSOF(masters))
			masters[n_masters++] = links[i].master;
		/* Deleting our end deletes the peer, wherever it is. */
		r = host_link_delete(h, links[i].ifindex);
		if (r < 0 && r != -ENODEV)
			ret = log_error_errno(r, "unable to delete link %d: %m", links[i].ifindex);
	}

	r = nft_replace(tag, "", &msg);
	if (r < 0)
		ret = log_nft(r, msg, "unable to remove the nftables rules");

	/* The bridge, when tend-net made it and no port is left on it. */
	if (have_st && st.bridge[0] && host_link_get(h, st.bridge, &l) >= 0 && n_masters < ELEMENTSOF(masters))
		masters[n_masters++] = l.ifindex;
	for (size_t i = 0; i < n_masters; i++) {
		unsigned ports;

		if (host_link_get_index(h, masters[i], &l) < 0)
			continue;
		if (strcmp(l.kind, "bridge") != 0 || strcmp(l.alias, BRIDGE_ALIAS) != 0)
			continue;
		r = host_link_count_ports(h, l.ifindex, &ports);
		if (r < 0) {
			ret = log_error_errno(r, "unable to list links: %m");
			continue;
		}
		if (ports > 0)
			continue;
		r = host_link_delete(h, l.ifindex);
		if (r < 0 && r != -ENODEV)
			ret = log_error_errno(r, "unable to delete bridge %d: %m", l.ifindex);
	}

	if (ret < 0)
		return 1; /* the record stays: a second down tries again */
	r = state_remove(name);
	if (r < 0)
		return log_error_errno(r, "unable to remove " RUN_DIR "/%s: %m", name), 1;
	return 0;
}

int main(int argc, char **argv)
{
	_cleanup_conf_free_ struct conf *conf = NULL;
	_cleanup_close_ int lock = -1;
	struct args a = { 0 };
	struct plan p = { 0 };
	int r;

	log_setup("tend-net", LOG_LVL_INFO, false);
	r = parse_args(argc, argv, &a);
	if (r != 0)
		return r < 0 ? 0 : r;
	if (a.hook) {
		r = read_hook_state(&a);
		if (r != 0)
			goto out;
	}

	if (a.verb == VERB_UP) {
		_cleanup_free_ char *rootfs = NULL;

		/* All reading and checking before the lock and before anything
		 * is made: a bad file leaves nothing behind. */
		if (a.hook && bundle_rootfs(a.bundle, &rootfs) != 0) {
			r = 1;
			goto out;
		}
		r = load_conf(a.config, rootfs, &conf);
		if (r != 0)
			goto out;
		r = make_plan(conf, a.config, a.name, &p);
		if (r != 0)
			goto out;
	}

	if (take_lock(&lock) < 0) {
		r = 1;
		goto out;
	}
	r = a.verb == VERB_UP ? do_up(a.name, a.pid, &p) : do_down(a.name);
out:
	free(p.publish);
	if (a.hook)
		free(a.name);
	free(a.bundle);
	return r;
}
