/* output.c: see output.h. */
#include "config.h"

#include <fcntl.h>
#include <poll.h>
#include <string.h>

#include "common/log.h"
#include "common/outfd.h"
#include "supervisor/output.h"

#define LINE_MAX_LEN 16384        /* a longer line is cut into pieces */
#define QUEUE_HIGH (256 * 1024)   /* stop reading services above this */
#define QUEUE_MAX (1024 * 1024)   /* never above this: what a stopped service left is dropped */

struct output {
	struct ev_loop *loop;
	char *name;
	int rfd, wfd;
	ev_io io;
	size_t len;            /* bytes of an unfinished line in buf */
	char buf[LINE_MAX_LEN];
	struct output *next;   /* all outputs, to pause and resume them */
};

/* tend's stdout, shared by every tagged service: q[head..head+len). */
static struct {
	bool opened;
	struct outfd fd;
	ev_io io;
	char *q;
	size_t head, len, cap;
	unsigned long dropped;  /* lines past QUEUE_MAX, told in the log */
	struct output *all;
	bool paused;
} out = { .fd = OUTFD_INIT };

/* tend's own log (common/log.c), flushed from the loop. */
static struct {
	struct ev_loop *loop;
	ev_io io;
} logw;

static void flush_cb(struct ev_loop *loop, ev_io *w, int revents);

static struct outfd *stdout_fd(void)
{
	if (!out.opened) {
		out.opened = true;
		/* A closed stdout: outfd_write() says EBADF, lines are dropped. */
		(void)outfd_open(&out.fd, STDOUT_FILENO);
		ev_init(&out.io, flush_cb);
	}
	return &out.fd;
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
	struct outfd *fd = stdout_fd();

	while (out.len > 0) {
		ssize_t n = outfd_write(fd, out.q + out.head, out.len);
		if (n == -EAGAIN) {
			if (!ev_is_active(&out.io)) {
				ev_io_set(&out.io, outfd_fd(fd), EV_WRITE);
				ev_io_start(loop, &out.io);
			}
			break;
		}
		if (n <= 0) { /* stdout is gone: drop, never block */
			out.len = 0;
			break;
		}
		out.head += (size_t)n;
		out.len -= (size_t)n;
	}
	if (out.len == 0) {
		out.head = 0;
		ev_io_stop(loop, &out.io);
		if (out.dropped) {
			log_warn("%lu lines of output dropped (stdout was not read)", out.dropped);
			out.dropped = 0;
		}
	}
	set_paused(loop, out.len >= QUEUE_HIGH);
}

static void flush_cb(struct ev_loop *loop, ev_io *w, int revents) { flush(loop); }

static void queue_line(struct output *o, const char *line, size_t len)
{
	size_t nl = strlen(o->name), need = nl + 2 + len + 1;

	if (out.head + out.len + need > out.cap && out.head > 0) {
		memmove(out.q, out.q + out.head, out.len);
		out.head = 0;
	}
	if (out.len + need > out.cap) {
		size_t cap = out.cap ? out.cap : 65536;
		while (cap < out.len + need)
			cap *= 2;
		char *q = cap <= QUEUE_MAX ? realloc(out.q, cap) : NULL;
		if (!q) { /* over the bound, or out of memory: tend goes on */
			out.dropped++;
			return;
		}
		out.q = q;
		out.cap = cap;
	}
	char *p = out.q + out.head + out.len;
	memcpy(p, o->name, nl);
	memcpy(p + nl, ": ", 2);
	memcpy(p + nl + 2, line, len);
	p[nl + 2 + len] = '\n';
	out.len += need;
}

/* Queue the whole lines in o->buf (and, when last, the rest). */
static void queue_lines(struct output *o, bool last)
{
	size_t start = 0;
	for (size_t i = 0; i < o->len; i++)
		if (o->buf[i] == '\n') {
			queue_line(o, o->buf + start, i - start);
			start = i + 1;
		}
	if (start < o->len && (last || (start == 0 && o->len == sizeof(o->buf)))) {
		/* The end, or a line longer than the buffer: in pieces. */
		queue_line(o, o->buf + start, o->len - start);
		start = o->len;
	}
	memmove(o->buf, o->buf + start, o->len - start);
	o->len -= start;
}

static void read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct output *o = w->data;
	ssize_t n = read(o->rfd, o->buf + o->len, sizeof(o->buf) - o->len);
	if (n <= 0)
		return;
	o->len += (size_t)n;
	queue_lines(o, false);
	flush(loop);
}

/* ---- tend's own log ---------------------------------------------------- */

static void log_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	if (log_flush())
		ev_io_stop(loop, w);
}

static void log_wake(void)
{
	int fd = log_queue_fd();
	if (fd < 0 || ev_is_active(&logw.io))
		return;
	ev_io_set(&logw.io, fd, EV_WRITE);
	ev_io_start(logw.loop, &logw.io);
}

void output_watch_log(struct ev_loop *loop)
{
	logw.loop = loop;
	ev_init(&logw.io, log_io_cb);
	log_set_nonblocking(log_wake);
}

/* ---- the end ----------------------------------------------------------- */

void output_finish(struct ev_loop *loop)
{
	uint64_t deadline = now_ms() + 1000;

	if (out.opened)
		ev_io_stop(loop, &out.io);
	if (logw.loop)
		ev_io_stop(loop, &logw.io);
	for (;;) {
		struct pollfd p[2] = { { .fd = -1 }, { .fd = -1 } };
		while (out.len > 0) {
			ssize_t n = outfd_write(&out.fd, out.q + out.head, out.len);
			if (n <= 0) {
				if (n != -EAGAIN)
					out.len = 0;
				break;
			}
			out.head += (size_t)n;
			out.len -= (size_t)n;
		}
		bool log_done = log_flush();
		uint64_t now = now_ms();
		if ((out.len == 0 && log_done) || now >= deadline)
			break;
		if (out.len > 0)
			p[0] = (struct pollfd){ .fd = outfd_fd(&out.fd), .events = POLLOUT };
		if (!log_done)
			p[1] = (struct pollfd){ .fd = log_queue_fd(), .events = POLLOUT };
		(void)poll(p, 2, (int)(deadline - now));
	}
	/* A reader that is gone or stuck loses the rest. */
	log_finish();
	out.head = out.len = out.cap = 0;
	free(out.q);
	out.q = NULL;
	outfd_close(&out.fd);
	out.opened = false;
}

/* ---- services ---------------------------------------------------------- */

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
	(void)stdout_fd();
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
	/* What the service wrote last is still worth showing, up to one
	 * buffer of it: tend does not wait for the rest. */
	safe_close(o->wfd);
	ssize_t n;
	while (o->len < sizeof(o->buf) && (n = read(o->rfd, o->buf + o->len, sizeof(o->buf) - o->len)) > 0)
		o->len += (size_t)n;
	queue_lines(o, true);
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
