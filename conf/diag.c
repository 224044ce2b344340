/* diag.c: the list of configuration errors (see conf.h). */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/strv.h"
#include "conf/conf.h"

void conf_diag_clear(struct conf_diag *d)
{
	d->lines = strv_free(d->lines);
	d->n = 0;
}

int conf_diag_add(struct conf_diag *d, const char *file, int line, const char *fmt, ...)
{
	char msg[1024], *s;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	int r = line > 0 ? asprintf(&s, "%s:%d: %s", file, line, msg) : asprintf(&s, "%s: %s", file, msg);
	if (r < 0)
		return -ENOMEM;
	r = strv_consume(&d->lines, s);
	if (r < 0) {
		free(s);
		return r;
	}
	d->n++;
	return 0;
}
