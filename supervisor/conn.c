/* conn.c: see conn.h.
 *
 * Each client is a small state machine: READING (until a complete request,
 * a refusal, or the timeout), then WRITING (until the queued answer is out,
 * the client goes away, or the timeout), then freed. Both phases share one
 * ev_io (its events switched from READ to WRITE) and one ev_timer, so a
 * client costs a fixed amount of memory: its request buffer
 * (max_request + 1) and its answer (at most max_answer). */
#include "config.h"

#include <stdarg.h>
#include <string.h>
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
	struct conn *clients;
	size_t n_clients;
	uint64_t last_warn;
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
	s->p->request(c, c->in, len, s->userdata);
	finish(c);
}

static void read_request(struct conn *c)
{
	const struct conn_params *p = c->srv->p;
	ssize_t n = recv(c->fd, c->in + c->in_len, p->max_request - c->in_len, MSG_DONTWAIT);
	if (n < 0) {
		if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
			return;
		log_debug("%s: client read failed: %m", p->what);
		conn_free(c);
		return;
	}
	c->in_len += (size_t)n;
	size_t len = p->complete(c->in, c->in_len, n == 0);
	if (len > 0) {
		dispatch(c, len);
		return;
	}
	if (n == 0) {
		/* Gone with nothing said: nothing to answer. */
		if (c->in_len == 0) {
			conn_free(c);
			return;
		}
		refuse(c, CONN_INCOMPLETE);
		finish(c);
		return;
	}
	if (c->in_len >= p->max_request) {
		log_debug("%s: request longer than %zu bytes, refused", p->what, p->max_request);
		refuse(c, CONN_TOO_LONG);
		finish(c);
	}
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
	ev_io_init(&c->io, client_cb, fd, EV_READ);
	c->io.data = c;
	ev_timer_init(&c->timer, client_timer_cb, s->p->timeout, 0.);
	c->timer.data = c;
	c->next = s->clients;
	if (s->clients)
		s->clients->prev = c;
	s->clients = c;
	s->n_clients++;
	return c;
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
		if (s->n_clients >= s->p->max_clients) {
			log_debug("%s: %zu clients already, refusing one", s->p->what, s->n_clients);
			refuse_busy(s, fd);
			continue;
		}
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
