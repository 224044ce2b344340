/* resolve.c: see resolve.h.
 *
 * One c-ares channel for the whole of tend, made by resolve_init() before
 * any service runs. It is told every setting (lookups "b": DNS only, no
 * search domains, ndots, timeout, tries, servers) so that c-ares reads no
 * file of the container's: not /etc/hosts, not /etc/resolv.conf (c-ares
 * 1.18 fopen()s them, which waits forever on a FIFO a service made). tend
 * reads both itself, O_NONBLOCK and only when they are regular files, and
 * gives c-ares the name servers before each lookup started while none is
 * in flight (c-ares refuses new servers while it is busy: a lookup then
 * uses the servers read at most one lookup earlier).
 *
 * c-ares tells us through its socket-state callback which sockets it
 * wants watched: each gets an ev_io; one ev_timer follows ares_timeout().
 * With nothing in flight c-ares closes its sockets and the timer stops:
 * idle stays idle. */
#include "config.h"

#include <arpa/inet.h>
#include <ares.h>
#include <ctype.h>
#include <fcntl.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "common/log.h"
#include "common/util.h"
#include "supervisor/resolve.h"

#define HOSTS_PATH "/etc/hosts"
#define RESOLV_PATH "/etc/resolv.conf"
/* Larger files are read this far: a hosts file of a container is small,
 * and a service must not make tend read without end. */
#define FILE_MAX (256 * 1024)
#define SERVERS_MAX 3          /* as glibc's MAXNS */
#define DNS_TIMEOUT_MS 1000    /* per try; the probe's own timeout still ends it */
#define DNS_TRIES 2

struct resolve {
	resolve_done_fn done; /* NULL: cancelled, freed when c-ares answers */
	void *userdata;
	uint16_t port;
};

struct sock_w {
	ev_io io;
	struct sock_w *next;
};

static struct ev_loop *loop;
static ares_channel channel;
static bool have_channel;
static struct sock_w *socks;
static ev_timer timer;
static unsigned in_flight;

/* ---- files of the container ------------------------------------------ */

/* The file at path, NUL-terminated, at most FILE_MAX bytes; only a regular
 * file, opened without waiting (a FIFO opened O_NONBLOCK returns at once
 * and is refused). */
static int read_small(const char *path, char **ret)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		safe_close(fd);
		return -EBADFD;
	}
	char *b = malloc(FILE_MAX + 1);
	size_t n = 0;
	if (!b) {
		safe_close(fd);
		return -ENOMEM;
	}
	while (n < FILE_MAX) {
		ssize_t k = read(fd, b + n, FILE_MAX - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		n += (size_t)k;
	}
	safe_close(fd);
	b[n] = 0;
	*ret = b;
	return 0;
}

static int to_sockaddr(const char *addr, uint16_t port, struct sockaddr_storage *ret, socklen_t *ret_len)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ret;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ret;

	memset(ret, 0, sizeof(*ret));
	if (inet_pton(AF_INET, addr, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(port);
		*ret_len = sizeof(*in4);
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		*ret_len = sizeof(*in6);
		return 0;
	}
	return -EINVAL;
}

int resolve_hosts(const char *name, uint16_t port, struct sockaddr_storage *ret, socklen_t *ret_len)
{
	char *text, *save = NULL;
	int r = read_small(HOSTS_PATH, &text);
	if (r < 0)
		return r;
	r = -ENOENT;
	/* "ADDRESS NAME [ALIAS...]", '#' to the end of the line; the first
	 * line that names it wins, as with glibc. */
	for (char *line = strtok_r(text, "\n", &save); line && r == -ENOENT; line = strtok_r(NULL, "\n", &save)) {
		char *hash = strchr(line, '#'), *ws = NULL;
		if (hash)
			*hash = 0;
		char *addr = strtok_r(line, " \t\r", &ws);
		if (!addr)
			continue;
		for (char *n = strtok_r(NULL, " \t\r", &ws); n; n = strtok_r(NULL, " \t\r", &ws))
			if (strcasecmp(n, name) == 0) {
				if (to_sockaddr(addr, port, ret, ret_len) == 0)
					r = 0;
				break;
			}
	}
	free(text);
	return r;
}

/* The "nameserver" lines as c-ares's "ADDR:53,[ADDR6]:53"; with none,
 * 127.0.0.1 as glibc does. */
static int read_servers(char *csv, size_t len)
{
	char *text = NULL, *save = NULL;
	unsigned n = 0;
	size_t used = 0;

	csv[0] = 0;
	if (read_small(RESOLV_PATH, &text) == 0) {
		for (char *line = strtok_r(text, "\n", &save); line && n < SERVERS_MAX;
		     line = strtok_r(NULL, "\n", &save)) {
			char *ws = NULL, *k = strtok_r(line, " \t\r", &ws), *v = strtok_r(NULL, " \t\r", &ws);
			struct sockaddr_storage ss;
			socklen_t sl;
			if (!k || !v || strcmp(k, "nameserver") != 0 || to_sockaddr(v, 53, &ss, &sl) < 0)
				continue;
			int w = snprintf(csv + used, len - used, "%s%s%s%s:53", n ? "," : "",
					 ss.ss_family == AF_INET6 ? "[" : "", v, ss.ss_family == AF_INET6 ? "]" : "");
			if (w < 0 || (size_t)w >= len - used)
				break;
			used += (size_t)w;
			n++;
		}
		free(text);
	}
	if (n == 0)
		snprintf(csv, len, "127.0.0.1:53");
	return 0;
}

/* ---- c-ares on libev ------------------------------------------------- */

static void arm_timer(void)
{
	struct timeval tv, *t = ares_timeout(channel, NULL, &tv);
	ev_timer_stop(loop, &timer);
	if (!t)
		return;
	ev_timer_set(&timer, (double)t->tv_sec + (double)t->tv_usec / 1e6, 0.);
	ev_timer_start(loop, &timer);
}

static void sock_cb(struct ev_loop *l, ev_io *w, int revents)
{
	ares_socket_t fd = w->fd;
	ares_process_fd(channel, revents & EV_READ ? fd : ARES_SOCKET_BAD, revents & EV_WRITE ? fd : ARES_SOCKET_BAD);
	arm_timer();
}

static void timer_cb(struct ev_loop *l, ev_timer *w, int revents)
{
	ares_process_fd(channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	arm_timer();
}

static void sock_state_cb(void *data, ares_socket_t fd, int readable, int writable)
{
	struct sock_w **pp = &socks, *s;
	for (; (s = *pp); pp = &s->next)
		if (s->io.fd == fd)
			break;
	if (!readable && !writable) {
		if (s) {
			ev_io_stop(loop, &s->io);
			*pp = s->next;
			free(s);
		}
		return;
	}
	if (!s) {
		s = calloc(1, sizeof(*s));
		if (!s) {
			/* The lookup then times out: logged, not fatal. */
			log_error("cannot watch a name server socket: out of memory");
			return;
		}
		s->next = socks;
		socks = s;
	} else {
		ev_io_stop(loop, &s->io);
	}
	ev_io_init(&s->io, sock_cb, fd, (readable ? EV_READ : 0) | (writable ? EV_WRITE : 0));
	ev_io_start(loop, &s->io);
}

int resolve_init(struct ev_loop *l)
{
	struct ares_options o = {
		.flags = 0,
		.timeout = DNS_TIMEOUT_MS,
		.tries = DNS_TRIES,
		.ndots = 1,
		.ndomains = 0,
		.nservers = 0,
		.nsort = 0,
		.lookups = (char *)"b",
		.sock_state_cb = sock_state_cb,
	};
	/* Every setting given: c-ares then reads no file (see the top). */
	int mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_NDOTS | ARES_OPT_DOMAINS |
		   ARES_OPT_SERVERS | ARES_OPT_SORTLIST | ARES_OPT_LOOKUPS | ARES_OPT_NOROTATE | ARES_OPT_SOCK_STATE_CB;
	int r;

	if (have_channel)
		return 0;
	loop = l;
	r = ares_library_init(ARES_LIB_INIT_ALL);
	if (r == ARES_SUCCESS)
		r = ares_init_options(&channel, &o, mask);
	if (r != ARES_SUCCESS) {
		log_error("cannot set up the resolver, probes by name will fail: %s", ares_strerror(r));
		return -ENOMEM;
	}
	ev_timer_init(&timer, timer_cb, 0., 0.);
	have_channel = true;
	return 0;
}

void resolve_done(void)
{
	if (!have_channel)
		return;
	/* Calls what is in flight with ARES_EDESTRUCTION: each is freed. */
	ares_destroy(channel);
	ev_timer_stop(loop, &timer);
	while (socks) {
		struct sock_w *s = socks;
		socks = s->next;
		ev_io_stop(loop, &s->io);
		free(s);
	}
	have_channel = false;
	ares_library_cleanup();
}

static const char *reason(int status)
{
	switch (status) {
	case ARES_ENOTFOUND: case ARES_ENODATA: return "no such name";
	case ARES_ETIMEOUT: return "no answer from the name servers";
	case ARES_ECONNREFUSED: return "the name servers refused";
	default: return ares_strerror(status);
	}
}

static void answer_cb(void *arg, int status, int timeouts, struct ares_addrinfo *res)
{
	struct resolve *q = arg;
	struct sockaddr_storage ss;
	socklen_t len = 0;
	int err = -ENOENT;
	const char *why = reason(status);

	in_flight--;
	if (status == ARES_SUCCESS) {
		for (struct ares_addrinfo_node *n = res ? res->nodes : NULL; n; n = n->ai_next) {
			if ((n->ai_family != AF_INET && n->ai_family != AF_INET6) || n->ai_addrlen > sizeof(ss))
				continue;
			memset(&ss, 0, sizeof(ss));
			memcpy(&ss, n->ai_addr, n->ai_addrlen);
			len = n->ai_addrlen;
			if (ss.ss_family == AF_INET)
				((struct sockaddr_in *)&ss)->sin_port = htons(q->port);
			else
				((struct sockaddr_in6 *)&ss)->sin6_port = htons(q->port);
			err = 0;
			why = "ok";
			break;
		}
		if (err)
			why = "no address";
	}
	if (q->done && status != ARES_EDESTRUCTION)
		q->done(err, err ? NULL : (struct sockaddr *)&ss, len, why, q->userdata);
	ares_freeaddrinfo(res);
	free(q);
}

int resolve_dns(const char *name, uint16_t port, resolve_done_fn done, void *userdata, struct resolve **ret,
		const char **why)
{
	char csv[3 * (INET6_ADDRSTRLEN + 8)];
	struct ares_addrinfo_hints hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };

	if (!have_channel) {
		*why = "no resolver";
		return -ENOSYS;
	}
	struct resolve *q = calloc(1, sizeof(*q));
	if (!q) {
		*why = "out of memory";
		return -ENOMEM;
	}
	q->done = done;
	q->userdata = userdata;
	q->port = port;
	if (in_flight == 0) {
		read_servers(csv, sizeof(csv));
		int r = ares_set_servers_ports_csv(channel, csv);
		if (r != ARES_SUCCESS)
			log_debug("resolver: cannot use the name servers '%s': %s", csv, ares_strerror(r));
	}
	*ret = q;
	in_flight++;
	/* Its answer may come from inside this call (q may be freed then:
	 * the caller learns it through done). */
	ares_getaddrinfo(channel, name, NULL, &hints, answer_cb, q);
	arm_timer();
	return 0;
}

struct resolve *resolve_cancel(struct resolve *q)
{
	if (q)
		q->done = NULL;
	return NULL;
}
