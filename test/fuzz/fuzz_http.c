/* fuzz_http.c: libFuzzer harness for the HTTP request reader
 * (http_request_complete, http_parse_request in supervisor/http.c).
 *
 * The bytes arrive as a client would send them, in pieces: the first byte
 * chooses the size of the pieces, and the request is judged complete at
 * the same point, whatever the pieces, as conn.c would see it. A complete
 * request must parse to a target that tend can match safely, or to a
 * refusal code; never a crash, a read past the buffer, or UB. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/http.h"

#define MAX_REQUEST 8192 /* HTTP_MAX_REQUEST */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t step = (size_t)(data[0] % 64) + 1;
	data++, size--;
	if (size > MAX_REQUEST)
		size = MAX_REQUEST;

	/* What conn.c does: grow the buffer, ask after each piece. */
	size_t len = 0, have = 0;
	while (have < size && len == 0) {
		have += step < size - have ? step : size - have;
		len = http_request_complete((const char *)data, have, false);
	}
	if (len == 0)
		len = http_request_complete((const char *)data, size, true);
	if (len == 0)
		return 0;
	if (len > have && len > size)
		abort();

	char *req = malloc(len + 1);
	if (!req)
		return 0;
	memcpy(req, data, len);
	req[len] = 0;
	struct http_request rq = { 0 };
	int code = http_parse_request(req, len, &rq);
	if (code == 0) {
		/* A target tend compares with strcmp: a path, one word. */
		if (!rq.target || rq.target[0] != '/' || strpbrk(rq.target, " ?#\r\n"))
			abort();
		if (rq.target < req || rq.target > req + len)
			abort();
	} else if (code != 400 && code != 405) {
		abort();
	}
	free(req);
	return 0;
}
