/* load.c: conf_load() and conf_load_string(): read, parse, complete the
 * model (inherited defaults, the `-- COMMAND` service), validate, and
 * hand the model over only when no error was found. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strv.h"
#include "common/util.h"
#include "conf/internal.h"

/* The command after `--` becomes service `main`, and the main service. */
static int add_cmdline(struct conf *c, struct conf_lines *lines, const char *name, char *const *cmdline,
		       struct conf_diag *d)
{
	const struct conf_service *dup = conf_service_find(c, "main");
	if (dup)
		return conf_diag_add(d, name, dup->line,
				     "[service:main] is not allowed with a command after '--' (that command is service 'main')");
	if (!cmdline[0])
		return conf_diag_add(d, name, 0, "empty command after '--'");
	size_t i;
	int r = conf_service_add(c, "main", 0, &i);
	if (r < 0)
		return r;
	struct conf_service *s = &c->services[i];
	s->restart = CONF_RESTART_NO; /* as in single-command mode: its exit is tend's */
	s->stop_timeout_ms = c->tend.stop_timeout_ms;
	if (!(s->argv = strv_copy(cmdline)))
		return -ENOMEM;
	if (conf_grow(&lines->svc, lines->n, lines->n + 1, sizeof(*lines->svc)) < 0)
		return -ENOMEM;
	lines->svc[lines->n++] = (struct conf_svc_lines){ 0 };
	free(c->tend.main);
	c->tend.main = strdup("main");
	c->tend.main_line = 0;
	return c->tend.main ? 0 : -ENOMEM;
}

struct entry {
	int line;
	size_t index;
	char *text;
};

static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* Put the messages added since `from` in file order (parse errors come
 * line by line, the checks of the whole model after them). Messages
 * without a line come first. */
static void sort_diag(char **l, size_t from, size_t to, const char *name)
{
	size_t n = to - from, nl = strlen(name);
	if (n < 2)
		return;
	struct entry *e = calloc(n, sizeof(*e));
	if (!e)
		return; /* unsorted is still right */
	for (size_t i = 0; i < n; i++) {
		const char *s = l[from + i];
		e[i] = (struct entry){ .line = 0, .index = i, .text = l[from + i] };
		if (strncmp(s, name, nl) == 0 && s[nl] == ':')
			e[i].line = (int)strtol(s + nl + 1, NULL, 10);
	}
	qsort(e, n, sizeof(*e), cmp_entry);
	for (size_t i = 0; i < n; i++)
		l[from + i] = e[i].text;
	free(e);
}

static int load_string(const char *name, const char *text, size_t len, char *const *cmdline, bool net_only,
		       struct conf **ret, struct conf_diag *diag)
{
	size_t before = diag->n;
	struct conf_lines lines = { .net_only = net_only };
	struct conf *c = conf_new();
	int r = -ENOMEM;
	if (!c || !(c->path = strdup(name)))
		goto out;
	r = conf_parse_text(c, &lines, name, text, len, diag);
	if (r < 0)
		goto out;
	/* A service's stop_timeout defaults to [tend]'s, wherever [tend] is. */
	for (size_t i = 0; i < c->n_services && i < lines.n; i++)
		if (!lines.svc[i].stop_timeout)
			c->services[i].stop_timeout_ms = c->tend.stop_timeout_ms;
	if (cmdline) {
		r = add_cmdline(c, &lines, name, cmdline, diag);
		if (r < 0)
			goto out;
	}
	if (!lines.binary) {
		r = conf_validate(c, &lines, name, cmdline != NULL, diag);
		if (r < 0)
			goto out;
	}
	if (diag->n > before) {
		sort_diag(diag->lines, before, diag->n, name);
		r = -EINVAL;
		goto out;
	}
	r = conf_fingerprint(c);
	if (r < 0)
		goto out;
	*ret = TAKE_PTR(c);
	r = 0;
out:
	free(lines.svc);
	conf_free(c);
	return r;
}

int conf_load_string(const char *name, const char *text, size_t len, char *const *cmdline,
		     struct conf **ret, struct conf_diag *diag)
{
	return load_string(name, text, len, cmdline, false, ret, diag);
}

int conf_load_network(const char *name, const char *text, size_t len, struct conf **ret,
		      struct conf_diag *diag)
{
	return load_string(name, text, len, NULL, true, ret, diag);
}

int conf_load(const char *path, char *const *cmdline, struct conf **ret, struct conf_diag *diag)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = read_full_file(path, &text, &len);
	if (r < 0) {
		if (r == -EFBIG)
			conf_diag_add(diag, path, 0, "file too large (at most 1 MiB)");
		else {
			char reason[128];
			snprintf(reason, sizeof(reason), "%s", strerror(-r));
			reason[0] = (char)tolower((unsigned char)reason[0]);
			conf_diag_add(diag, path, 0, "%s", reason);
		}
		return r;
	}
	return conf_load_string(path, text, len, cmdline, ret, diag);
}
