/* fuzz_ocistate.c: libFuzzer harness for tend-net's OCI state reader
 * (net/ocistate.c), the JSON a hook gets on stdin.
 *
 * Any input must give either a state or a reason: never a crash, a leak,
 * a read past the input (the bytes are copied into a buffer of exactly
 * their size, with no NUL after them, so that ASan sees any over-read) or
 * undefined behaviour. A state that is returned must hold a usable name,
 * and a reason must be one printable line. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/ocistate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oci_state st = { 0 };
	char err[256];
	char *copy;
	int r;

	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	if (size)
		memcpy(copy, data, size);
	err[0] = 0;
	r = oci_state_parse(copy, size, &st, err, sizeof(err));
	if (r == 0) {
		if (!st.id || !oci_name_ok(st.id) || st.pid < 0 || (st.bundle && !*st.bundle))
			abort();
	} else {
		if (st.id || st.bundle || !err[0] || strchr(err, '\n'))
			abort();
	}
	oci_state_done(&st);
	free(copy);
	return 0;
}
