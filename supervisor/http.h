/* http.h: the optional read-only HTTP endpoint (`[tend] http`), for
 * Kubernetes probes and Prometheus, on tend's loop:
 *   GET /live     200 while tend runs its loop
 *   GET /ready    200 when sup_is_ready(), 503 otherwise (and while draining)
 *   GET /status   the JSON of `tendctl status --json`
 *   GET /metrics  Prometheus text (see tendctl(8))
 * HEAD is GET without the body; any other method is 405, any other path
 * 404. HTTP/1.0 style: one request per connection, answered and closed.
 * Bounded as the control socket is (conn.h). */
#ifndef TEND_SUPERVISOR_HTTP_H
#define TEND_SUPERVISOR_HTTP_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>

struct sup;
struct http;

/* What tend reads of a request: pure functions, fuzzed by
 * test/fuzz/fuzz_http.c. */
struct http_request {
	bool head;          /* HEAD: the answer has no body */
	const char *target; /* the path, query and fragment cut off */
};
/* Length of the complete request (request line and headers, up to the
 * blank line) at the start of buf[0..len), or 0 while more is needed. */
size_t http_request_complete(const char *buf, size_t len, bool eof);
/* Parse a complete request, req[len] being NUL; req is changed and
 * ret->target points into it. Returns 0, or the HTTP status code to
 * refuse it with (400 malformed, 405 a method other than GET and HEAD). */
int http_parse_request(char *req, size_t len, struct http_request *ret);

/* Listen on addr ("IPV4:PORT" or "[IPV6]:PORT"; NULL or "": no listener,
 * *ret = NULL, 0). Logs why it failed, as a warning (tend goes on
 * without it), and returns -errno. */
int http_open(struct ev_loop *loop, struct sup *sup, const char *addr, struct http **ret);
struct http *http_close(struct http *h);

#endif
