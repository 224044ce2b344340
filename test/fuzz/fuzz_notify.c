/* fuzz_notify.c: libFuzzer harness for the sd_notify datagram parser
 * (notify_parse in supervisor/notify.c): any datagram a service sends
 * gives KEY=VALUE lines with a non-empty key of no '=' and no newline, or
 * is refused; never a crash, a read past the buffer, or UB. The first
 * byte chooses after how many lines the callback stops (a server closed
 * from its own callback). */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/notify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seen {
	int n, stop_after;
};

static bool on_line(const char *key, const char *value, void *userdata)
{
	struct seen *s = userdata;
	if (!key[0] || strchr(key, '=') || strchr(key, '\n') || strchr(value, '\n'))
		abort();
	/* Read every byte, so that ASan sees a value that runs past the end. */
	volatile size_t n = strlen(key) + strlen(value);
	(void)n;
	return ++s->n != s->stop_after;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct seen s = { .stop_after = data[0] % 8 };
	data++, size--;
	/* What notify.c receives into: NOTIFY_MSG_MAX + 1 bytes; longer
	 * datagrams are given with their real length (MSG_TRUNC). */
	char *buf = malloc(NOTIFY_MSG_MAX + 1);
	if (!buf)
		return 0;
	size_t n = size > NOTIFY_MSG_MAX ? NOTIFY_MSG_MAX : size;
	memcpy(buf, data, n);
	int r = notify_parse(buf, size, on_line, &s);
	if (r >= 0 && r != s.n)
		abort();
	if (size > NOTIFY_MSG_MAX && r != -EMSGSIZE)
		abort();
	free(buf);
	return 0;
}
