/* fuzz_control.c: libFuzzer harness for the control request reader
 * (ctl_request_complete, ctl_parse_request in supervisor/control.c).
 *
 * Bytes arrive in pieces chosen by the first byte, as conn.c reads them.
 * A complete line must split into at most CTL_MAX_WORDS words of no blank
 * and name a command of the table, or be refused with one of the
 * documented errors; never a crash, a read past the buffer, or UB. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/control.h"

#define MAX_REQUEST 4096 /* CTL_MAX_REQUEST */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t step = (size_t)(data[0] % 64) + 1;
	data++, size--;
	if (size > MAX_REQUEST)
		size = MAX_REQUEST;

	size_t len = 0, have = 0;
	while (have < size && len == 0) {
		have += step < size - have ? step : size - have;
		len = ctl_request_complete((const char *)data, have, false);
	}
	if (len == 0)
		len = ctl_request_complete((const char *)data, size, true);
	if (len == 0 || len > size)
		return len > size ? (abort(), 0) : 0;
	/* A line ends at its first newline, and nowhere earlier. */
	const char *nl = memchr(data, '\n', len);
	if (nl && (size_t)(nl - (const char *)data) + 1 != len)
		abort();

	char *req = malloc(len + 1);
	if (!req)
		return 0;
	memcpy(req, data, len);
	req[len] = 0;
	struct ctl_request rq;
	int r = ctl_parse_request(req, len, &rq);
	if (rq.argc < 0 || rq.argc > CTL_MAX_WORDS || rq.argv[rq.argc] != NULL)
		abort();
	for (int i = 0; i < rq.argc; i++)
		if (!rq.argv[i][0] || strpbrk(rq.argv[i], " \t\r\n") || rq.argv[i] < req || rq.argv[i] >= req + len)
			abort();
	switch (r) {
	case 0:
		if (rq.command < 0 || !rq.usage)
			abort();
		break;
	case -EINVAL:
		if (rq.command < 0 || !rq.usage)
			abort();
		break;
	case -ENOENT:
		if (rq.command != -1 || rq.argc < 1)
			abort();
		break;
	case -EBADMSG: case -E2BIG: case -ENODATA:
		break;
	default:
		abort();
	}
	/* Only a known command can change state. */
	if (rq.changes_state && rq.command < 0)
		abort();
	free(req);
	return 0;
}
