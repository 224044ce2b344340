/* log.c: see log.h. A line is formatted into one buffer and written with a
 * single write(2), so lines from tend and from services never interleave
 * mid-line on a pipe. */
#include "config.h"

#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "common/log.h"

static const char *log_prog = "tend";
static int log_max = LOG_LVL_INFO;
static bool log_json;

static const char *const level_names[] = {
	[LOG_LVL_ERROR] = "error",
	[LOG_LVL_WARN] = "warning",
	[LOG_LVL_INFO] = "info",
	[LOG_LVL_DEBUG] = "debug",
};

void log_setup(const char *prog, int max_level, bool json)
{
	log_prog = prog;
	log_max = max_level;
	log_json = json;
}

void log_set_json(bool json) { log_json = json; }
int log_get_max_level(void) { return log_max; }
bool log_get_json(void) { return log_json; }

/* Append s to buf as a JSON string body (no quotes). */
static size_t json_escape(char *buf, size_t pos, size_t size, const char *s)
{
	for (; *s && pos + 7 < size; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			buf[pos++] = '\\';
			buf[pos++] = (char)c;
		} else if (c < 0x20) {
			pos += (size_t)snprintf(buf + pos, size - pos, "\\u%04x", c);
		} else {
			buf[pos++] = (char)c;
		}
	}
	buf[pos] = 0;
	return pos;
}

int log_full(enum log_level level, int err, const char *unit, const char *fmt, ...)
{
	int saved = errno;
	int e = err < 0 ? -err : err;
	char msg[2048], line[4096];
	size_t n;
	va_list ap;

	if ((int)level > log_max)
		goto out;

	va_start(ap, fmt);
	errno = e; /* for %m */
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	if (log_json) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		n = (size_t)snprintf(line, sizeof(line), "{\"time\":%lld.%03ld,\"level\":\"%s\",",
				     (long long)ts.tv_sec, ts.tv_nsec / 1000000, level_names[level]);
		if (unit) {
			n += (size_t)snprintf(line + n, sizeof(line) - n, "\"service\":\"");
			n = json_escape(line, n, sizeof(line) - 8, unit);
			n += (size_t)snprintf(line + n, sizeof(line) - n, "\",");
		}
		n += (size_t)snprintf(line + n, sizeof(line) - n, "\"msg\":\"");
		n = json_escape(line, n, sizeof(line) - 4, msg);
		n += (size_t)snprintf(line + n, sizeof(line) - n, "\"}\n");
	} else {
		n = (size_t)snprintf(line, sizeof(line), "%s: %s%s%s%s\n", log_prog,
				     level == LOG_LVL_WARN ? "warning: " : "", unit ? unit : "",
				     unit ? ": " : "", msg);
	}
	if (n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	(void)!write(STDERR_FILENO, line, n);
out:
	errno = saved;
	return -e;
}
