/* log.h: one event a line on stderr, text or JSON lines.
 *
 * "Log once, at the layer that decides": helpers return -errno and stay
 * silent; the caller that decides what happens next logs once. Every
 * logging call keeps errno and returns -abs(err) (or 0 when err is 0), so
 * `return log_error_errno(r, "unable to mount %s: %m", where);` works;
 * %m prints strerror(abs(err)). Environment values must never be passed
 * here (secrets). */
#ifndef TEND_LOG_H
#define TEND_LOG_H

#include <stdbool.h>
#include "common/util.h"

enum log_level {
	LOG_LVL_ERROR,
	LOG_LVL_WARN,
	LOG_LVL_INFO,
	LOG_LVL_DEBUG,
};

/* prog prefixes text lines ("tend: ..."); verbosity is the highest level
 * printed (default LOG_LVL_INFO); json switches to JSON lines. */
void log_setup(const char *prog, int max_level, bool json);
void log_set_json(bool json);
int log_get_max_level(void);
bool log_get_json(void);

/* Now as RFC 3339 in UTC with microseconds, "2026-12-06T06:19:46.123456Z",
 * the "time" of JSON lines (tend's own and its services'). Returns its
 * length. */
size_t log_time_rfc3339(char *buf, size_t size);

/* unit: a service name or NULL. Returns -abs(err), or 0. A JSON line is
 * valid UTF-8 JSON whatever bytes msg and unit hold (U+FFFD for what is not
 * UTF-8); a line too long is cut between characters. */
int log_full(enum log_level level, int err, const char *unit, const char *fmt, ...) _printf_(4, 5);

/* From now on stderr never blocks this process (tend, once its loop
 * runs): a line the reader does not take waits in a bounded queue, and
 * wake() is called so that the caller watches log_queue_fd() for EV_WRITE
 * and calls log_flush() when it is writable. A full queue drops its oldest
 * whole lines; once it is empty again a warning says how many. Before,
 * and in other programs, stderr is written with blocking writes. */
void log_set_nonblocking(void (*wake)(void));
/* The fd to wait on while lines are queued, else -1. */
int log_queue_fd(void);
/* Write what can be written now; true when nothing is left queued. */
bool log_flush(void);
/* At the end: what is still queued is dropped; later lines are written
 * only as far as the reader takes them at once. */
void log_finish(void);

#define log_error_errno(err, ...) log_full(LOG_LVL_ERROR, (err), NULL, __VA_ARGS__)
#define log_warn_errno(err, ...) log_full(LOG_LVL_WARN, (err), NULL, __VA_ARGS__)
#define log_error(...) log_full(LOG_LVL_ERROR, 0, NULL, __VA_ARGS__)
#define log_warn(...) log_full(LOG_LVL_WARN, 0, NULL, __VA_ARGS__)
#define log_info(...) log_full(LOG_LVL_INFO, 0, NULL, __VA_ARGS__)
#define log_debug(...) log_full(LOG_LVL_DEBUG, 0, NULL, __VA_ARGS__)

#endif
