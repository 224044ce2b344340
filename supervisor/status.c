/* status.c: see status.h. Text goes through open_memstream(), JSON through
 * jansson; nothing here logs (the caller decides what a failure means). */
#include "config.h"

#include <dirent.h>
#include <jansson.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "common/utf8.h"
#include "common/util.h"
#include "supervisor/service.h"
#include "supervisor/status.h"
#include "supervisor/supervisor.h"

static const char *probe_kind_name(enum conf_probe_kind k)
{
	switch (k) {
	case CONF_PROBE_TCP: return "tcp";
	case CONF_PROBE_HTTP: return "http";
	case CONF_PROBE_EXEC: return "exec";
	case CONF_PROBE_NOTIFY: return "notify";
	default: return "none";
	}
}

static uint64_t uptime_ms(const struct svc *v, uint64_t now)
{
	return svc_alive(v) && v->start_ms && now > v->start_ms ? now - v->start_ms : 0;
}

/* "45s", "5m12s", "3h04m", "2d03h": two units are enough to read. */
static const char *fmt_uptime(char *buf, size_t len, uint64_t ms)
{
	uint64_t s = ms / 1000;
	if (s < 60)
		snprintf(buf, len, "%us", (unsigned)s);
	else if (s < 3600)
		snprintf(buf, len, "%um%02us", (unsigned)(s / 60), (unsigned)(s % 60));
	else if (s < 86400)
		snprintf(buf, len, "%uh%02um", (unsigned)(s / 3600), (unsigned)(s % 3600 / 60));
	else
		snprintf(buf, len, "%llud%02uh", (unsigned long long)(s / 86400), (unsigned)(s % 86400 / 3600));
	return buf;
}

/* The services to show: one by name, or all. */
static int select_services(const struct sup *sup, const char *name, size_t *ret_first, size_t *ret_end)
{
	size_t n = sup_n_services(sup);
	if (!name) {
		*ret_first = 0;
		*ret_end = n;
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		if (strcmp(sup_service(sup, i)->conf->name, name) == 0) {
			*ret_first = i;
			*ret_end = i + 1;
			return 0;
		}
	return -ENOENT;
}

static int close_stream(FILE *f, char **buf, char **ret)
{
	bool bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		free(*buf);
		return -ENOMEM;
	}
	*ret = *buf;
	return 0;
}

/* ---- table ----------------------------------------------------------- */

enum { COL_NAME, COL_STATE, COL_PID, COL_UPTIME, COL_RESTARTS, COL_EXIT, N_COLS };
#define CELL 80 /* names are at most 64 bytes (conf_valid_name) */

int status_table(const struct sup *sup, const char *name, char **ret)
{
	static const char *const head[N_COLS] = { "NAME", "STATE", "PID", "UPTIME", "RESTARTS", "LAST EXIT" };
	size_t first, end, width[N_COLS];
	uint64_t now = now_ms();
	int r = select_services(sup, name, &first, &end);
	if (r < 0)
		return r;

	/* Cells first, so that the columns can be as wide as their widest. */
	size_t rows = end - first;
	char (*cell)[N_COLS][CELL] = calloc(rows ? rows : 1, sizeof(*cell));
	if (!cell)
		return -ENOMEM;
	for (int c = 0; c < N_COLS; c++)
		width[c] = strlen(head[c]);
	for (size_t i = 0; i < rows; i++) {
		const struct svc *v = sup_service(sup, first + i);
		snprintf(cell[i][COL_NAME], CELL, "%s", v->conf->name);
		snprintf(cell[i][COL_STATE], CELL, "%s", svc_state_name(svc_state(v)));
		if (v->pid > 0)
			snprintf(cell[i][COL_PID], CELL, "%d", (int)v->pid);
		else
			snprintf(cell[i][COL_PID], CELL, "-");
		if (svc_alive(v))
			fmt_uptime(cell[i][COL_UPTIME], CELL, uptime_ms(v, now));
		else
			snprintf(cell[i][COL_UPTIME], CELL, "-");
		snprintf(cell[i][COL_RESTARTS], CELL, "%u", v->restarts);
		svc_last_exit(v, cell[i][COL_EXIT], CELL);
		for (int c = 0; c < N_COLS; c++)
			if (strlen(cell[i][c]) > width[c])
				width[c] = strlen(cell[i][c]);
	}

	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f) {
		free(cell);
		return -ENOMEM;
	}
	for (size_t i = 0; i <= rows; i++) {
		for (int c = 0; c < N_COLS; c++) {
			const char *t = i == 0 ? head[c] : cell[i - 1][c];
			if (c == N_COLS - 1)
				fprintf(f, "%s\n", t);
			else
				fprintf(f, "%-*s  ", (int)width[c], t);
		}
	}
	free(cell);
	return close_stream(f, &buf, ret);
}

/* ---- JSON ------------------------------------------------------------ */

/* jansson's setters steal the value and fail on NULL: one check at the end
 * (json_object_set_new() returns -1) covers every allocation. */
static int set(json_t *o, const char *k, json_t *v)
{
	return json_object_set_new(o, k, v);
}

/* Any text as a JSON string. jansson refuses invalid UTF-8, and one such
 * byte (a service's STATUS=, a probe's last line) would fail the whole
 * document: what is not UTF-8 reads U+FFFD. NULL when out of memory. */
static json_t *text(const char *s)
{
	size_t n = strlen(s);
	if (utf8_valid(s, n))
		return json_stringn(s, n);
	/* Each byte becomes at most the three of U+FFFD. */
	char *buf = malloc(3 * n + 1);
	if (!buf)
		return NULL;
	utf8_sanitize(buf, 3 * n + 1, s, n);
	json_t *j = json_string(buf);
	free(buf);
	return j;
}

static json_t *str_or_null(const char *s)
{
	return s && *s ? text(s) : json_null();
}

static json_t *service_json(const struct svc *v, bool is_main, uint64_t now)
{
	char b[64];
	int st = v->last_status;
	json_t *o = json_object(), *rp = json_object(), *hp = json_object();
	int r = 0;

	if (!o || !rp || !hp) {
		json_decref(o);
		json_decref(rp);
		json_decref(hp);
		return NULL;
	}
	r |= set(o, "name", text(v->conf->name));
	r |= set(o, "state", json_string(svc_state_name(svc_state(v))));
	r |= set(o, "main", json_boolean(is_main));
	r |= set(o, "pid", v->pid > 0 ? json_integer(v->pid) : json_null());
	r |= set(o, "uptime", svc_alive(v) ? json_real((double)uptime_ms(v, now) / 1000.0) : json_null());
	r |= set(o, "restarts", json_integer(v->restarts));
	r |= set(o, "last_exit", st < 0 ? json_null() : json_string(svc_last_exit(v, b, sizeof(b))));
	r |= set(o, "last_exit_code", st >= 0 && WIFEXITED(st) ? json_integer(WEXITSTATUS(st)) : json_null());
	r |= set(o, "last_exit_signal",
		 st >= 0 && WIFSIGNALED(st) ? json_string(conf_signal_name(WTERMSIG(st))) : json_null());
	r |= set(o, "last_start", v->start_wall ? json_integer(v->start_wall) : json_null());
	r |= set(o, "last_exit_time", v->exit_wall ? json_integer(v->exit_wall) : json_null());
	r |= set(rp, "type", json_string(probe_kind_name(v->conf->ready.kind)));
	r |= set(rp, "passed", json_boolean(v->ready_ms != 0));
	r |= set(hp, "type", json_string(probe_kind_name(v->conf->health.kind)));
	r |= set(hp, "failures", json_integer(v->probe_failures));
	r |= set(o, "ready_probe", rp);
	r |= set(o, "health_probe", hp);
	r |= set(o, "last_probe", str_or_null(v->probe_state));
	r |= set(o, "status_text", str_or_null(v->status_text));
	if (r) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int status_json(const struct sup *sup, const char *name, bool pretty, char **ret)
{
	size_t first, end;
	uint64_t now = now_ms();
	const char *main_name = sup_conf(sup)->tend.main;
	int r = select_services(sup, name, &first, &end);
	if (r < 0)
		return r;

	json_t *root = json_object(), *t = json_object(), *list = json_array();
	r = !root || !t || !list;
	if (!r) {
		r |= set(t, "pid", json_integer(getpid()));
		r |= set(t, "ready", json_boolean(sup_is_ready(sup)));
		r |= set(t, "stopping", json_boolean(sup_is_stopping(sup)));
		r |= set(t, "main", str_or_null(main_name));
		for (size_t i = first; i < end && !r; i++) {
			const struct svc *v = sup_service(sup, i);
			bool is_main = main_name && strcmp(main_name, v->conf->name) == 0;
			r |= json_array_append_new(list, service_json(v, is_main, now));
		}
		r |= set(root, "tend", t);
		r |= set(root, "services", list);
	} else {
		json_decref(t);
		json_decref(list);
	}
	char *s = r ? NULL : json_dumps(root, JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12) |
				    (pretty ? JSON_INDENT(2) : JSON_COMPACT));
	json_decref(root);
	if (!s)
		return -ENOMEM;
	/* jansson's memory is malloc()'s by default: free() is fine. */
	*ret = s;
	return 0;
}

/* ---- Prometheus ---------------------------------------------------------- */

/* A label value: UTF-8 (as the exposition format requires), backslash,
 * double quote and newline escaped. */
static void put_label(FILE *f, const char *label)
{
	char buf[3 * 64 + 1]; /* names are at most 64 bytes */
	const char *s = buf;

	utf8_sanitize(buf, sizeof(buf), label, strlen(label));
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void svc_sample(FILE *f, const char *metric, const struct svc *v, const char *value)
{
	fprintf(f, "%s{service=\"", metric);
	put_label(f, v->conf->name);
	fprintf(f, "\"} %s\n", value);
}

static long self_rss_bytes(void)
{
	_cleanup_free_ char *s = NULL;
	unsigned long size, resident;
	if (read_full_file("/proc/self/statm", &s, NULL) < 0 || sscanf(s, "%lu %lu", &size, &resident) != 2)
		return -1;
	return (long)resident * sysconf(_SC_PAGESIZE);
}

static long self_open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	long n = 0;
	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory's own fd */
}

int status_metrics(const struct sup *sup, char **ret)
{
	size_t n = sup_n_services(sup);
	uint64_t now = now_ms();
	char *buf = NULL, v[64];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return -ENOMEM;

	family(f, "tend_ready", "gauge", "1 when the main service (or every service) is ready, as /ready.");
	fprintf(f, "tend_ready %d\n", sup_is_ready(sup));
	family(f, "tend_stopping", "gauge", "1 while tend is shutting down (draining or stopping services).");
	fprintf(f, "tend_stopping %d\n", sup_is_stopping(sup));

	family(f, "tend_service_state", "gauge", "1 for the state the service is in, 0 for the others.");
	for (size_t i = 0; i < n; i++) {
		const struct svc *s = sup_service(sup, i);
		for (int st = 0; st < _SVC_STATE_MAX; st++) {
			fprintf(f, "tend_service_state{service=\"");
			put_label(f, s->conf->name);
			fprintf(f, "\",state=\"%s\"} %d\n", svc_state_name(st), (int)svc_state(s) == st);
		}
	}
	family(f, "tend_service_restarts_total", "counter", "Automatic restarts of the service.");
	for (size_t i = 0; i < n; i++) {
		snprintf(v, sizeof(v), "%u", sup_service(sup, i)->restarts);
		svc_sample(f, "tend_service_restarts_total", sup_service(sup, i), v);
	}
	family(f, "tend_service_last_exit_code", "gauge",
	       "Exit code of the service's last run, 128+N for a death by signal N (absent before the first exit).");
	for (size_t i = 0; i < n; i++) {
		const struct svc *s = sup_service(sup, i);
		if (svc_last_exit_code(s) < 0)
			continue;
		snprintf(v, sizeof(v), "%d", svc_last_exit_code(s));
		svc_sample(f, "tend_service_last_exit_code", s, v);
	}
	family(f, "tend_service_uptime_seconds", "gauge", "Seconds since the service's current run started (0: not running).");
	for (size_t i = 0; i < n; i++) {
		snprintf(v, sizeof(v), "%.3f", (double)uptime_ms(sup_service(sup, i), now) / 1000.0);
		svc_sample(f, "tend_service_uptime_seconds", sup_service(sup, i), v);
	}
	family(f, "tend_service_probe_failures", "gauge", "Health probe failures in a row.");
	for (size_t i = 0; i < n; i++) {
		snprintf(v, sizeof(v), "%u", sup_service(sup, i)->probe_failures);
		svc_sample(f, "tend_service_probe_failures", sup_service(sup, i), v);
	}

	long rss = self_rss_bytes(), fds = self_open_fds();
	struct rlimit rl;
	if (rss >= 0) {
		family(f, "process_resident_memory_bytes", "gauge", "Resident memory of tend itself, in bytes.");
		fprintf(f, "process_resident_memory_bytes %ld\n", rss);
	}
	if (fds >= 0) {
		family(f, "process_open_fds", "gauge", "File descriptors tend itself has open.");
		fprintf(f, "process_open_fds %ld\n", fds);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
		family(f, "process_max_fds", "gauge", "tend's limit of open file descriptors.");
		fprintf(f, "process_max_fds %llu\n", (unsigned long long)rl.rlim_cur);
	}
	return close_stream(f, &buf, ret);
}
