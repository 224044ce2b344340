/* strv.h: NULL-terminated string vectors (argv, envp, lists). */
#ifndef TEND_STRV_H
#define TEND_STRV_H

#include <stdbool.h>
#include <stddef.h>

size_t strv_length(char *const *l);
/* Frees every string and the vector; accepts NULL; returns NULL. */
char **strv_free(char **l);
static inline void strv_freep(char ***l) { strv_free(*l); }
#define _cleanup_strv_free_ __attribute__((cleanup(strv_freep)))
/* Append (taking ownership of s on success). -ENOMEM on failure. */
int strv_consume(char ***l, char *s);
/* Append a copy of s. */
int strv_push(char ***l, const char *s);
char **strv_copy(char *const *l);
bool strv_contains(char *const *l, const char *s);
bool strv_equal(char *const *a, char *const *b);
/* Environment-style lookup/replace of "KEY=VALUE" entries. */
const char *strv_env_get(char *const *l, const char *key);
int strv_env_set(char ***l, const char *assignment);
/* Remove every KEY=... entry of `key` (a name without '='). */
void strv_env_unset(char **l, const char *key);

#endif
