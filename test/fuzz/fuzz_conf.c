/* fuzz_conf.c: libFuzzer harness for the configuration parser.
 *
 * Any input must give either a model or a list of errors: never a crash,
 * a leak, a hang or undefined behaviour (the harness is built with ASan
 * and UBSan). The first byte also chooses whether a `-- COMMAND` is
 * given, so that single-command mode with a file is covered too. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "conf/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *const cmdline[] = { "sleep", "1", NULL };
	struct conf_diag d = { 0 };
	struct conf *c = NULL;
	bool with_cmd = size > 0 && (data[0] & 0x80) == 0 && (data[0] % 7) == 0;

	int r = conf_load_string("fuzz.ini", (const char *)data, size, with_cmd ? cmdline : NULL, &c, &d);
	/* The contract of conf_load_string(): a model exactly when it succeeded,
	 * and errors exactly when it did not. */
	if ((r == 0) != (c != NULL) || (r == -22) != (d.n > 0))
		abort();
	if (c)
		for (size_t i = 0; i < c->n_services; i++)
			if (!c->services[i].argv || !c->services[i].fingerprint ||
			    conf_service_find(c, c->services[i].name) == NULL)
				abort();
	conf_free(c);
	conf_diag_clear(&d);
	return 0;
}
