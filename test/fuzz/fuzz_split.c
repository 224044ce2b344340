/* fuzz_split.c: libFuzzer harness for the command-line splitter
 * (conf_split_command in conf/values.c), which turns `command =`,
 * `exec:` probes and `tend -- ...` style strings into an argv.
 *
 * Whatever the bytes, it either refuses with -EINVAL (an open quote) or
 * gives a NULL-terminated argv of at least one word: no word longer than
 * the input, no more words than could fit, never a crash, a leak or UB.
 * The words quoted back (single quotes) split into the same words. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/strv.h"
#include "conf/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Each word in single quotes, a ' inside written as '"'"' (close, a
 * double-quoted quote, reopen), as a shell user would write it. */
static char *quote_all(char **argv)
{
	size_t n = 1;
	for (char **a = argv; *a; a++)
		n += strlen(*a) * 5 + 3;
	char *s = malloc(n), *p = s;
	if (!s)
		return NULL;
	for (char **a = argv; *a; a++) {
		*p++ = '\'';
		for (const char *c = *a; *c; c++) {
			if (*c == '\'') {
				memcpy(p, "'\"'\"'", 5);
				p += 5;
			} else
				*p++ = *c;
		}
		*p++ = '\'';
		*p++ = ' ';
	}
	*p = 0;
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	size_t len = strlen(s); /* a command line ends at NUL, as in the file */

	char **argv = NULL;
	int r = conf_split_command(s, &argv);
	if (r < 0) {
		if (r != -EINVAL && r != -ENOMEM)
			abort();
		if (argv)
			abort(); /* untouched on failure */
		free(s);
		return 0;
	}
	if (!argv)
		abort();
	size_t n = strv_length(argv);
	if (n == 0 || n > len / 2 + 1)
		abort();
	for (size_t i = 0; i < n; i++)
		if (strlen(argv[i]) > len)
			abort();

	/* Round trip: quote every word and split again. */
	char *q = quote_all(argv);
	if (q) {
		char **again = NULL;
		if (conf_split_command(q, &again) == 0 && !strv_equal(argv, again))
			abort();
		strv_free(again);
		free(q);
	}
	strv_free(argv);
	free(s);
	return 0;
}
