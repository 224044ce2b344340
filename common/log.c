/* log.c: see log.h. A line is formatted into one buffer and written with a
 * single write(2) where it can be, so lines from tend and from services
 * never interleave mid-line on a pipe.
 *
 * Once tend's loop runs (log_set_nonblocking), stderr is written through
 * an outfd (common/outfd.h) that never blocks. What the reader does not take
 * waits in a bounded queue (QUEUE_MAX); when that is full, the oldest whole
 * lines go (never the rest of a line already partly written, so no line is
 * torn), and once the queue is empty again tend says how many went. PID 1
 * stops for no reader: a crash-looping service under -v with stderr a pipe
 * nobody drains must not stop the reaping of its corpses. */
#include "config.h"

#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/outfd.h"
#include "common/utf8.h"

#define LINE_MAX_LEN 4096
#define MSG_MAX_LEN 2048
#define QUEUE_MAX (64 * 1024)

static const char *log_prog = "tend";
static int log_max = LOG_LVL_INFO;
static bool log_json;

static const char *const level_names[] = {
	[LOG_LVL_ERROR] = "error",
	[LOG_LVL_WARN] = "warning",
	[LOG_LVL_INFO] = "info",
	[LOG_LVL_DEBUG] = "debug",
};

/* The queue of the non-blocking mode: buf[head..head+len), whole lines
 * except that the first may have been partly written already (partial). */
static struct {
	bool on;
	bool finished;        /* after log_finish(): write what fits, queue nothing */
	pid_t owner;          /* tend; its children (before exec) write directly */
	struct outfd out;
	void (*wake)(void);
	size_t head, len;
	bool partial;
	unsigned long dropped;
	char buf[QUEUE_MAX];
} q = { .out = OUTFD_INIT };

void log_setup(const char *prog, int max_level, bool json)
{
	log_prog = prog;
	log_max = max_level;
	log_json = json;
}

void log_set_json(bool json) { log_json = json; }
int log_get_max_level(void) { return log_max; }
bool log_get_json(void) { return log_json; }

/* Make room for need bytes: compact, then drop the oldest whole lines
 * (after the partly written one, which must be finished first). */
static void queue_make_room(size_t need)
{
	if (q.head + q.len + need <= QUEUE_MAX)
		return;
	memmove(q.buf, q.buf + q.head, q.len);
	q.head = 0;
	if (q.len + need <= QUEUE_MAX)
		return;
	size_t keep = 0, cut;
	if (q.partial) {
		char *nl = memchr(q.buf, '\n', q.len);
		keep = nl ? (size_t)(nl - q.buf) + 1 : q.len;
	}
	for (cut = keep; cut < q.len && q.len - (cut - keep) + need > QUEUE_MAX; q.dropped++) {
		char *nl = memchr(q.buf + cut, '\n', q.len - cut);
		cut = nl ? (size_t)(nl - q.buf) + 1 : q.len;
	}
	memmove(q.buf + keep, q.buf + cut, q.len - cut);
	q.len -= cut - keep;
}

static void write_blocking(const char *p, size_t n)
{
	while (n > 0) {
		ssize_t k = write(STDERR_FILENO, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return;
		p += k;
		n -= (size_t)k;
	}
}

static void emit(const char *line, size_t n)
{
	if (!q.on || getpid() != q.owner) {
		/* Before the loop, tendctl, tend-net, a child before its exec:
		 * blocking is theirs to afford. */
		write_blocking(line, n);
		return;
	}
	if (q.len == 0) {
		ssize_t k = outfd_write(&q.out, line, n);
		if (k == (ssize_t)n)
			return;
		if (k < 0 && k != -EAGAIN)
			return; /* no reader will ever come: nothing to keep it for */
		if (k > 0) {
			line += k;
			n -= (size_t)k;
			q.partial = true;
		}
	}
	if (q.finished) {
		q.dropped++;
		return;
	}
	queue_make_room(n);
	memcpy(q.buf + q.head + q.len, line, n);
	q.len += n;
	if (q.wake)
		q.wake();
}

size_t log_time_rfc3339(char *buf, size_t size)
{
	/* Once a second the date and time; every line its microseconds
	 * (tagged output calls this for each line it relays). */
	static time_t last = -1;
	static char secs[32];
	static size_t secs_len;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (ts.tv_sec != last) {
		struct tm tm;
		gmtime_r(&ts.tv_sec, &tm);
		secs_len = strftime(secs, sizeof(secs), "%Y-%m-%dT%H:%M:%S", &tm);
		last = ts.tv_sec;
	}
	if (size < secs_len + 9) {
		if (size)
			buf[0] = 0;
		return 0;
	}
	memcpy(buf, secs, secs_len);
	char *p = buf + secs_len;
	*p++ = '.';
	long us = ts.tv_nsec / 1000;
	for (int i = 5; i >= 0; i--, us /= 10)
		p[i] = (char)('0' + us % 10);
	memcpy(p + 6, "Z", 2);
	return secs_len + 8;
}

/* The whole line, always ending in "\n"; JSON lines are valid UTF-8 JSON
 * whatever msg and unit hold, and never cut inside a character or an
 * escape. */
static size_t format_line(char *line, size_t size, enum log_level level, const char *unit, const char *msg,
			  size_t msg_len)
{
	size_t n;

	if (!log_json) {
		int r = snprintf(line, size, "%s: %s%s%s%.*s\n", log_prog, level == LOG_LVL_WARN ? "warning: " : "",
				 unit ? unit : "", unit ? ": " : "", (int)msg_len, msg);
		n = r < 0 ? 0 : (size_t)r;
		if (n >= size) {
			n = utf8_trim_partial(line, size - 2);
			line[n++] = '\n';
			line[n] = 0;
		}
		return n;
	}

	char t[64];
	log_time_rfc3339(t, sizeof(t));
	n = (size_t)snprintf(line, size, "{\"time\":\"%s\",\"level\":\"%s\",", t, level_names[level]);
	if (unit) {
		n += (size_t)snprintf(line + n, size - n, "\"service\":\"");
		n = utf8_json_escape(line, n, size - 16, unit, strlen(unit), NULL);
		n += (size_t)snprintf(line + n, size - n, "\",");
	}
	n += (size_t)snprintf(line + n, size - n, "\"msg\":\"");
	/* Room kept for the closing "}\n and the NUL. */
	n = utf8_json_escape(line, n, size - 4, msg, msg_len, NULL);
	n += (size_t)snprintf(line + n, size - n, "\"}\n");
	return n;
}

int log_full(enum log_level level, int err, const char *unit, const char *fmt, ...)
{
	int saved = errno;
	int e = err < 0 ? -err : err;
	char msg[MSG_MAX_LEN], line[LINE_MAX_LEN];
	va_list ap;
	int r;

	if ((int)level > log_max)
		goto out;

	va_start(ap, fmt);
	errno = e; /* for %m */
	r = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	size_t msg_len = r < 0 ? 0 : (size_t)r;
	if (msg_len >= sizeof(msg)) /* cut: not inside a character */
		msg_len = utf8_trim_partial(msg, sizeof(msg) - 1);

	emit(line, format_line(line, sizeof(line), level, unit, msg, msg_len));
out:
	errno = saved;
	return -e;
}

void log_set_nonblocking(void (*wake)(void))
{
	if (q.on)
		return;
	/* A stderr that is closed: every line is dropped, quietly. */
	(void)outfd_open(&q.out, STDERR_FILENO);
	q.owner = getpid();
	q.wake = wake;
	q.on = true;
}

int log_queue_fd(void)
{
	return q.len > 0 ? outfd_fd(&q.out) : -1;
}

bool log_flush(void)
{
	if (!q.on || getpid() != q.owner)
		return true;
	while (q.len > 0) {
		ssize_t k = outfd_write(&q.out, q.buf + q.head, q.len);
		if (k == -EAGAIN)
			return false;
		if (k <= 0) { /* the reader is gone: so are the lines */
			q.len = 0;
			break;
		}
		q.head += (size_t)k;
		q.len -= (size_t)k;
		q.partial = q.buf[q.head - 1] != '\n';
	}
	q.head = 0;
	q.partial = false;
	if (q.dropped > 0 && !q.finished) {
		unsigned long n = q.dropped;
		q.dropped = 0;
		log_warn("%lu log lines dropped (stderr was not read)", n);
	}
	return q.len == 0;
}

void log_finish(void)
{
	if (!q.on)
		return;
	(void)log_flush();
	q.finished = true;
	q.len = q.head = 0;
	q.partial = false;
	q.wake = NULL;
}
