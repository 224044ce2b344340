/* diag.c: the list of configuration errors and warnings (see conf.h). */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/strv.h"
#include "conf/internal.h"

void conf_diag_clear(struct conf_diag *d)
{
	d->lines = strv_free(d->lines);
	d->n = 0;
	d->warnings = strv_free(d->warnings);
	d->n_warnings = 0;
}

static int add(char ***l, size_t *n, const char *file, int line, const char *prefix, const char *fmt, va_list ap)
{
	char msg[1024], *s;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	int r = line > 0 ? asprintf(&s, "%s:%d: %s%s", file, line, prefix, msg)
			 : asprintf(&s, "%s: %s%s", file, prefix, msg);
	if (r < 0)
		return -ENOMEM;
	r = conf_strv_append(l, n, s);
	if (r < 0)
		free(s);
	return r;
}

int conf_diag_add(struct conf_diag *d, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = add(&d->lines, &d->n, file, line, "", fmt, ap);
	va_end(ap);
	return r;
}

int conf_diag_warn(struct conf_diag *d, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = add(&d->warnings, &d->n_warnings, file, line, "warning: ", fmt, ap);
	va_end(ap);
	return r;
}
