/* output.c: see output.h. */
#include "config.h"

#include <fcntl.h>
#include <poll.h>
#include <string.h>

#include "common/log.h"
#include "supervisor/output.h"

#define LINE_MAX_LEN 16384       /* a longer line is cut into pieces */
#define QUEUE_HIGH (256 * 1024)  /* stop reading services above this */

struct output {
	struct ev_loop *loop;
	char *name;
	int rfd, wfd;
	ev_io io;
	size_t len;            /* bytes of an unfinished line in buf */
	char buf[LINE_MAX_LEN];
	struct output *next;   /* all outputs, to pause and resume them */
};

/* tend's stdout, shared by every tagged service. */
static struct {
	int fd;
	ev_io io;
	char *q;
	size_t len, cap;
	struct output *all;
	bool paused;
} out = { .fd = -2 };

static void flush_cb(struct ev_loop *loop, ev_io *w, int revents);

/* Our own open file description of stdout, so that O_NONBLOCK does not
 * leak to the services that inherit the same stdout. A socket cannot be
 * reopened this way: then writes stay blocking (documented). */
static int stdout_fd(void)
{
	if (out.fd != -2)
		return out.fd;
	out.fd = open("/proc/self/fd/1", O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | O_APPEND);
	if (out.fd < 0)
		out.fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	return out.fd;
}

static void set_paused(struct ev_loop *loop, bool paused)
{
	if (out.paused == paused)
		return;
	out.paused = paused;
	for (struct output *o = out.all; o; o = o->next) {
		if (paused)
			ev_io_stop(loop, &o->io);
		else
			ev_io_start(loop, &o->io);
	}
}

static void flush(struct ev_loop *loop)
{
	while (out.len > 0) {
		ssize_t n = write(stdout_fd(), out.q, out.len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			if (!ev_is_active(&out.io)) {
				ev_io_init(&out.io, flush_cb, stdout_fd(), EV_WRITE);
				ev_io_start(loop, &out.io);
			}
			break;
		}
		if (n <= 0) { /* stdout is gone: drop, never block */
			out.len = 0;
			break;
		}
		memmove(out.q, out.q + n, out.len - (size_t)n);
		out.len -= (size_t)n;
	}
	if (out.len == 0)
		ev_io_stop(loop, &out.io);
	set_paused(loop, out.len >= QUEUE_HIGH);
}

static void flush_cb(struct ev_loop *loop, ev_io *w, int revents) { flush(loop); }

static void queue_line(struct output *o, const char *line, size_t len)
{
	size_t need = strlen(o->name) + 2 + len + 1;
	if (out.len + need > out.cap) {
		size_t cap = out.cap ? out.cap : 65536;
		while (cap < out.len + need)
			cap *= 2;
		char *q = realloc(out.q, cap);
		if (!q)
			return; /* out of memory: this line is lost, tend goes on */
		out.q = q;
		out.cap = cap;
	}
	size_t nl = strlen(o->name);
	memcpy(out.q + out.len, o->name, nl);
	memcpy(out.q + out.len + nl, ": ", 2);
	memcpy(out.q + out.len + nl + 2, line, len);
	out.q[out.len + nl + 2 + len] = '\n';
	out.len += need;
}

static void read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct output *o = w->data;
	ssize_t n = read(o->rfd, o->buf + o->len, sizeof(o->buf) - o->len);
	if (n <= 0)
		return;
	o->len += (size_t)n;
	size_t start = 0;
	for (size_t i = 0; i < o->len; i++)
		if (o->buf[i] == '\n') {
			queue_line(o, o->buf + start, i - start);
			start = i + 1;
		}
	if (start == 0 && o->len == sizeof(o->buf)) { /* a line longer than the buffer */
		queue_line(o, o->buf, o->len);
		start = o->len;
	}
	memmove(o->buf, o->buf + start, o->len - start);
	o->len -= start;
	flush(loop);
}

void output_finish(struct ev_loop *loop)
{
	uint64_t deadline = now_ms() + 1000;
	int fd = out.fd;

	if (ev_is_active(&out.io))
		ev_io_stop(loop, &out.io);
	while (out.len > 0 && fd >= 0) {
		ssize_t n = write(fd, out.q, out.len);
		if (n > 0) {
			memmove(out.q, out.q + n, out.len - (size_t)n);
			out.len -= (size_t)n;
			continue;
		}
		uint64_t now = now_ms();
		if ((n < 0 && errno != EAGAIN && errno != EINTR) || now >= deadline)
			break;
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		poll(&p, 1, (int)(deadline - now));
	}
	out.len = out.cap = 0;
	free(out.q);
	out.q = NULL;
	if (out.fd >= 0)
		out.fd = safe_close(out.fd);
	out.fd = -2;
}

int output_new(struct ev_loop *loop, const char *name, struct output **ret)
{
	int p[2];
	struct output *o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	if (!(o->name = strdup(name)) || pipe2(p, O_CLOEXEC) < 0) {
		int e = o->name ? errno : ENOMEM;
		free(o->name);
		free(o);
		return -e;
	}
	o->loop = loop;
	o->rfd = p[0];
	o->wfd = p[1];
	fd_nonblock(o->rfd, 1);
	ev_io_init(&o->io, read_cb, o->rfd, EV_READ);
	o->io.data = o;
	o->next = out.all;
	out.all = o;
	if (!out.paused)
		ev_io_start(loop, &o->io);
	*ret = o;
	return 0;
}

int output_fd(const struct output *o) { return o->wfd; }

struct output *output_free(struct output *o)
{
	if (!o)
		return NULL;
	ev_io_stop(o->loop, &o->io);
	/* What the service wrote last is still worth showing. */
	safe_close(o->wfd);
	ssize_t n;
	while ((n = read(o->rfd, o->buf + o->len, sizeof(o->buf) - o->len)) > 0) {
		o->len += (size_t)n;
		if (o->len == sizeof(o->buf))
			break;
	}
	size_t start = 0;
	for (size_t i = 0; i < o->len; i++)
		if (o->buf[i] == '\n') {
			queue_line(o, o->buf + start, i - start);
			start = i + 1;
		}
	if (start < o->len)
		queue_line(o, o->buf + start, o->len - start);
	safe_close(o->rfd);
	for (struct output **p = &out.all; *p; p = &(*p)->next)
		if (*p == o) {
			*p = o->next;
			break;
		}
	/* Still running: the writer watcher sends the rest; at the end of
	 * tend, output_finish() does. */
	flush(o->loop);
	free(o->name);
	free(o);
	return NULL;
}
