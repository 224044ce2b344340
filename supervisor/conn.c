/* conn.c: see conn.h.
 *
 * Each client is a small state machine: READING (until a complete request,
 * a refusal, or the request timeout), then WRITING (until the queued answer
 * is out, the client goes away, or the timeout), then freed. Both phases
 * share one ev_io (its events switched from READ to WRITE) and one ev_timer
 * (re-armed for the answer), so a client costs a fixed amount of memory:
 * its request buffer (max_request + 1) and its answer (at most
 * max_answer). Clients are kept oldest first, so the one to drop for a new
 * client is found from the head: the oldest unfinished one of the peer
 * (pid, or address) that holds the most unfinished ones. */
#include "config.h"

#include <stdarg.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "common/log.h"
#include "supervisor/conn.h"

/* Accepts per wake-up, so that a flood of connections cannot keep tend
 * from everything else. */
#define ACCEPT_BATCH 16
/* Out of fds: stop accepting for this long rather than spin on a listening
 * socket that stays readable. */
#define ACCEPT_PAUSE 1.0

struct conn {
	struct conn_server *srv;
	struct conn *prev, *next;
	int fd;
	ev_io io;
	ev_timer timer;
	bool writing;
	uint64_t peer; /* who is on the other side: see peer_key() */
	char *in;
	size_t in_len;
	char *out;
	size_t out_len, out_off, out_cap;
};

struct conn_server {
	struct ev_loop *loop;
	const struct conn_params *p;
	void *userdata;
	int fd;
	ev_io io;
	ev_timer pause;
	struct conn *clients, *last; /* oldest first */
	size_t n_clients;
	uint64_t last_warn, last_drop_log;
};

int conn_fd(const struct conn *c) { return c->fd; }
size_t conn_server_clients(const struct conn_server *s) { return s->n_clients; }

static void conn_free(struct conn *c)
{
	struct conn_server *s = c->srv;
	ev_io_stop(s->loop, &c->io);
	ev_timer_stop(s->loop, &c->timer);
	safe_close(c->fd);
	if (c->prev)
		c->prev->next = c->next;
	else if (s->clients == c)
		s->clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else if (s->last == c)
		s->last = c->prev;
	s->n_clients--;
	free(c->in);
	free(c->out);
	free(c);
}

int conn_write(struct conn *c, const void *data, size_t len)
{
	size_t max = c->srv->p->max_answer;
	if (len > max || c->out_len > max - len)
		return -ENOBUFS;
	if (c->out_len + len > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 1024;
		while (cap < c->out_len + len)
			cap *= 2;
		if (cap > max)
			cap = max;
		char *p = realloc(c->out, cap);
		if (!p)
			return -ENOMEM;
		c->out = p;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, data, len);
	c->out_len += len;
	return 0;
}

int conn_printf(struct conn *c, const char *fmt, ...)
{
	_cleanup_free_ char *s = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	return conn_write(c, s, (size_t)n);
}

/* Write what can be written now. Returns 1 when everything is out, 0 when
 * the socket is full, < 0 when the client is gone. */
static int flush_out(struct conn *c)
{
	while (c->out_off < c->out_len) {
		/* MSG_NOSIGNAL: a client gone mid-answer is EPIPE here, not a
		 * SIGPIPE left pending on tend. */
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -errno;
		}
		c->out_off += (size_t)n;
	}
	return 1;
}

/* The answer is queued: send it, then close. */
static void finish(struct conn *c)
{
	struct ev_loop *loop = c->srv->loop;
	int r = flush_out(c);
	if (r != 0) {
		if (r < 0)
			log_debug("%s: client went away: %s", c->srv->p->what, strerror(-r));
		conn_free(c);
		return;
	}
	c->writing = true;
	ev_io_stop(loop, &c->io);
	ev_io_set(&c->io, c->fd, EV_WRITE);
	ev_io_start(loop, &c->io);
}

static void refuse(struct conn *c, enum conn_refusal why)
{
	if (c->srv->p->refuse)
		c->srv->p->refuse(c, why, c->srv->userdata);
}

static void dispatch(struct conn *c, size_t len)
{
	struct conn_server *s = c->srv;
	c->in[len] = 0;
	ev_io_stop(s->loop, &c->io);
	/* The answer gets its own time, whatever the request took. */
	ev_timer_stop(s->loop, &c->timer);
	ev_timer_set(&c->timer, s->p->timeout, 0.);
	ev_timer_start(s->loop, &c->timer);
	s->p->request(c, c->in, len, s->userdata);
	finish(c);
}

/* Read what the client sent. Returns true while it is still reading (no
 * complete request yet), false once it was dispatched, refused or freed
 * (c may be gone then). */
static bool read_request(struct conn *c)
{
	const struct conn_params *p = c->srv->p;
	ssize_t n = recv(c->fd, c->in + c->in_len, p->max_request - c->in_len, MSG_DONTWAIT);
	if (n < 0) {
		if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
			return true;
		log_debug("%s: client read failed: %m", p->what);
		conn_free(c);
		return false;
	}
	c->in_len += (size_t)n;
	size_t len = p->complete(c->in, c->in_len, n == 0);
	if (len > 0) {
		dispatch(c, len);
		return false;
	}
	if (n == 0) {
		/* Gone with nothing said: nothing to answer. */
		if (c->in_len == 0) {
			conn_free(c);
			return false;
		}
		refuse(c, CONN_INCOMPLETE);
		finish(c);
		return false;
	}
	if (c->in_len >= p->max_request) {
		log_debug("%s: request longer than %zu bytes, refused", p->what, p->max_request);
		refuse(c, CONN_TOO_LONG);
		finish(c);
		return false;
	}
	return true;
}

static void client_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct conn *c = w->data;
	if (!c->writing) {
		read_request(c);
		return;
	}
	int r = flush_out(c);
	if (r != 0)
		conn_free(c);
}

static void client_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct conn *c = w->data;
	log_debug("%s: client timed out", c->srv->p->what);
	if (!c->writing) {
		/* One try to tell it why; whatever does not fit the socket
		 * now is dropped with the client. */
		refuse(c, CONN_TIMEOUT);
		(void)flush_out(c);
	}
	conn_free(c);
}

/* A key for the peer: its pid on a unix socket (SO_PEERCRED), its address
 * on TCP (IPv6 folded to 64 bits); 0 when unknown. */
static uint64_t peer_key(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	if (getpeername(fd, (struct sockaddr *)&ss, &len) < 0)
		return 0;
	if (ss.ss_family == AF_INET)
		return (1ULL << 32) | ((struct sockaddr_in *)&ss)->sin_addr.s_addr;
	if (ss.ss_family == AF_INET6) {
		uint64_t a, b;
		memcpy(&a, ((struct sockaddr_in6 *)&ss)->sin6_addr.s6_addr, 8);
		memcpy(&b, ((struct sockaddr_in6 *)&ss)->sin6_addr.s6_addr + 8, 8);
		return a ^ b ^ (2ULL << 60);
	}
	struct ucred cr;
	len = sizeof(cr);
	if (ss.ss_family == AF_UNIX && getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) == 0)
		return (3ULL << 60) | (uint32_t)cr.pid;
	return 0;
}

static struct conn *conn_new(struct conn_server *s, int fd)
{
	struct conn *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->in = malloc(s->p->max_request + 1);
	if (!c->in) {
		free(c);
		return NULL;
	}
	c->srv = s;
	c->fd = fd;
	c->peer = peer_key(fd);
	ev_io_init(&c->io, client_cb, fd, EV_READ);
	c->io.data = c;
	ev_timer_init(&c->timer, client_timer_cb, s->p->request_timeout, 0.);
	c->timer.data = c;
	c->prev = s->last;
	if (s->last)
		s->last->next = c;
	else
		s->clients = c;
	s->last = c;
	s->n_clients++;
	return c;
}

/* Full: free a slot, telling its client why. The victim is the oldest
 * client that has not sent a complete request, of the peer that holds the
 * most such clients; when every client has sent its request, the oldest
 * one being answered. Never fails while there is a client. */
static void drop_oldest(struct conn_server *s)
{
	struct conn *victim = NULL;
	size_t most = 0;
	for (struct conn *c = s->clients, *next; c; c = next) {
		next = c->next;
		/* Accepted in this same batch, its request may be waiting
		 * unread: that client is not idle, serve it rather than drop
		 * it. (read_request may free c, never another client.) */
		if (c->writing || !read_request(c))
			continue;
		/* The peer holding the most unfinished clients pays first,
		 * with its oldest one: a flood from one peer never costs
		 * another peer's client its slot. */
		size_t n = 0;
		for (struct conn *o = s->clients; o; o = o->next)
			n += !o->writing && o->peer == c->peer;
		if (n > most) {
			most = n;
			victim = c;
		}
	}
	if (!victim)
		victim = s->clients;
	if (!victim || s->n_clients < s->p->max_clients)
		return;
	uint64_t now = now_ms();
	if (now - s->last_drop_log > 10000) {
		log_debug("%s: %zu clients, dropping an %s one for a new one", s->p->what, s->n_clients,
			  victim->writing ? "answered" : "unfinished");
		s->last_drop_log = now;
	}
	if (!victim->writing)
		refuse(victim, CONN_DROPPED);
	(void)flush_out(victim);
	conn_free(victim);
}

/* Over max_clients: say so at once (best effort, never waiting) and close,
 * so that a flood costs nothing that outlives this call. */
static void refuse_busy(struct conn_server *s, int fd)
{
	struct conn c = { .srv = s, .fd = fd };
	if (s->p->refuse) {
		s->p->refuse(&c, CONN_BUSY, s->userdata);
		(void)flush_out(&c);
	}
	free(c.out);
	safe_close(fd);
}

static void pause_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct conn_server *s = w->data;
	ev_io_start(loop, &s->io);
}

static void listen_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct conn_server *s = w->data;

	for (unsigned i = 0; i < ACCEPT_BATCH; i++) {
		int fd = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			uint64_t now = now_ms();
			if (now - s->last_warn > 10000) {
				log_warn_errno(errno, "%s: cannot accept a client, pausing: %m", s->p->what);
				s->last_warn = now;
			}
			ev_io_stop(loop, &s->io);
			ev_timer_set(&s->pause, ACCEPT_PAUSE, 0.);
			ev_timer_start(loop, &s->pause);
			return;
		}
		if (s->n_clients >= s->p->max_clients)
			drop_oldest(s);
		struct conn *c = conn_new(s, fd);
		if (!c) {
			refuse_busy(s, fd);
			continue;
		}
		ev_timer_start(loop, &c->timer);
		if (s->p->accepted && s->p->accepted(c, s->userdata) < 0) {
			finish(c);
			continue;
		}
		ev_io_start(loop, &c->io);
	}
}

int conn_server_new(struct ev_loop *loop, int fd, const struct conn_params *p, void *userdata,
		    struct conn_server **ret)
{
	struct conn_server *s = calloc(1, sizeof(*s));
	if (!s) {
		safe_close(fd);
		return -ENOMEM;
	}
	s->loop = loop;
	s->p = p;
	s->userdata = userdata;
	s->fd = fd;
	ev_io_init(&s->io, listen_cb, fd, EV_READ);
	s->io.data = s;
	ev_init(&s->pause, pause_cb);
	s->pause.data = s;
	ev_io_start(loop, &s->io);
	*ret = s;
	return 0;
}

struct conn_server *conn_server_free(struct conn_server *s)
{
	if (!s)
		return NULL;
	while (s->clients)
		conn_free(s->clients);
	ev_io_stop(s->loop, &s->io);
	ev_timer_stop(s->loop, &s->pause);
	safe_close(s->fd);
	free(s);
	return NULL;
}
