/* strv.c: see strv.h. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/strv.h"

size_t strv_length(char *const *l)
{
	size_t n = 0;
	while (l && l[n])
		n++;
	return n;
}

char **strv_free(char **l)
{
	for (size_t i = 0; l && l[i]; i++)
		free(l[i]);
	free(l);
	return NULL;
}

int strv_consume(char ***l, char *s)
{
	size_t n = strv_length(*l);
	char **nl = realloc(*l, (n + 2) * sizeof(char *));
	if (!nl)
		return -ENOMEM;
	nl[n] = s;
	nl[n + 1] = NULL;
	*l = nl;
	return 0;
}

int strv_push(char ***l, const char *s)
{
	char *c = strdup(s);
	if (!c)
		return -ENOMEM;
	int r = strv_consume(l, c);
	if (r < 0)
		free(c);
	return r;
}

char **strv_copy(char *const *l)
{
	char **c = calloc(strv_length(l) + 1, sizeof(char *));
	if (!c)
		return NULL;
	for (size_t i = 0; l && l[i]; i++)
		if (!(c[i] = strdup(l[i])))
			return strv_free(c);
	return c;
}

bool strv_contains(char *const *l, const char *s)
{
	for (size_t i = 0; l && l[i]; i++)
		if (strcmp(l[i], s) == 0)
			return true;
	return false;
}

bool strv_equal(char *const *a, char *const *b)
{
	size_t n = strv_length(a);
	if (n != strv_length(b))
		return false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(a[i], b[i]) != 0)
			return false;
	return true;
}

static size_t key_len(const char *s)
{
	const char *eq = strchr(s, '=');
	return eq ? (size_t)(eq - s) : strlen(s);
}

const char *strv_env_get(char *const *l, const char *key)
{
	size_t k = strlen(key);
	for (size_t i = 0; l && l[i]; i++)
		if (key_len(l[i]) == k && strncmp(l[i], key, k) == 0 && l[i][k] == '=')
			return l[i] + k + 1;
	return NULL;
}

int strv_env_set(char ***l, const char *assignment)
{
	size_t k = key_len(assignment);
	char *c = strdup(assignment);
	if (!c)
		return -ENOMEM;
	for (size_t i = 0; *l && (*l)[i]; i++)
		if (key_len((*l)[i]) == k && strncmp((*l)[i], assignment, k) == 0) {
			free((*l)[i]);
			(*l)[i] = c;
			return 0;
		}
	int r = strv_consume(l, c);
	if (r < 0)
		free(c);
	return r;
}

void strv_env_unset(char **l, const char *key)
{
	size_t k = strlen(key);
	for (size_t i = 0; l && l[i];) {
		if (key_len(l[i]) == k && strncmp(l[i], key, k) == 0) {
			free(l[i]);
			memmove(l + i, l + i + 1, (strv_length(l + i + 1) + 1) * sizeof(char *));
		} else
			i++;
	}
}
