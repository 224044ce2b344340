/* conn.h: bounded one-request connections on the event loop, shared by the
 * control socket (control.c) and the HTTP endpoint (http.c).
 *
 * A client connects, sends one request, gets one answer, and the connection
 * is closed: no keep-alive, so no state survives a request. Every resource a
 * client can make tend spend is bounded: the number of clients, the bytes of
 * a request (more is an error), the bytes of an answer, the time from
 * accept to a complete request (request_timeout) and from there to the last
 * byte written (timeout), each a per-client ev_timer that exists only while
 * that client is connected: an idle tend has no timer. Reads and writes
 * never block; a client that stops reading its answer, or goes away in the
 * middle of it, costs tend nothing but its own slot until the timeout.
 *
 * An idle client never locks out a new one: when max_clients are
 * connected, a new client takes the slot of the oldest one that has not
 * sent a complete request yet (or, when every one has, of the oldest one
 * still being answered), which is told why (CONN_DROPPED) and closed. A
 * flood of idle connections therefore only ever costs the flooder its own
 * connections, and a client that sends its request at once is served. */
#ifndef TEND_SUPERVISOR_CONN_H
#define TEND_SUPERVISOR_CONN_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/util.h"

struct conn_server;
struct conn;

enum conn_refusal {
	CONN_TOO_LONG,   /* the request did not fit max_request */
	CONN_TIMEOUT,    /* no complete request within the timeout */
	CONN_BUSY,       /* max_clients already connected */
	CONN_INCOMPLETE, /* the client ended its side mid-request */
	CONN_DROPPED,    /* the oldest client, its slot given to a new one */
};

struct conn_params {
	const char *what;   /* "control socket", "http": for log lines */
	size_t max_request; /* bytes */
	size_t max_answer;  /* bytes; conn_write() beyond it fails */
	size_t max_clients;
	double request_timeout; /* seconds, from accept to a complete request */
	double timeout;         /* seconds, from the request to the end of the answer */
	/* Length of the complete request at the start of buf[0..len), or 0
	 * while more is needed. eof: the client will send nothing more. */
	size_t (*complete)(const char *buf, size_t len, bool eof);
	/* Optional: a client was accepted. Return < 0 to refuse it (after
	 * having queued a refusal with conn_write()). */
	int (*accepted)(struct conn *c, void *userdata);
	/* A complete request, NUL-terminated at req[len]. Queue the answer
	 * with conn_write(); the connection is closed once it is written. */
	void (*request)(struct conn *c, char *req, size_t len, void *userdata);
	/* Queue a short error answer for a refusal (best effort; CONN_BUSY
	 * only when a slot cannot be had at all, e.g. out of memory). */
	void (*refuse)(struct conn *c, enum conn_refusal why, void *userdata);
};

/* Serve on listening socket fd (taken over: closed by conn_server_free, also
 * when this fails). p must outlive the server. */
int conn_server_new(struct ev_loop *loop, int fd, const struct conn_params *p, void *userdata,
		    struct conn_server **ret);
/* Close every client and the listening socket. NULL is fine. */
struct conn_server *conn_server_free(struct conn_server *s);
size_t conn_server_clients(const struct conn_server *s);

int conn_fd(const struct conn *c);
/* Queue answer bytes; -ENOBUFS beyond max_answer (nothing queued then). */
int conn_write(struct conn *c, const void *data, size_t len);
int conn_printf(struct conn *c, const char *fmt, ...) _printf_(2, 3);

#endif
