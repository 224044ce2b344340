/* http.c: see http.h. Only the request line matters; headers are read (up
 * to the blank line that ends them, within HTTP_MAX_REQUEST) and ignored.
 * A request body is never read: GET and HEAD have none. */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "common/log.h"
#include "supervisor/conn.h"
#include "supervisor/http.h"
#include "supervisor/status.h"
#include "supervisor/supervisor.h"

#define HTTP_MAX_REQUEST 8192
#define HTTP_MAX_ANSWER (8u << 20)
#define HTTP_MAX_CLIENTS 32
/* Connections the kernel queues until tend accepts them: more than the
 * clients served, so that a new one is queued (and gets a slot, see
 * conn.h) rather than its SYN dropped while a flood fills the queue. */
#define HTTP_BACKLOG 128
#define HTTP_REQUEST_TIMEOUT 5.0 /* a probe sends its request at once */
#define HTTP_TIMEOUT 10.0

struct http {
	struct sup *sup;
	struct conn_server *srv;
};

size_t http_request_complete(const char *buf, size_t len, bool eof)
{
	/* The end of the headers: CRLF CRLF, or bare LF LF from a hand-typed
	 * request (nc, socat). */
	const char *e = memmem(buf, len, "\r\n\r\n", 4);
	if (e)
		return (size_t)(e - buf) + 4;
	e = memmem(buf, len, "\n\n", 2);
	if (e)
		return (size_t)(e - buf) + 2;
	return 0;
}

static void answer(struct conn *c, bool head, int code, const char *reason, const char *type, const char *body,
		   const char *extra)
{
	size_t n = body ? strlen(body) : 0;
	int r = conn_printf(c,
			    "HTTP/1.0 %d %s\r\n"
			    "Content-Type: %s\r\n"
			    "Content-Length: %zu\r\n"
			    "Cache-Control: no-store\r\n"
			    "Connection: close\r\n"
			    "%s"
			    "\r\n",
			    code, reason, type, n, extra ? extra : "");
	if (r >= 0 && !head && n)
		conn_write(c, body, n);
}

static void text(struct conn *c, bool head, int code, const char *reason, const char *body)
{
	answer(c, head, code, reason, "text/plain; charset=utf-8", body, NULL);
}

static void rendered(struct conn *c, bool head, int r, const char *type, const char *body)
{
	if (r < 0) {
		log_warn_errno(r, "http: cannot render an answer: %m");
		text(c, head, 500, "Internal Server Error", "cannot render the answer\n");
		return;
	}
	answer(c, head, 200, "OK", type, body, NULL);
}

int http_parse_request(char *req, size_t len, struct http_request *ret)
{
	char *method, *target, *version, *save = NULL;

	/* The request line: METHOD SP TARGET SP HTTP/1.x */
	if (memchr(req, 0, len))
		return 400;
	req[strcspn(req, "\r\n")] = 0;
	method = strtok_r(req, " ", &save);
	target = strtok_r(NULL, " ", &save);
	version = strtok_r(NULL, " ", &save);
	if (!method || !target || !version || strtok_r(NULL, " ", &save) || strncmp(version, "HTTP/1.", 7) != 0 ||
	    target[0] != '/')
		return 400;
	ret->head = strcmp(method, "HEAD") == 0;
	if (!ret->head && strcmp(method, "GET") != 0)
		return 405;
	target[strcspn(target, "?#")] = 0; /* a query changes nothing here */
	ret->target = target;
	return 0;
}

static void http_request(struct conn *c, char *req, size_t len, void *userdata)
{
	struct http *h = userdata;
	struct http_request rq = { 0 };

	int code = http_parse_request(req, len, &rq);
	if (code == 405) {
		answer(c, false, 405, "Method Not Allowed", "text/plain; charset=utf-8", "only GET and HEAD\n",
		       "Allow: GET, HEAD\r\n");
		return;
	}
	if (code != 0) {
		text(c, false, 400, "Bad Request", "bad request\n");
		return;
	}
	const char *target = rq.target;
	bool head = rq.head;

	if (strcmp(target, "/live") == 0) {
		/* Answering at all is the proof: the loop runs. */
		text(c, head, 200, "OK", "live\n");
	} else if (strcmp(target, "/ready") == 0) {
		if (sup_is_ready(h->sup))
			text(c, head, 200, "OK", "ready\n");
		else
			text(c, head, 503, "Service Unavailable", sup_is_stopping(h->sup) ? "stopping\n" : "not ready\n");
	} else if (strcmp(target, "/status") == 0) {
		_cleanup_free_ char *s = NULL, *body = NULL;
		int r = status_json(h->sup, NULL, false, &s);
		if (r >= 0 && asprintf(&body, "%s\n", s) < 0) {
			body = NULL;
			r = -ENOMEM;
		}
		rendered(c, head, r, "application/json", body);
	} else if (strcmp(target, "/metrics") == 0) {
		_cleanup_free_ char *s = NULL;
		int r = status_metrics(h->sup, &s);
		rendered(c, head, r, "text/plain; version=0.0.4; charset=utf-8", s);
	} else {
		text(c, head, 404, "Not Found", "not found (/live, /ready, /status, /metrics)\n");
	}
}

static void http_refuse(struct conn *c, enum conn_refusal why, void *userdata)
{
	switch (why) {
	case CONN_TOO_LONG: text(c, false, 431, "Request Header Fields Too Large", "request too long\n"); break;
	case CONN_TIMEOUT: text(c, false, 408, "Request Timeout", "timed out\n"); break;
	case CONN_BUSY: text(c, false, 503, "Service Unavailable", "too many clients\n"); break;
	case CONN_INCOMPLETE: text(c, false, 400, "Bad Request", "incomplete request\n"); break;
	case CONN_DROPPED: text(c, false, 408, "Request Timeout", "dropped for a newer client\n"); break;
	}
}

static const struct conn_params http_params = {
	.what = "http",
	.max_request = HTTP_MAX_REQUEST,
	.max_answer = HTTP_MAX_ANSWER,
	.max_clients = HTTP_MAX_CLIENTS,
	.request_timeout = HTTP_REQUEST_TIMEOUT,
	.timeout = HTTP_TIMEOUT,
	.complete = http_request_complete,
	.request = http_request,
	.refuse = http_refuse,
};

/* "IPV4:PORT" or "[IPV6]:PORT" (validated by conf already; checked again
 * because this is where a mistake would bind the wrong thing). */
static int parse_addr(const char *s, struct sockaddr_storage *ret, socklen_t *ret_len)
{
	const char *colon = strrchr(s, ':');
	char host[INET6_ADDRSTRLEN + 2], *end;
	struct sockaddr_storage ss = {};

	if (!colon || (size_t)(colon - s) >= sizeof(host))
		return -EINVAL;
	errno = 0;
	long port = strtol(colon + 1, &end, 10);
	if (errno || *end || end == colon + 1 || port < 1 || port > 65535)
		return -EINVAL;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = 0;
	if (host[0] == '[') {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		size_t n = strlen(host);
		if (n < 3 || host[n - 1] != ']')
			return -EINVAL;
		host[n - 1] = 0;
		if (inet_pton(AF_INET6, host + 1, &a->sin6_addr) != 1)
			return -EINVAL;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		*ret_len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			return -EINVAL;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		*ret_len = sizeof(*a);
	}
	*ret = ss;
	return 0;
}

int http_open(struct ev_loop *loop, struct sup *sup, const char *addr, struct http **ret)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int r, one = 1;

	if (!addr || !*addr) {
		*ret = NULL;
		return 0;
	}
	if (parse_addr(addr, &ss, &sl) < 0)
		return log_warn_errno(-EINVAL, "http: bad address '%s' (ADDR:PORT or [ADDR]:PORT)", addr);
	_cleanup_close_ int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return log_warn_errno(errno, "http: cannot create a socket: %m");
	/* A restarted tend must not wait out TIME_WAIT of the old one. */
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, HTTP_BACKLOG) < 0)
		return log_warn_errno(errno, "http: cannot listen on %s: %m", addr);

	struct http *h = calloc(1, sizeof(*h));
	if (!h)
		return log_warn_errno(-ENOMEM, "http: %m");
	h->sup = sup;
	r = conn_server_new(loop, TAKE_FD(fd), &http_params, h, &h->srv);
	if (r < 0) {
		free(h);
		return log_warn_errno(r, "http: %m");
	}
	log_debug("http on %s", addr);
	*ret = h;
	return 0;
}

struct http *http_close(struct http *h)
{
	if (!h)
		return NULL;
	conn_server_free(h->srv);
	free(h);
	return NULL;
}
