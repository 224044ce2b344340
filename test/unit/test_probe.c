/* test_probe.c: every probe kind against servers and processes this test
 * makes itself, on the libev default loop, observed from outside (results,
 * timing, /proc). */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "supervisor/probe.h"

struct result {
	int calls;
	bool ok;
	char why[128];
	bool cancel_in_done;
};

static void on_done(struct probe *p, bool ok, const char *why, void *userdata)
{
	struct result *r = userdata;
	r->calls++;
	r->ok = ok;
	snprintf(r->why, sizeof(r->why), "%s", why);
	if (r->cancel_in_done)
		ck_assert_ptr_null(probe_cancel(p)); /* must be harmless */
}

static void noop_cb(struct ev_loop *loop, ev_timer *w, int revents) {}

/* Run the loop until cond() or max_s seconds passed; a 10 ms ticker keeps
 * it from returning while nothing of ours is active (e.g. waiting for a
 * reap by libev). */
static bool run_until(struct ev_loop *loop, bool (*cond)(void *), void *arg, double max_s)
{
	ev_timer tick;
	double end = ev_time() + max_s;
	ev_timer_init(&tick, noop_cb, 0.01, 0.01);
	ev_timer_start(loop, &tick);
	while (!cond(arg) && ev_time() < end)
		ev_run(loop, EVRUN_ONCE);
	ev_timer_stop(loop, &tick);
	return cond(arg);
}

static bool is_done(void *arg) { return ((struct result *)arg)->calls > 0; }
static bool never(void *arg) { return false; }

static bool pid_gone(void *arg)
{
	pid_t pid = *(pid_t *)arg;
	/* A zombie still answers kill(pid, 0): gone means reaped too. */
	return kill(pid, 0) < 0 && errno == ESRCH;
}

static bool file_has_pid(void *arg)
{
	FILE *f = fopen(arg, "re");
	int pid = 0;
	if (f) {
		if (fscanf(f, "%d", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	return pid > 0;
}

static pid_t read_pid(const char *path)
{
	FILE *f = fopen(path, "re");
	int pid = 0;
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%d", &pid), 1);
	fclose(f);
	return pid;
}

/* A TCP socket on 127.0.0.1, port chosen by the kernel. */
static int tcp_socket(uint16_t *port, bool do_listen)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	if (do_listen)
		ck_assert_int_eq(listen(fd, 16), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

static struct conf_probe tcp_probe(const char *host, uint16_t port)
{
	return (struct conf_probe){.kind = CONF_PROBE_TCP, .host = (char *)host, .port = port};
}

static struct conf_probe exec_probe(char **argv)
{
	return (struct conf_probe){.kind = CONF_PROBE_EXEC, .argv = argv};
}

/* Run one probe to its end and return the result. */
static struct result run_probe(const struct conf_probe *cp, uint64_t timeout_ms, char *const *envp)
{
	struct ev_loop *loop = ev_default_loop(0);
	struct result r = {0};
	struct probe *p = NULL;
	ck_assert_int_eq(probe_start(loop, cp, timeout_ms, envp, on_done, &r, &p), 0);
	ck_assert_ptr_nonnull(p);
	/* Never from inside probe_start. */
	ck_assert_int_eq(r.calls, 0);
	ck_assert(run_until(loop, is_done, &r, 10));
	/* Exactly once. */
	run_until(loop, never, NULL, 0.05);
	ck_assert_int_eq(r.calls, 1);
	return r;
}

/* --- tcp:// --- */

START_TEST(tcp_listening_ok)
{
	uint16_t port;
	_cleanup_close_ int fd = tcp_socket(&port, true);
	struct conf_probe cp = tcp_probe("127.0.0.1", port);
	struct result r = run_probe(&cp, 2000, NULL);
	ck_assert_msg(r.ok, "why: %s", r.why);
	ck_assert_str_eq(r.why, "ok");

	cp.host = "localhost";
	r = run_probe(&cp, 2000, NULL);
	ck_assert_msg(r.ok, "why: %s", r.why);
}
END_TEST

START_TEST(tcp_ipv6_ok)
{
	struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	socklen_t len = sizeof(sa);
	_cleanup_close_ int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return; /* no IPv6 loopback here: nothing to test */
	ck_assert_int_eq(listen(fd, 4), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	struct conf_probe cp = tcp_probe("::1", ntohs(sa.sin6_port));
	struct result r = run_probe(&cp, 2000, NULL);
	ck_assert_msg(r.ok, "why: %s", r.why);
	cp.host = "[::1]";
	r = run_probe(&cp, 2000, NULL);
	ck_assert_msg(r.ok, "why: %s", r.why);
}
END_TEST

START_TEST(tcp_closed_port_refused)
{
	uint16_t port;
	/* Bound but not listening: nobody else can take the port meanwhile. */
	_cleanup_close_ int fd = tcp_socket(&port, false);
	struct conf_probe cp = tcp_probe("127.0.0.1", port);
	struct result r = run_probe(&cp, 2000, NULL);
	ck_assert(!r.ok);
	ck_assert_str_eq(r.why, "connection refused");
}
END_TEST

/* A name is a try (never -EINVAL); without a resolver (resolve_init not
 * called here) and not in /etc/hosts it fails with the reason, from the loop. */
START_TEST(name_without_resolver)
{
	struct conf_probe cp = tcp_probe("db.example.invalid", 80);
	struct result r = run_probe(&cp, 2000, NULL);
	ck_assert_int_eq(r.calls, 1);
	ck_assert(!r.ok);
	ck_assert_str_eq(r.why, "cannot resolve 'db.example.invalid': no resolver");
}
END_TEST

START_TEST(bad_arguments)
{
	struct ev_loop *loop = ev_default_loop(0);
	struct result r = {0};
	struct probe *p = (struct probe *)0x1;
	/* Neither an address nor a name. */
	struct conf_probe cp = tcp_probe("db example!", 80);
	ck_assert_int_eq(probe_start(loop, &cp, 1000, NULL, on_done, &r, &p), -EINVAL);
	cp.host = "[::1";
	ck_assert_int_eq(probe_start(loop, &cp, 1000, NULL, on_done, &r, &p), -EINVAL);
	cp.host = NULL;
	ck_assert_int_eq(probe_start(loop, &cp, 1000, NULL, on_done, &r, &p), -EINVAL);
	cp = (struct conf_probe){.kind = CONF_PROBE_NOTIFY};
	ck_assert_int_eq(probe_start(loop, &cp, 1000, NULL, on_done, &r, &p), -EINVAL);
	cp = (struct conf_probe){.kind = CONF_PROBE_NONE};
	ck_assert_int_eq(probe_start(loop, &cp, 1000, NULL, on_done, &r, &p), -EINVAL);
	cp = (struct conf_probe){.kind = CONF_PROBE_EXEC};
	ck_assert_int_eq(probe_start(loop, &cp, 1000, NULL, on_done, &r, &p), -EINVAL);
	cp = (struct conf_probe){.kind = CONF_PROBE_HTTP, .host = "127.0.0.1", .port = 80,
				 .path = "/a b"};
	ck_assert_int_eq(probe_start(loop, &cp, 1000, NULL, on_done, &r, &p), -EINVAL);
	/* ret untouched on failure, done never called. */
	ck_assert_ptr_eq(p, (struct probe *)0x1);
	run_until(loop, never, NULL, 0.05);
	ck_assert_int_eq(r.calls, 0);
	ck_assert_ptr_null(probe_cancel(NULL));
}
END_TEST

/* --- http:// : a tiny server on the same loop --- */

struct http_srv {
	struct ev_loop *loop;
	int lfd, cfd;
	ev_io accept_w, conn_w;
	const char *answer; /* NULL: read the request, then close without a word */
	bool silent;        /* accept and read, never answer */
	char req[2048];
	size_t req_len;
	uint16_t port;
};

static void srv_conn_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct http_srv *s = w->data;
	ssize_t n = read(s->cfd, s->req + s->req_len, sizeof(s->req) - 1 - s->req_len);
	if (n > 0) {
		s->req_len += (size_t)n;
		s->req[s->req_len] = 0;
		if (!strstr(s->req, "\r\n\r\n") || s->silent)
			return;
		if (s->answer)
			ck_assert_int_eq(write(s->cfd, s->answer, strlen(s->answer)),
					 (ssize_t)strlen(s->answer));
	} else if (n < 0 && errno == EAGAIN)
		return;
	ev_io_stop(loop, w);
	s->cfd = safe_close(s->cfd);
}

static void srv_accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct http_srv *s = w->data;
	int fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	ck_assert_int_lt(s->cfd, 0); /* one connection per attempt */
	s->cfd = fd;
	ev_io_init(&s->conn_w, srv_conn_cb, fd, EV_READ);
	s->conn_w.data = s;
	ev_io_start(loop, &s->conn_w);
}

static void srv_start(struct http_srv *s, uint16_t *port)
{
	s->loop = ev_default_loop(0);
	s->cfd = -1;
	s->lfd = tcp_socket(port, true);
	ev_io_init(&s->accept_w, srv_accept_cb, s->lfd, EV_READ);
	s->accept_w.data = s;
	ev_io_start(s->loop, &s->accept_w);
}

static void srv_stop(struct http_srv *s)
{
	ev_io_stop(s->loop, &s->accept_w);
	ev_io_stop(s->loop, &s->conn_w);
	s->lfd = safe_close(s->lfd);
	s->cfd = safe_close(s->cfd);
}

static struct result http_answer(const char *answer, const char *path, struct http_srv *s)
{
	*s = (struct http_srv){.answer = answer};
	srv_start(s, &s->port);
	struct conf_probe cp = {.kind = CONF_PROBE_HTTP, .host = "127.0.0.1", .port = s->port,
				.path = (char *)path};
	struct result r = run_probe(&cp, 2000, NULL);
	srv_stop(s);
	return r;
}

START_TEST(http_200_ok)
{
	struct http_srv s;
	struct result r = http_answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", "/health", &s);
	ck_assert_msg(r.ok, "why: %s", r.why);
	/* What went over the wire. */
	char host[64];
	ck_assert_msg(strncmp(s.req, "GET /health HTTP/1.0\r\n", 22) == 0, "request: %s", s.req);
	ck_assert_ptr_nonnull(strstr(s.req, "\r\nConnection: close\r\n"));
	snprintf(host, sizeof(host), "\r\nHost: 127.0.0.1:%u\r\n", (unsigned)s.port);
	ck_assert_msg(strstr(s.req, host), "request: %s", s.req);
}
END_TEST

START_TEST(http_default_path)
{
	struct http_srv s;
	struct result r = http_answer("HTTP/1.0 204 No Content\r\n\r\n", NULL, &s);
	ck_assert_msg(r.ok, "why: %s", r.why);
	ck_assert_msg(strncmp(s.req, "GET / HTTP/1.0\r\n", 16) == 0, "request: %s", s.req);
}
END_TEST

START_TEST(http_302_ok)
{
	struct http_srv s;
	struct result r = http_answer("HTTP/1.1 302 Found\r\nLocation: /login\r\n\r\n", "/", &s);
	ck_assert_msg(r.ok, "why: %s", r.why);
}
END_TEST

START_TEST(http_503_fails)
{
	struct http_srv s;
	struct result r = http_answer("HTTP/1.1 503 Service Unavailable\r\n\r\n", "/", &s);
	ck_assert(!r.ok);
	ck_assert_str_eq(r.why, "HTTP 503");
	r = http_answer("HTTP/1.1 404 Not Found\r\n\r\n", "/", &s);
	ck_assert(!r.ok);
	ck_assert_str_eq(r.why, "HTTP 404");
	r = http_answer("HTTP/1.1 199 Odd\r\n\r\n", "/", &s);
	ck_assert(!r.ok);
}
END_TEST

START_TEST(http_garbage_fails)
{
	struct http_srv s;
	struct result r = http_answer("SSH-2.0-OpenSSH_9.2\r\n", "/", &s);
	ck_assert(!r.ok);
	ck_assert_str_eq(r.why, "not an HTTP answer");
	r = http_answer("HTTP/1.1 2000 OK\r\n\r\n", "/", &s);
	ck_assert(!r.ok);
	/* Closed with no answer at all. */
	r = http_answer(NULL, "/", &s);
	ck_assert(!r.ok);
	ck_assert_str_eq(r.why, "connection closed without an answer");
	/* A status line without its line end, then EOF: still judged. */
	r = http_answer("HTTP/1.0 200 OK", "/", &s);
	ck_assert_msg(r.ok, "why: %s", r.why);
}
END_TEST

START_TEST(http_endless_line_bounded)
{
	/* A status line that never ends: judged once the buffer is full,
	 * never read without bound. */
	static char big[8192];
	memset(big, 'x', sizeof(big) - 1);
	memcpy(big, "HTTP/1.1 200 ", 13);
	struct http_srv s;
	struct result r = http_answer(big, "/", &s);
	ck_assert_msg(r.ok, "why: %s", r.why);
}
END_TEST

START_TEST(http_listener_never_answers_times_out)
{
	uint16_t port;
	/* Listening, never accepting: the kernel completes the handshake
	 * and takes the request; no answer ever comes. */
	_cleanup_close_ int fd = tcp_socket(&port, true);
	struct conf_probe cp = {.kind = CONF_PROBE_HTTP, .host = "localhost", .port = port};
	double t0 = ev_time();
	struct result r = run_probe(&cp, 200, NULL);
	double dt = ev_time() - t0;
	ck_assert(!r.ok);
	ck_assert_str_eq(r.why, "timed out after 200ms");
	ck_assert_msg(dt >= 0.19 && dt < 2.0, "took %.3fs", dt);
}
END_TEST

START_TEST(http_silent_server_times_out)
{
	uint16_t port;
	struct http_srv s = {.silent = true};
	srv_start(&s, &port);
	struct conf_probe cp = {.kind = CONF_PROBE_HTTP, .host = "127.0.0.1", .port = port};
	struct result r = run_probe(&cp, 300, NULL);
	ck_assert(!r.ok);
	ck_assert_str_eq(r.why, "timed out after 300ms");
	ck_assert_ptr_nonnull(strstr(s.req, "GET / HTTP/1.0"));
	srv_stop(&s);
}
END_TEST

START_TEST(http_refused)
{
	uint16_t port;
	_cleanup_close_ int fd = tcp_socket(&port, false);
	struct conf_probe cp = {.kind = CONF_PROBE_HTTP, .host = "127.0.0.1", .port = port};
	struct result r = run_probe(&cp, 2000, NULL);
	ck_assert(!r.ok);
	ck_assert_str_eq(r.why, "connection refused");
}
END_TEST

/* --- exec: --- */

START_TEST(exec_true_false)
{
	char *t[] = {"true", NULL}, *f[] = {"false", NULL}, *nf[] = {"/nonexistent/probe", NULL};
	struct conf_probe cp = exec_probe(t);
	struct result r = run_probe(&cp, 5000, NULL);
	ck_assert_msg(r.ok, "why: %s", r.why);
	cp = exec_probe(f);
	r = run_probe(&cp, 5000, NULL);
	ck_assert(!r.ok);
	ck_assert_str_eq(r.why, "exit 1");
	cp = exec_probe(nf);
	r = run_probe(&cp, 5000, NULL);
	ck_assert(!r.ok);
	ck_assert_str_eq(r.why, "exit 127 (command not found)");
}
END_TEST

START_TEST(exec_killed_by_signal)
{
	char *a[] = {"sh", "-c", "kill -9 $$", NULL};
	struct conf_probe cp = exec_probe(a);
	struct result r = run_probe(&cp, 5000, NULL);
	ck_assert(!r.ok);
	ck_assert_str_eq(r.why, "killed by signal 9");
}
END_TEST

START_TEST(exec_timeout_kills_group)
{
	char dir[] = "/tmp/test-probe-XXXXXX", pidf[64], kidf[64], cmd[256];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(pidf, sizeof(pidf), "%s/pid", dir);
	snprintf(kidf, sizeof(kidf), "%s/kid", dir);
	/* A shell that leaves a background sleep in its group, then waits. */
	snprintf(cmd, sizeof(cmd), "sleep 30 & echo $! > %s; echo $$ > %s; wait", kidf, pidf);
	char *a[] = {"sh", "-c", cmd, NULL};
	struct conf_probe cp = exec_probe(a);
	/* The orphaned sleep must come to this process (Check runs each test
	 * in a child of its own, which does not inherit the flag), so that it
	 * is reaped by libev as tend would reap it. */
	ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	double t0 = ev_time();
	struct result r = run_probe(&cp, 300, NULL);
	ck_assert(!r.ok);
	ck_assert_str_eq(r.why, "timed out after 300ms");
	ck_assert(ev_time() - t0 < 3.0);
	pid_t pid = read_pid(pidf), kid = read_pid(kidf);
	/* Both gone (and reaped: libev reaps its children, and the orphan
	 * comes to us as subreaper). */
	ck_assert_msg(run_until(ev_default_loop(0), pid_gone, &pid, 5), "probe %d still there", pid);
	ck_assert_msg(run_until(ev_default_loop(0), pid_gone, &kid, 5), "its child %d still there", kid);
	unlink(pidf);
	unlink(kidf);
	rmdir(dir);
}
END_TEST

START_TEST(exec_environment)
{
	char *a[] = {"sh", "-c", "test \"$PROBE_FOO\" = bar", NULL};
	char *env[] = {"PROBE_FOO=bar", "PATH=/usr/bin:/bin", NULL};
	char *env2[] = {"PATH=/usr/bin:/bin", NULL};
	struct conf_probe cp = exec_probe(a);
	struct result r = run_probe(&cp, 5000, env);
	ck_assert_msg(r.ok, "why: %s", r.why);
	r = run_probe(&cp, 5000, env2);
	ck_assert(!r.ok);
}
END_TEST

START_TEST(exec_clean_slate)
{
	/* What tend has that a probe must not: blocked and ignored signals,
	 * an inheritable fd, tend's stdin/stdout/stderr (its stdout and stderr
	 * are the pipe tend reads), tend's process group. */
	sigset_t ss;
	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGUSR1);
	ck_assert_int_eq(sigprocmask(SIG_BLOCK, &ss, NULL), 0);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	int leak = dup(2); /* no CLOEXEC on purpose */
	ck_assert_int_ge(leak, 3);

	char cmd[1024];
	snprintf(cmd, sizeof(cmd),
		 "grep -Eq '^SigBlk:[[:space:]]*0+$' /proc/self/status || exit 2; "
		 "grep -Eq '^SigIgn:[[:space:]]*0+$' /proc/self/status || { grep Sig /proc/self/status >&2; exit 3; }; "
		 "test -e /proc/$$/fd/%d && exit 4; "
		 "test \"$(readlink /proc/$$/fd/0)\" = /dev/null || exit 5; "
		 "case \"$(readlink /proc/$$/fd/1)\" in pipe:*) ;; *) exit 6;; esac; "
		 "test \"$(readlink /proc/$$/fd/2)\" = \"$(readlink /proc/$$/fd/1)\" || exit 8; "
		 "test \"$(cut -d' ' -f5 /proc/$$/stat)\" = $$ || exit 7; "
		 "exit 0",
		 leak);
	char *a[] = {"sh", "-c", cmd, NULL};
	struct conf_probe cp = exec_probe(a);
	struct result r = run_probe(&cp, 5000, NULL);
	ck_assert_msg(r.ok, "why: %s", r.why);
	close(leak);
}
END_TEST

/* --- cancel --- */

START_TEST(cancel_exec_in_flight)
{
	struct ev_loop *loop = ev_default_loop(0);
	char dir[] = "/tmp/test-probe-XXXXXX", pidf[64], cmd[128];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(pidf, sizeof(pidf), "%s/pid", dir);
	snprintf(cmd, sizeof(cmd), "echo $$ > %s; exec sleep 30", pidf);
	char *a[] = {"sh", "-c", cmd, NULL};
	struct conf_probe cp = exec_probe(a);
	struct result r = {0};
	struct probe *p;
	ck_assert_int_eq(probe_start(loop, &cp, 10000, NULL, on_done, &r, &p), 0);
	ck_assert(run_until(loop, file_has_pid, pidf, 5));
	pid_t pid = read_pid(pidf);
	ck_assert_int_eq(kill(pid, 0), 0);
	ck_assert_ptr_null(probe_cancel(p));
	ck_assert_msg(run_until(loop, pid_gone, &pid, 5), "%d still there", pid);
	run_until(loop, never, NULL, 0.1);
	ck_assert_int_eq(r.calls, 0);
	unlink(pidf);
	rmdir(dir);
}
END_TEST

START_TEST(cancel_http_in_flight)
{
	struct ev_loop *loop = ev_default_loop(0);
	uint16_t port;
	_cleanup_close_ int fd = tcp_socket(&port, true);
	struct conf_probe cp = {.kind = CONF_PROBE_HTTP, .host = "127.0.0.1", .port = port};
	struct result r = {0};
	struct probe *p;
	ck_assert_int_eq(probe_start(loop, &cp, 100, NULL, on_done, &r, &p), 0);
	run_until(loop, never, NULL, 0.03);
	ck_assert_int_eq(r.calls, 0);
	ck_assert_ptr_null(probe_cancel(p));
	/* Past the timeout it had: nothing fires any more. */
	run_until(loop, never, NULL, 0.25);
	ck_assert_int_eq(r.calls, 0);

	/* Cancelled before the loop ever ran (a result already decided). */
	uint16_t closed_port;
	_cleanup_close_ int cfd = tcp_socket(&closed_port, false);
	cp = tcp_probe("127.0.0.1", closed_port);
	ck_assert_int_eq(probe_start(loop, &cp, 100, NULL, on_done, &r, &p), 0);
	ck_assert_ptr_null(probe_cancel(p));
	run_until(loop, never, NULL, 0.2);
	ck_assert_int_eq(r.calls, 0);
}
END_TEST

START_TEST(cancel_from_done_is_harmless)
{
	uint16_t port;
	_cleanup_close_ int fd = tcp_socket(&port, true);
	struct ev_loop *loop = ev_default_loop(0);
	struct conf_probe cp = tcp_probe("127.0.0.1", port);
	struct result r = {.cancel_in_done = true};
	struct probe *p;
	ck_assert_int_eq(probe_start(loop, &cp, 1000, NULL, on_done, &r, &p), 0);
	ck_assert(run_until(loop, is_done, &r, 5));
	ck_assert(r.ok);
}
END_TEST

static int count_fds(void)
{
	int n = 0;
	char path[64];
	for (int fd = 0; fd < 1024; fd++) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n += access(path, F_OK) == 0;
	}
	return n;
}

START_TEST(no_fd_leak)
{
	uint16_t port, closed;
	_cleanup_close_ int lfd = tcp_socket(&port, true);
	_cleanup_close_ int cfd = tcp_socket(&closed, false);
	char *t[] = {"true", NULL};
	/* libev's own fds (epoll, signal pipe) are made on first use. */
	struct conf_probe warm = exec_probe(t);
	run_probe(&warm, 1000, NULL);
	int before = count_fds();
	for (int i = 0; i < 10; i++) {
		struct conf_probe cp = tcp_probe("127.0.0.1", i % 2 ? port : closed);
		run_probe(&cp, 1000, NULL);
		cp = (struct conf_probe){.kind = CONF_PROBE_HTTP, .host = "127.0.0.1", .port = closed};
		run_probe(&cp, 1000, NULL);
		cp = exec_probe(t);
		run_probe(&cp, 1000, NULL);
		/* Accepted connections pile up in the backlog: drain them. */
		int a;
		while ((a = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) >= 0)
			close(a);
	}
	ck_assert_int_eq(count_fds(), before);
}
END_TEST

static Suite *probe_suite(void)
{
	Suite *s = suite_create("probe");
	TCase *tc = tcase_create("probe");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, tcp_listening_ok);
	tcase_add_test(tc, tcp_ipv6_ok);
	tcase_add_test(tc, tcp_closed_port_refused);
	tcase_add_test(tc, name_without_resolver);
	tcase_add_test(tc, bad_arguments);
	tcase_add_test(tc, http_200_ok);
	tcase_add_test(tc, http_default_path);
	tcase_add_test(tc, http_302_ok);
	tcase_add_test(tc, http_503_fails);
	tcase_add_test(tc, http_garbage_fails);
	tcase_add_test(tc, http_endless_line_bounded);
	tcase_add_test(tc, http_listener_never_answers_times_out);
	tcase_add_test(tc, http_silent_server_times_out);
	tcase_add_test(tc, http_refused);
	tcase_add_test(tc, exec_true_false);
	tcase_add_test(tc, exec_killed_by_signal);
	tcase_add_test(tc, exec_timeout_kills_group);
	tcase_add_test(tc, exec_environment);
	tcase_add_test(tc, exec_clean_slate);
	tcase_add_test(tc, cancel_exec_in_flight);
	tcase_add_test(tc, cancel_http_in_flight);
	tcase_add_test(tc, cancel_from_done_is_harmless);
	tcase_add_test(tc, no_fd_leak);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(probe_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
