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

struct sup;
struct http;

/* Listen on addr ("IPV4:PORT" or "[IPV6]:PORT"; NULL or "": no listener,
 * *ret = NULL, 0). Logs why it failed, as a warning (tend goes on
 * without it), and returns -errno. */
int http_open(struct ev_loop *loop, struct sup *sup, const char *addr, struct http **ret);
struct http *http_close(struct http *h);

#endif
