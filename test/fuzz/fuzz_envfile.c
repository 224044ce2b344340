/* fuzz_envfile.c: libFuzzer harness for the env_file reader
 * (envfile_apply in common/envfile.c). The file is the operator's, or the
 * service's own when a service can write its folder, so any bytes.
 *
 * Whatever the bytes: 0, -EINVAL with a line number within the input, or
 * -ENOMEM; the environment stays a vector of KEY=VALUE entries with a
 * non-empty KEY, each KEY once, and the entries tend had are kept unless
 * the file set them again. Never a crash, a leak or UB. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/envfile.h"
#include "common/strv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char **env = NULL;
	if (strv_push(&env, "PATH=/usr/bin:/bin") < 0 || strv_push(&env, "HOME=/root") < 0) {
		strv_free(env);
		return 0;
	}
	size_t line = 0, lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';

	int r = envfile_apply((const char *)data, size, &env, &line);
	if (r != 0 && r != -EINVAL && r != -ENOMEM)
		abort();
	if (r == -EINVAL && (line == 0 || line > lines))
		abort();
	size_t n = strv_length(env);
	if (n < 2 || n > 2 + lines)
		abort();
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(env[i], '=');
		if (!eq || eq == env[i])
			abort();
		for (size_t j = 0; j < i; j++)
			if (strncmp(env[i], env[j], (size_t)(eq - env[i]) + 1) == 0)
				abort();
	}
	strv_free(env);
	return 0;
}
