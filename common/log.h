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

/* unit: a service name or NULL. Returns -abs(err), or 0. */
int log_full(enum log_level level, int err, const char *unit, const char *fmt, ...) _printf_(4, 5);

#define log_error_errno(err, ...) log_full(LOG_LVL_ERROR, (err), NULL, __VA_ARGS__)
#define log_warn_errno(err, ...) log_full(LOG_LVL_WARN, (err), NULL, __VA_ARGS__)
#define log_error(...) log_full(LOG_LVL_ERROR, 0, NULL, __VA_ARGS__)
#define log_warn(...) log_full(LOG_LVL_WARN, 0, NULL, __VA_ARGS__)
#define log_info(...) log_full(LOG_LVL_INFO, 0, NULL, __VA_ARGS__)
#define log_debug(...) log_full(LOG_LVL_DEBUG, 0, NULL, __VA_ARGS__)

#endif
