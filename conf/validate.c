/* validate.c: checks of the whole model, after every line was parsed:
 * services without a command, `after` and `main` naming services that do
 * not exist, dependency cycles, keys that need other keys. Every error is
 * collected (not only the first), at the line of the key or section it is
 * about. What depends on the machine (users, paths, programs) is left to
 * the moment a service starts. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strv.h"
#include "common/util.h"
#include "conf/internal.h"

struct vctx {
	const struct conf *c;
	const struct conf_lines *lines;
	const char *name;
	struct conf_diag *d;
	size_t *by_name; /* service indices sorted by name, for look-ups */
	int errors;
};

static int cmp_index(const void *a, const void *b, void *arg)
{
	const struct conf *c = arg;
	return strcmp(c->services[*(const size_t *)a].name, c->services[*(const size_t *)b].name);
}

/* Index of the service called `name`, or -1. */
static long find(const struct vctx *v, const char *name)
{
	size_t lo = 0, hi = v->c->n_services;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = strcmp(name, v->c->services[v->by_name[mid]].name);
		if (r == 0)
			return (long)v->by_name[mid];
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

static int line_of(const struct vctx *v, size_t svc, int what)
{
	return svc < v->lines->n && what ? what : v->c->services[svc].line;
}

#define VERR(v, line, ...)                                                        \
	do {                                                                      \
		conf_diag_add((v)->d, (v)->name, (line), __VA_ARGS__);            \
		(v)->errors++;                                                    \
	} while (0)

static int svc_after_line(const struct vctx *v, size_t i)
{
	return line_of(v, i, i < v->lines->n ? v->lines->svc[i].after : 0);
}

/* Depth-first search over `after` edges, without recursion (a file may
 * hold many services). A back edge closes a cycle, which is named from
 * the service it returns to, and reported at that service's `after`. */
static int check_cycles(struct vctx *v)
{
	const struct conf *c = v->c;
	size_t n = c->n_services;
	_cleanup_free_ unsigned char *color = calloc(n ? n : 1, 1); /* 0 new, 1 on the path, 2 done */
	_cleanup_free_ size_t *stack = calloc(n ? n : 1, sizeof(size_t));
	_cleanup_free_ size_t *edge = calloc(n ? n : 1, sizeof(size_t));
	if (!color || !stack || !edge)
		return -ENOMEM;
	for (size_t root = 0; root < n; root++) {
		if (color[root])
			continue;
		size_t depth = 0;
		stack[depth] = root;
		edge[depth] = 0;
		color[root] = 1;
		depth++;
		while (depth) {
			size_t cur = stack[depth - 1];
			char **after = c->services[cur].after;
			const char *next_name = after ? after[edge[depth - 1]] : NULL;
			if (!next_name) {
				color[cur] = 2;
				depth--;
				continue;
			}
			edge[depth - 1]++;
			long nx = find(v, next_name);
			if (nx < 0 || color[nx] == 2)
				continue;
			if (color[nx] == 1) {
				/* The cycle is the path from nx to cur, back to nx. */
				size_t from = 0;
				while (stack[from] != (size_t)nx)
					from++;
				char *buf = NULL;
				size_t len = 0;
				FILE *f = open_memstream(&buf, &len);
				if (!f)
					return -ENOMEM;
				for (size_t i = from; i < depth; i++)
					fprintf(f, "%s -> ", c->services[stack[i]].name);
				fputs(c->services[nx].name, f);
				if (fclose(f) != 0) {
					free(buf);
					return -ENOMEM;
				}
				VERR(v, svc_after_line(v, (size_t)nx), "dependency cycle: %s", buf);
				free(buf);
				continue;
			}
			color[nx] = 1;
			stack[depth] = (size_t)nx;
			edge[depth] = 0;
			depth++;
		}
	}
	return 0;
}

/* `after` naming a service that is not in the file is an error, as the
 * contract says: a typo would otherwise start a service before what it
 * needs (with `-- COMMAND`, `main` is in the model by now). */
static void check_after(struct vctx *v, size_t i)
{
	const struct conf_service *s = &v->c->services[i];
	for (size_t j = 0; s->after && s->after[j]; j++)
		if (find(v, s->after[j]) < 0)
			VERR(v, svc_after_line(v, i), "'after' names unknown service '%s'", s->after[j]);
}

int conf_validate(struct conf *c, const struct conf_lines *lines, const char *name, bool cmdline,
		  struct conf_diag *d)
{
	struct vctx v = { .c = c, .lines = lines, .name = name, .d = d };
	_cleanup_free_ size_t *by_name = calloc(c->n_services ? c->n_services : 1, sizeof(size_t));
	if (!by_name)
		return -ENOMEM;
	for (size_t i = 0; i < c->n_services; i++)
		by_name[i] = i;
	qsort_r(by_name, c->n_services, sizeof(size_t), cmp_index, c);
	v.by_name = by_name;

	if (c->n_services == 0 && !cmdline && lines->service_sections == 0 && !lines->net_only)
		VERR(&v, 0, "no service to run");

	for (size_t i = 0; i < c->n_services; i++) {
		const struct conf_service *s = &c->services[i];
		const struct conf_svc_lines *sl = i < lines->n ? &lines->svc[i] : NULL;
		if (!s->argv && !(sl && sl->command))
			VERR(&v, s->line, "service '%s' has no command", s->name);
		check_after(&v, i);
		if (sl && sl->every && s->type != CONF_SVC_ONESHOT)
			VERR(&v, sl->every, "'every' needs 'type = oneshot'");
		if (sl && sl->health_interval && s->health_interval_ms == 0)
			VERR(&v, sl->health_interval, "'health_interval' must be more than 0");
		if (sl && sl->health_timeout && s->health_timeout_ms == 0)
			VERR(&v, sl->health_timeout, "'health_timeout' must be more than 0");
		/* (r2) Rotation is of a FILE output: anywhere else the size
		 * would silently bound nothing. */
		if (sl && sl->log_max_size && s->log_max_size && s->out.kind != CONF_OUT_FILE &&
		    s->err.kind != CONF_OUT_FILE)
			VERR(&v, sl->log_max_size, "'log_max_size' needs 'stdout' or 'stderr' = FILE");
	}
	int r = check_cycles(&v);
	if (r < 0)
		return r;

	if (c->tend.main && find(&v, c->tend.main) < 0)
		VERR(&v, c->tend.main_line, "'main' names unknown service '%s'", c->tend.main);

	/* The container side of [network] acts on `interface`; without it
	 * only lo is brought up, and these keys would silently do nothing. */
	if (!c->net.interface) {
		const struct { const char *key; int line; } need[] = {
			{ "rename", lines->rename }, { "address", lines->address }, { "gateway", lines->gateway },
			{ "route", lines->route },   { "mtu", lines->mtu },
		};
		for (size_t i = 0; i < ELEMENTSOF(need); i++)
			if (need[i].line)
				VERR(&v, need[i].line, "'%s' needs 'interface' in [network]", need[i].key);
	}
	return v.errors;
}
