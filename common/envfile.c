/* envfile.c: parsing of env_file contents. Kept apart from spawn.c, which
 * runs it in the forked child, so that the fuzzer can reach it. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/envfile.h"
#include "common/strv.h"

static int apply_line(char *line, char ***env)
{
	line += strspn(line, " \t");
	size_t len = strlen(line);
	while (len && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
		line[--len] = 0;
	if (!*line || *line == '#')
		return 0;
	if (strncmp(line, "export ", 7) == 0)
		line += 7 + strspn(line + 7, " \t");
	char *eq = strchr(line, '=');
	if (!eq || eq == line)
		return -EINVAL;
	/* One pair of matching quotes around the value. */
	size_t vl = strlen(eq + 1);
	if (vl >= 2 && (eq[1] == '"' || eq[1] == '\'') && eq[vl] == eq[1]) {
		memmove(eq + 1, eq + 2, vl - 2);
		eq[vl - 1] = 0;
	}
	return strv_env_set(env, line);
}

int envfile_apply(const char *data, size_t len, char ***env, size_t *ret_line)
{
	size_t lineno = 0;
	const char *p = data, *end = data + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		char *line = strndup(p, n); /* stops at a NUL byte */
		lineno++;
		if (!line)
			return -ENOMEM;
		int r = apply_line(line, env);
		free(line);
		if (r < 0) {
			if (r == -EINVAL && ret_line)
				*ret_line = lineno;
			return r;
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}
