/* output.c: see output.h. */
#include "config.h"

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "common/log.h"
#include "common/outfd.h"
#include "common/utf8.h"
#include "supervisor/logfile.h"
#include "supervisor/logring.h"
#include "supervisor/output.h"

#define LINE_MAX_LEN OUTPUT_LINE_MAX /* a longer line is cut into pieces */
#define QUEUE_HIGH (256 * 1024)   /* stop reading services above this */
#define QUEUE_MAX (1024 * 1024)   /* never above this: what a stopped service left is dropped */
/* A JSON line: every byte of a piece escaped (at worst "\u00XX"), the
 * service's name, the rest. */
#define JSON_MAX (6 * LINE_MAX_LEN + 6 * 256 + 128)

struct stream {
	struct output *o;
	const char *name;      /* "stdout", "stderr" */
	int rfd, wfd;
	ev_io io;
	struct logfile *file;  /* NULL: tend's stdout */
	bool mid_line;         /* a piece of a long line went out already */
	bool ended;            /* the service ended: relay its last line once read */
	size_t len;            /* bytes in buf: read, not relayed yet */
	char buf[4 * LINE_MAX_LEN]; /* many lines a read; a line is at most a quarter */
};

struct output {
	struct ev_loop *loop;
	char *name;
	struct stream *s[2];
	struct logfile *files[2]; /* owned; files[1] may be files[0]'s twin: NULL then */
	struct logring *ring;
	char *keys;            /* the keys it was made for (output_keys) */
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

/* Only the pipes to tend's stdout wait for it; a file never does. */
static void set_paused(struct ev_loop *loop, bool paused)
{
	if (out.paused == paused)
		return;
	out.paused = paused;
	for (struct output *o = out.all; o; o = o->next)
		for (int i = 0; i < 2; i++) {
			struct stream *s = o->s[i];
			if (!s || s->file)
				continue;
			if (paused)
				ev_io_stop(loop, &s->io);
			else
				ev_io_start(loop, &s->io);
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

/* Room for need more bytes in the queue, or false (counted as dropped). */
static bool queue_room(size_t need)
{
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
			return false;
		}
		out.q = q;
		out.cap = cap;
	}
	return true;
}

/* A JSON string's body for s[0..n) at dst[pos..size): runs of plain
 * printable ASCII copied as they are, the rest through utf8.c (which
 * makes it valid UTF-8 and escapes it). A run ends at an ASCII byte,
 * always between characters. */
static bool json_plain(unsigned char c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; }

/* Eight bytes at once: true when none needs more than a copy (no control
 * character, nothing >= 0x80, no '"' or '\\'). The hot path of log = json. */
static bool json_plain8(const char *s)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	uint64_t w;
	memcpy(&w, s, 8);
#define HAS_ZERO(v) (((v) - ones) & ~(v) & highs)
	uint64_t bad = (w & highs) | ((w - 0x20 * ones) & ~w & highs) | HAS_ZERO(w ^ ('"' * ones)) |
		       HAS_ZERO(w ^ ('\\' * ones));
#undef HAS_ZERO
	return bad == 0;
}

static size_t json_body(char *dst, size_t pos, size_t size, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && pos + 1 < size) {
		size_t j = i, room = size - 1 - pos;
		while (j + 8 <= n && j + 8 - i <= room && json_plain8(s + j))
			j += 8;
		while (j < n && j - i < room && json_plain((unsigned char)s[j]))
			j++;
		memcpy(dst + pos, s + i, j - i);
		pos += j - i;
		dst[pos] = 0;
		i = j;
		if (i == n || json_plain((unsigned char)s[i]))
			continue; /* the end, or dst is full */
		size_t k = i, used;
		while (k < n && !json_plain((unsigned char)s[k]))
			k++;
		pos = utf8_json_escape(dst, pos, size, s + i, k - i, &used);
		if (used < k - i)
			break; /* full: never, JSON_MAX holds the worst case */
		i = k;
	}
	return pos;
}

/* The "time" of the lines of one read: they came at once. */
static struct {
	bool fresh;
	size_t len;
	char s[48];
} batch_time;

/* One line (or piece) for tend's stdout: "web: line" or a JSON object. */
static void queue_tagged(struct stream *s, const char *line, size_t len)
{
	const char *name = s->o->name;
	size_t nl = strlen(name);

	if (!log_get_json()) {
		size_t need = nl + 2 + len + 1;
		if (!queue_room(need))
			return;
		char *p = out.q + out.head + out.len;
		memcpy(p, name, nl);
		memcpy(p + nl, ": ", 2);
		memcpy(p + nl + 2, line, len);
		p[nl + 2 + len] = '\n';
		out.len += need;
		return;
	}
	static char j[JSON_MAX];
	size_t n = 0;
#define PUT(str) do { memcpy(j + n, str, sizeof(str) - 1); n += sizeof(str) - 1; } while (0)
	if (!batch_time.fresh) {
		batch_time.len = log_time_rfc3339(batch_time.s, sizeof(batch_time.s));
		batch_time.fresh = true;
	}
	PUT("{\"time\":\"");
	memcpy(j + n, batch_time.s, batch_time.len);
	n += batch_time.len;
	PUT("\",\"service\":\"");
	n = json_body(j, n, 6 * 256 + n, name, nl);
	PUT("\",\"stream\":\"");
	memcpy(j + n, s->name, 6); /* "stdout", "stderr" */
	n += 6;
	PUT("\",\"line\":\"");
	/* Room for every escape of the piece: all of it goes in. */
	n = json_body(j, n, sizeof(j) - 4, line, len);
	PUT("\"}\n");
#undef PUT
	if (!queue_room(n))
		return;
	memcpy(out.q + out.head + out.len, j, n);
	out.len += n;
}

static void file_failed(struct stream *s, int r)
{
	log_full(LOG_LVL_WARN, r, s->o->name, "cannot write to '%s': %m", logfile_path(s->file));
}

/* A line (newline: it had one) or a piece of one, to where s goes. */
static void relay(struct stream *s, const char *line, size_t len, bool newline)
{
	logring_append(s->o->ring, line, len);
	if (!s->file) {
		queue_tagged(s, line, len);
		return;
	}
	/* A FILE gets the very bytes the service wrote; a rotation only
	 * between lines. */
	int r = logfile_write(s->file, line, len, newline, !s->mid_line);
	if (r < 0)
		file_failed(s, r);
	s->mid_line = !newline;
}

/* Relay the whole lines in s->buf (and, when last, the rest). */
static void relay_lines(struct stream *s, bool last)
{
	size_t start = 0;
	batch_time.fresh = false;
	for (;;) {
		size_t avail = s->len - start;
		/* A line of at most LINE_MAX_LEN bytes and its newline. */
		char *nl = memchr(s->buf + start, '\n', avail < LINE_MAX_LEN + 1 ? avail : LINE_MAX_LEN + 1);
		if (nl) {
			relay(s, s->buf + start, (size_t)(nl - s->buf) - start, true);
			start = (size_t)(nl - s->buf) + 1;
			continue;
		}
		if (avail < LINE_MAX_LEN)
			break;
		/* A longer line: a piece of it, cut between characters (what
		 * is cut short waits for the rest). */
		size_t n = utf8_trim_partial(s->buf + start, LINE_MAX_LEN);
		if (n == 0)
			n = LINE_MAX_LEN;
		relay(s, s->buf + start, n, false);
		start += n;
	}
	if (last && start < s->len) {
		relay(s, s->buf + start, s->len - start, !s->file);
		start = s->len;
	}
	memmove(s->buf, s->buf + start, s->len - start);
	s->len -= start;
	/* The lines of this read: one write. */
	int r;
	if (s->file && (r = logfile_flush(s->file)) < 0)
		file_failed(s, r);
}

/* One read, relayed: the bytes read, or <= 0. */
static ssize_t read_some(struct stream *s)
{
	ssize_t n = read(s->rfd, s->buf + s->len, sizeof(s->buf) - s->len);
	if (n <= 0) {
		/* The pipe is empty once the service ended: its last line,
		 * without newline, is complete now. */
		if (s->ended && (n == 0 || errno == EAGAIN)) {
			relay_lines(s, true);
			s->ended = false;
		}
		return n;
	}
	s->len += (size_t)n;
	relay_lines(s, false);
	return n;
}

/* The service ended: what is in its pipe now, its last line too, and no
 * more. A process it left behind may hold the pipe and write faster than
 * tend relays: reading until the pipe is empty would never end then. */
static void read_left(struct stream *s)
{
	int avail = 0;
	size_t done = 0;
	ssize_t n;

	s->ended = true;
	(void)ioctl(s->rfd, FIONREAD, &avail);
	/* One read past what was there: the one that finds it empty. */
	while (s->ended && done <= (size_t)avail && (n = read_some(s)) > 0)
		done += (size_t)n;
}

static void read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct stream *s = w->data;
	if (read_some(s) > 0 && !s->file)
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

static int stream_new(struct output *o, const char *name, struct logfile *file, struct stream **ret)
{
	int p[2];
	struct stream *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	if (pipe2(p, O_CLOEXEC) < 0) {
		free(s);
		return -errno;
	}
	s->o = o;
	s->name = name;
	s->file = file;
	s->rfd = p[0];
	s->wfd = p[1];
	fd_nonblock(s->rfd, 1);
	ev_io_init(&s->io, read_cb, s->rfd, EV_READ);
	s->io.data = s;
	if (file || !out.paused)
		ev_io_start(o->loop, &s->io);
	*ret = s;
	return 0;
}

static void stream_free(struct stream *s)
{
	if (!s)
		return;
	ev_io_stop(s->o->loop, &s->io);
	/* What the service wrote last is still worth showing: what is in the
	 * pipe now (a pipe's worth at most), as far as the queue's hard
	 * bound takes it (past it, dropped and counted). tend does not wait
	 * for more. */
	safe_close(s->wfd);
	read_left(s);
	relay_lines(s, true);
	safe_close(s->rfd);
	free(s);
}

/* The FILE of a stream, rotated by tend: opened once per output. */
static int open_file(struct output *o, const struct conf_service *c, int i, const char *path, char *err,
		     size_t err_size)
{
	const char *why;
	if (i == 1 && o->files[0] && strcmp(logfile_path(o->files[0]), path) == 0)
		return 0; /* the same FILE for both */
	int r = logfile_open(path, c, &o->files[i], &why);
	if (r < 0 && why)
		snprintf(err, err_size, "cannot rotate '%s' (log_max_size): %s; tend rotates only for a service "
			 "that is not root, in folders only root can change (see tend.ini(5))", path, why);
	else if (r < 0)
		snprintf(err, err_size, "cannot open '%s': %s", path, strerror(-r));
	return r;
}

static struct logfile *file_of(struct output *o, int i) { return o->files[i] ? o->files[i] : o->files[0]; }

/* What an output is made of, as one string: a reload that changes any of
 * it makes a new one at the next start. The keys logfile_open() judges
 * trust by (user, capabilities, no_new_privileges) too: a FILE rotated
 * for nobody is not rotated on for root. */
static char *output_keys(const struct conf_service *c)
{
	char *k = NULL;
	if (asprintf(&k, "%d %d %llu %u %llu %llx %d\n%s\n%s\n%s", (int)c->out.kind, (int)c->err.kind,
		     (unsigned long long)c->log_max_size, c->log_max_files, (unsigned long long)c->log_buffer,
		     (unsigned long long)c->capabilities, (int)c->no_new_privileges, c->user ? c->user : "",
		     c->out.path ? c->out.path : "", c->err.path ? c->err.path : "") < 0)
		return NULL;
	return k;
}

static int output_new(struct ev_loop *loop, const struct conf_service *c, struct output **ret, char *err,
		      size_t err_size)
{
	bool rot_out = c->out.kind == CONF_OUT_FILE && c->log_max_size > 0;
	bool rot_err = c->err.kind == CONF_OUT_FILE && c->log_max_size > 0;
	bool tagged = c->out.kind == CONF_OUT_TAGGED;
	bool err_follows = c->err.kind == CONF_OUT_STDOUT && (tagged || rot_out);
	int r = 0;

	struct output *o = calloc(1, sizeof(*o));
	if (!o || !(o->name = strdup(c->name)) || !(o->keys = output_keys(c))) {
		if (o)
			free(o->name);
		free(o);
		return log_full(LOG_LVL_WARN, -ENOMEM, c->name, "cannot relay output: %m");
	}
	o->loop = loop;
	if ((rot_out && (r = open_file(o, c, 0, c->out.path, err, err_size)) < 0) ||
	    (rot_err && (r = open_file(o, c, 1, c->err.path, err, err_size)) < 0))
		goto fail;
	(void)stdout_fd();
	if (tagged || rot_out) {
		r = stream_new(o, "stdout", rot_out ? o->files[0] : NULL, &o->s[0]);
		if (r >= 0 && err_follows)
			r = stream_new(o, "stderr", o->s[0]->file, &o->s[1]);
	}
	if (r >= 0 && rot_err)
		r = stream_new(o, "stderr", file_of(o, 1), &o->s[1]);
	if (r < 0) {
		snprintf(err, err_size, "cannot relay output: %s", strerror(-r));
		if (!rot_out && !rot_err)
			log_full(LOG_LVL_WARN, r, c->name, "cannot relay output, inheriting it: %m");
		goto fail;
	}
	/* A ring for `tendctl logs`: without memory for it, no logs. */
	if (c->log_buffer > 0 && logring_new(loop, c->log_buffer, &o->ring) < 0)
		log_full(LOG_LVL_WARN, -ENOMEM, c->name, "cannot keep output for 'tendctl logs': %m");
	o->next = out.all;
	out.all = o;
	*ret = o;
	return 0;
fail:
	for (int i = 0; i < 2; i++) {
		stream_free(o->s[i]);
		logfile_free(o->files[i]);
	}
	free(o->keys);
	free(o->name);
	free(o);
	return r;
}

int output_prepare(struct ev_loop *loop, const struct conf_service *c, struct output **o, int *ret_out,
		   int *ret_err, char *err, size_t err_size)
{
	bool relayed = c->out.kind == CONF_OUT_TAGGED || (c->log_max_size > 0 &&
			(c->out.kind == CONF_OUT_FILE || c->err.kind == CONF_OUT_FILE));
	*ret_out = *ret_err = -1;
	if (*o) {
		/* Made for keys a reload has changed since: made again. */
		_cleanup_free_ char *keys = output_keys(c);
		if (!keys || strcmp(keys, (*o)->keys) != 0)
			*o = output_free(*o);
	}
	if (!relayed)
		return 0;
	if (!*o) {
		int r = output_new(loop, c, o, err, err_size);
		if (r < 0)
			/* tagged alone: the service inherits tend's stdout */
			return c->out.kind == CONF_OUT_TAGGED && !c->log_max_size ? 0 : r;
	}
	*ret_out = (*o)->s[0] ? (*o)->s[0]->wfd : -1;
	*ret_err = (*o)->s[1] ? (*o)->s[1]->wfd : -1;
	return 0;
}

void output_service_ended(struct output *o)
{
	if (!o)
		return;
	for (int i = 0; i < 2; i++) {
		struct stream *s = o->s[i];
		if (!s)
			continue;
		/* As far as tend's stdout takes it (paused, the reader gets
		 * it when it resumes). */
		if (s->file || !out.paused)
			read_left(s);
		else
			s->ended = true;
	}
	flush(o->loop);
}

struct output *output_free(struct output *o)
{
	if (!o)
		return NULL;
	for (struct output **p = &out.all; *p; p = &(*p)->next)
		if (*p == o) {
			*p = o->next;
			break;
		}
	for (int i = 0; i < 2; i++)
		stream_free(o->s[i]);
	for (int i = 0; i < 2; i++)
		logfile_free(o->files[i]);
	logring_free(o->ring);
	/* Still running: the writer watcher sends the rest; at the end of
	 * tend, output_finish() does. */
	flush(o->loop);
	free(o->keys);
	free(o->name);
	free(o);
	return NULL;
}

struct logring *output_ring(const char *name)
{
	for (struct output *o = out.all; o; o = o->next)
		if (strcmp(o->name, name) == 0)
			return o->ring;
	return NULL;
}

int output_reopen(char **msg)
{
	int n = 0;
	for (struct output *o = out.all; o; o = o->next)
		for (int i = 0; i < 2; i++) {
			if (!o->files[i])
				continue;
			int r = logfile_reopen(o->files[i]);
			if (r >= 0) {
				n++;
				continue;
			}
			log_full(LOG_LVL_WARN, r, o->name, "cannot reopen '%s': %m", logfile_path(o->files[i]));
			char *m = NULL;
			if (asprintf(&m, "%s%s: cannot reopen '%s': %s\n", *msg ? *msg : "", o->name,
				     logfile_path(o->files[i]), strerror(-r)) >= 0) {
				free(*msg);
				*msg = m;
			}
		}
	return n;
}
