/* probe-bench.c: what one probe attempt and one sd_notify message cost tend.
 *
 * Each probe kind is run N times in a row on the libev default loop, as
 * tend runs them, against a server on loopback forked by this program
 * (blocking, one connection at a time, so its work is not on our loop).
 * Printed: median and p90 of one attempt's wall time, from probe_start()
 * to done, and attempts per second. Then a child floods the notify socket
 * with datagrams and we count how many KEY=VALUE lines per second the
 * server dispatches. Built -O2 without sanitizers (make bench-probe). */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "supervisor/notify.h"
#include "supervisor/probe.h"

static int done_calls;
static bool last_ok;

static void on_done(struct probe *p, bool ok, const char *why, void *userdata)
{
	done_calls++;
	last_ok = ok;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* One server child: accept, read what comes until a blank line or EOF,
 * answer when it was a request, close. */
static pid_t serve(int lfd)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
	for (;;) {
		int c = accept(lfd, NULL, NULL);
		if (c < 0)
			continue;
		char buf[1024];
		size_t len = 0;
		ssize_t n;
		while ((n = read(c, buf + len, sizeof(buf) - 1 - len)) > 0) {
			len += (size_t)n;
			buf[len] = 0;
			if (strstr(buf, "\r\n\r\n")) {
				if (write(c, ok, sizeof(ok) - 1) < 0)
					break;
				break;
			}
		}
		close(c);
	}
}

static void bench_probe(const char *label, const struct conf_probe *cp, int n, bool expect_ok,
			int drain_fd)
{
	struct ev_loop *loop = ev_default_loop(0);
	uint64_t *t = calloc((size_t)n, sizeof(*t));
	int failed = 0;
	uint64_t t0 = now_ns();

	for (int i = 0; i < n; i++) {
		struct probe *p;
		uint64_t a = now_ns();
		done_calls = 0;
		if (probe_start(loop, cp, 5000, NULL, on_done, NULL, &p) < 0) {
			fprintf(stderr, "%s: probe_start failed\n", label);
			exit(1);
		}
		while (!done_calls)
			ev_run(loop, EVRUN_ONCE);
		t[i] = now_ns() - a;
		failed += last_ok != expect_ok;
		/* Outside the timed part: empty the backlog, so that a full one
		 * never turns an attempt into a 1 s SYN retransmit. */
		if (drain_fd >= 0) {
			int c;
			while ((c = accept4(drain_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0)
				close(c);
		}
	}
	double total = (double)(now_ns() - t0) / 1e9;
	qsort(t, (size_t)n, sizeof(*t), cmp_u64);
	printf("| %-25s | %6d | %9.1f | %9.1f | %9.1f | %9.0f |%s\n", label, n, (double)t[n / 2] / 1e3,
	       (double)t[n * 9 / 10] / 1e3, (double)t[n - 1] / 1e3, n / total,
	       failed ? " unexpected results!" : "");
	free(t);
}

static long notify_lines;

static void on_msg(pid_t sender, const char *key, const char *value, void *userdata)
{
	notify_lines++;
}

static void bench_notify(int n)
{
	struct ev_loop *loop = ev_default_loop(0);
	struct notify_server *s;
	char name[64];

	snprintf(name, sizeof(name), "@tend-probe-bench-%d", (int)getpid());
	if (notify_server_open(loop, name, on_msg, NULL, &s) < 0) {
		fprintf(stderr, "notify_server_open failed\n");
		exit(1);
	}
	uint64_t t0 = now_ns();
	pid_t pid = fork();
	if (pid == 0) {
		/* A blocking datagram socket: when our queue is full the sender
		 * waits, nothing is lost, so the rate is the receiver's. */
		struct sockaddr_un sa = {.sun_family = AF_UNIX};
		size_t len = strlen(name);
		memcpy(sa.sun_path, name, len);
		sa.sun_path[0] = 0;
		int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		for (int i = 0; i < n; i++)
			if (sendto(fd, "STATUS=busy\nREADY=1", 19, 0, (struct sockaddr *)&sa,
				   (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) < 0)
				_exit(1);
		_exit(0);
	}
	while (notify_lines < 2L * n)
		ev_run(loop, EVRUN_ONCE);
	double dt = (double)(now_ns() - t0) / 1e9;
	printf("| %-25s | %6d | %9.2f | %9s | %9s | %9.0f |\n", "notify datagram (2 lines)", n,
	       dt * 1e6 / n, "-", "-", n / dt);
	notify_server_close(s);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 2000;
	if (n < 10)
		n = 10;

	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t salen = sizeof(sa);
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 128) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &salen) < 0) {
		perror("listen");
		return 1;
	}
	pid_t srv = serve(lfd);
	/* A port bound but not listening: refused at once. */
	struct sockaddr_in sb = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sblen = sizeof(sb);
	int bfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (bfd < 0 || bind(bfd, (struct sockaddr *)&sb, sizeof(sb)) < 0 ||
	    getsockname(bfd, (struct sockaddr *)&sb, &sblen) < 0) {
		perror("bind");
		return 1;
	}

	printf("| what                      | n      | median µs | p90 µs    | max µs    | per s     |\n");
	printf("|---------------------------|--------|-----------|-----------|-----------|-----------|\n");
	/* tcp:// has a listener of its own, drained between attempts. */
	struct sockaddr_in st = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t stlen = sizeof(st);
	int tfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (tfd < 0 || bind(tfd, (struct sockaddr *)&st, sizeof(st)) < 0 || listen(tfd, 128) < 0 ||
	    getsockname(tfd, (struct sockaddr *)&st, &stlen) < 0) {
		perror("listen");
		return 1;
	}
	struct conf_probe tcp = {.kind = CONF_PROBE_TCP, .host = "127.0.0.1", .port = ntohs(st.sin_port)};
	bench_probe("tcp:// ok", &tcp, n, true, tfd);
	struct conf_probe refused = {.kind = CONF_PROBE_TCP, .host = "127.0.0.1", .port = ntohs(sb.sin_port)};
	bench_probe("tcp:// refused", &refused, n, false, -1);
	struct conf_probe http = {.kind = CONF_PROBE_HTTP, .host = "127.0.0.1", .port = ntohs(sa.sin_port), .path = "/health"};
	bench_probe("http:// 200", &http, n, true, -1);
	char *t[] = {"/bin/true", NULL};
	struct conf_probe ex = {.kind = CONF_PROBE_EXEC, .argv = t};
	bench_probe("exec:/bin/true", &ex, n / 4 > 10 ? n / 4 : 10, true, -1);
	bench_notify(n * 50);

	kill(srv, SIGKILL);
	return 0;
}
