/* probe.c: see probe.h.
 *
 * Every probe is a small state machine driven by three watchers on the
 * caller's loop: an ev_io on a non-blocking socket (tcp://, http://), an
 * ev_child on the forked process (exec:) and one ev_timer. The timer is the
 * timeout, and is also how a result known already inside probe_start (a
 * connect() refused at once, say) reaches the caller: it is re-armed with
 * a zero delay, so that done always runs from the loop and the caller never
 * sees its callback before probe_start has returned.
 *
 * An exec: probe's stdout and stderr are a pipe that tend reads on the
 * loop (the ev_io), keeping only the last line that had text, cut to
 * PROBE_LINE_MAX: on failure that line ends the reason ("exit 1: database
 * not reachable"), made valid UTF-8 with its control characters replaced.
 * Nothing a probe prints reaches tend's own stderr: that is tend's log,
 * one event (or one JSON object) a line, and no place for anyone's text. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "common/log.h"
#include "common/safeopen.h"
#include "common/utf8.h"
#include "common/util.h"
#include "supervisor/probe.h"
#include "supervisor/resolve.h"

/* Only the status line of an answer is read: "HTTP/1.1 503 Service
 * Unavailable\r\n" fits many times over; a server that sends more than this
 * without a line end is not speaking HTTP. */
#define PROBE_HTTP_LINE_MAX 256
/* An exec: probe's line kept for the reason, in bytes. */
#define PROBE_LINE_MAX 200
/* Reads of a probe's output drained at its exit, at most: something it
 * left running may write on and must not hold the loop. */
#define PROBE_DRAIN_READS 16

enum probe_stage {
	PROBE_CONNECTING,
	PROBE_SENDING,
	PROBE_RECEIVING,
	PROBE_RUNNING, /* exec: */
	PROBE_RESOLVING, /* tcp://NAME, http://NAME: asking the name servers */
};

struct probe {
	struct ev_loop *loop;
	enum conf_probe_kind kind;
	enum probe_stage stage;
	probe_done_fn done;
	void *userdata;
	uint64_t timeout_ms;
	ev_timer timer;
	ev_io io;
	ev_child child;
	int fd;
	pid_t pid;      /* exec: the probe's process (and group); 0 once reaped */
	pid_t pgid;     /* exec: its process group, killed when we are done */
	bool decided;   /* result known in probe_start, delivered by the timer */
	bool ok;
	bool in_done;   /* inside done: probe_cancel must not free us */
	char *req;
	size_t req_len, req_off;
	char buf[PROBE_HTTP_LINE_MAX];
	size_t buf_len;
	char line[PROBE_LINE_MAX];      /* exec: the line being read */
	size_t line_len;
	char last[PROBE_LINE_MAX];      /* exec: the last line with text */
	size_t last_len;
	char why[96];                   /* as long as a service's probe_state */
	struct resolve *lookup;         /* PROBE_RESOLVING */
	uint16_t port;
	int hosts_err;                  /* /etc/hosts could not be read: said with a DNS failure */
	char name[256];                 /* the HOST being resolved, for the reason */
};

static void probe_set_why(struct probe *p, const char *fmt, ...) _printf_(2, 3);
static void probe_set_why(struct probe *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->why, sizeof(p->why), fmt, ap);
	va_end(ap);
}

/* "Connection refused" reads as "connection refused" in the middle of
 * "web: ready probe failed: connection refused". */
static void probe_set_errno(struct probe *p, int err)
{
	probe_set_why(p, "%s", strerror(err < 0 ? -err : err));
	p->why[0] = (char)tolower((unsigned char)p->why[0]);
}

/* Stop every watcher and release what the attempt holds. An exec: probe's
 * whole process group is killed: a probe that left something behind in
 * the background must not pile up one straggler per health check. */
static void probe_release(struct probe *p)
{
	ev_timer_stop(p->loop, &p->timer);
	ev_io_stop(p->loop, &p->io);
	ev_child_stop(p->loop, &p->child);
	p->fd = safe_close(p->fd);
	if (p->pgid > 0) {
		(void)kill(-p->pgid, SIGKILL);
		/* In case the child had not reached its setpgid() yet. */
		if (p->pid > 0)
			(void)kill(p->pid, SIGKILL);
	}
	p->pid = p->pgid = 0;
	p->lookup = resolve_cancel(p->lookup);
	free(p->req);
	p->req = NULL;
}

/* Deliver the result (p->ok, p->why) and free the probe. Only ever called
 * from a watcher callback, i.e. from the loop. */
static void probe_finish(struct probe *p, bool ok)
{
	probe_release(p);
	if (ok)
		probe_set_why(p, "ok");
	p->in_done = true;
	p->done(p, ok, p->why, p->userdata);
	free(p);
}

/* A result known before the loop has run for us: deliver it on the next
 * iteration through the (otherwise idle) timer. */
static void probe_decide_later(struct probe *p, bool ok)
{
	ev_io_stop(p->loop, &p->io);
	ev_timer_stop(p->loop, &p->timer);
	p->decided = true;
	p->ok = ok;
	ev_timer_set(&p->timer, 0., 0.);
	ev_timer_start(p->loop, &p->timer);
}

static void probe_exec_read(struct probe *p, unsigned max);
static void probe_exec_why_line(struct probe *p);

static void probe_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct probe *p = w->data;
	char d[32];

	if (p->decided) {
		probe_finish(p, p->ok);
		return;
	}
	/* The process ended in the same loop iteration: its exit status is
	 * the truer answer, and its watcher runs next. */
	if (p->kind == CONF_PROBE_EXEC && ev_is_pending(&p->child))
		return;
	if (p->stage == PROBE_RESOLVING)
		probe_set_why(p, "cannot resolve '%s': timed out after %s", p->name, fmt_ms(d, sizeof(d), p->timeout_ms));
	else
		probe_set_why(p, "timed out after %s", fmt_ms(d, sizeof(d), p->timeout_ms));
	if (p->kind == CONF_PROBE_EXEC) {
		probe_exec_read(p, PROBE_DRAIN_READS);
		probe_exec_why_line(p);
	}
	probe_finish(p, false);
}

/* Parse "HTTP/1.x NNN ..." at the start of the answer. */
static void probe_http_answer(struct probe *p)
{
	const char *s = p->buf;
	size_t n = p->buf_len;

	if (n < 12 || strncmp(s, "HTTP/", 5) != 0) {
		probe_set_why(p, "not an HTTP answer");
		probe_finish(p, false);
		return;
	}
	const char *sp = memchr(s, ' ', n);
	if (!sp || (size_t)(sp - s) + 4 > n || !isdigit((unsigned char)sp[1]) ||
	    !isdigit((unsigned char)sp[2]) || !isdigit((unsigned char)sp[3]) ||
	    ((size_t)(sp - s) + 4 < n && !isspace((unsigned char)sp[4]))) {
		probe_set_why(p, "not an HTTP answer");
		probe_finish(p, false);
		return;
	}
	int code = (sp[1] - '0') * 100 + (sp[2] - '0') * 10 + (sp[3] - '0');
	if (code >= 200 && code < 400) {
		probe_finish(p, true);
		return;
	}
	probe_set_why(p, "HTTP %d", code);
	probe_finish(p, false);
}

static void probe_http_send(struct probe *p)
{
	while (p->req_off < p->req_len) {
		ssize_t k = send(p->fd, p->req + p->req_off, p->req_len - p->req_off, MSG_NOSIGNAL);
		if (k < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return; /* wait for EV_WRITE again */
			probe_set_errno(p, errno);
			probe_finish(p, false);
			return;
		}
		p->req_off += (size_t)k;
	}
	/* Whole request sent: now only the answer matters. */
	p->stage = PROBE_RECEIVING;
	ev_io_stop(p->loop, &p->io);
	ev_io_set(&p->io, p->fd, EV_READ);
	ev_io_start(p->loop, &p->io);
}

static void probe_http_recv(struct probe *p)
{
	for (;;) {
		ssize_t k = recv(p->fd, p->buf + p->buf_len, sizeof(p->buf) - 1 - p->buf_len, 0);
		if (k < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			probe_set_errno(p, errno);
			probe_finish(p, false);
			return;
		}
		if (k == 0) {
			if (p->buf_len == 0) {
				probe_set_why(p, "connection closed without an answer");
				probe_finish(p, false);
			} else
				probe_http_answer(p);
			return;
		}
		p->buf_len += (size_t)k;
		p->buf[p->buf_len] = 0;
		if (memchr(p->buf, '\n', p->buf_len) || p->buf_len == sizeof(p->buf) - 1) {
			probe_http_answer(p);
			return;
		}
	}
}

/* ---- exec: a probe's output ------------------------------------------- */

static void probe_exec_take(struct probe *p, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (b[i] == '\n') {
			if (p->line_len > 0) {
				memcpy(p->last, p->line, p->line_len);
				p->last_len = p->line_len;
			}
			p->line_len = 0;
		} else if (p->line_len < sizeof(p->line)) {
			p->line[p->line_len++] = b[i];
		}
	}
}

/* Read what the probe wrote; at most max reads. At its end (EOF), or on
 * an error, stop watching. */
static void probe_exec_read(struct probe *p, unsigned max)
{
	char b[4096];

	while (p->fd >= 0 && max-- > 0) {
		ssize_t k = read(p->fd, b, sizeof(b));
		if (k > 0) {
			probe_exec_take(p, b, (size_t)k);
			continue;
		}
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && errno == EAGAIN)
			return;
		ev_io_stop(p->loop, &p->io);
		p->fd = safe_close(p->fd);
	}
}

/* ": LINE" after the reason, for the log and the status: valid UTF-8, no
 * control characters (a terminal escape in tend's log would be the
 * probe's to play), cut between characters to fit why. */
static void probe_exec_why_line(struct probe *p)
{
	const char *l = p->line_len > 0 ? p->line : p->last;
	size_t n = p->line_len > 0 ? p->line_len : p->last_len;
	char clean[PROBE_LINE_MAX];
	size_t used = strlen(p->why);

	while (n > 0 && (l[n - 1] == '\r' || l[n - 1] == ' ' || l[n - 1] == '\t'))
		n--;
	if (n == 0 || used + 3 >= sizeof(p->why))
		return;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)l[i];
		clean[i] = c == '\t' ? ' ' : c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	memcpy(p->why + used, ": ", 2);
	used += 2;
	utf8_sanitize(p->why + used, sizeof(p->why) - used, clean, n);
}

static void probe_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct probe *p = w->data;

	switch (p->stage) {
	case PROBE_CONNECTING: {
		int err = 0;
		socklen_t len = sizeof(err);
		if (getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		if (err != 0) {
			probe_set_errno(p, err);
			probe_finish(p, false);
			return;
		}
		if (p->kind == CONF_PROBE_TCP) {
			probe_finish(p, true);
			return;
		}
		p->stage = PROBE_SENDING;
		probe_http_send(p);
		return;
	}
	case PROBE_SENDING:
		probe_http_send(p);
		return;
	case PROBE_RECEIVING:
		probe_http_recv(p);
		return;
	case PROBE_RUNNING:
		probe_exec_read(p, 1);
		return;
	case PROBE_RESOLVING:
		return; /* no io watcher then */
	}
}

static void probe_child_cb(struct ev_loop *loop, ev_child *w, int revents)
{
	struct probe *p = w->data;
	int st = w->rstatus;

	/* libev has reaped it: the pid is no longer ours to signal. Its
	 * group, if anything is left in it, still is (probe_release). */
	p->pid = 0;
	probe_exec_read(p, PROBE_DRAIN_READS);
	if (WIFEXITED(st)) {
		if (WEXITSTATUS(st) == 0) {
			probe_finish(p, true);
			return;
		}
		probe_set_why(p, "exit %d%s", WEXITSTATUS(st),
			      WEXITSTATUS(st) == 127 ? " (command not found)" : "");
	} else if (WIFSIGNALED(st))
		probe_set_why(p, "killed by signal %d", WTERMSIG(st));
	else
		probe_set_why(p, "ended with status 0x%x", (unsigned)st);
	probe_exec_why_line(p);
	probe_finish(p, false);
}

/* Numeric addresses and "localhost"; a name goes to resolve.c (never
 * getaddrinfo(): it would block the loop on a DNS server that does not
 * answer). */
static int probe_sockaddr(const struct conf_probe *cp, struct sockaddr_storage *ret,
			  socklen_t *ret_len)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *h = cp->host;

	if (!h || !*h)
		return -EINVAL;
	if (h[0] == '[') { /* [::1] as written in a URL */
		size_t n = strlen(h);
		if (n < 3 || h[n - 1] != ']' || n - 2 >= sizeof(host))
			return -EINVAL;
		memcpy(host, h + 1, n - 2);
		host[n - 2] = 0;
		h = host;
	}
	if (strcasecmp(h, "localhost") == 0)
		h = "127.0.0.1";

	struct sockaddr_storage ss = {0};
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, h, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(cp->port);
		*ret_len = sizeof(*in4);
	} else if (inet_pton(AF_INET6, h, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(cp->port);
		*ret_len = sizeof(*in6);
	} else
		return -EINVAL;
	*ret = ss;
	return 0;
}

static int probe_http_request(const struct conf_probe *cp, char **ret, size_t *ret_len)
{
	const char *path = cp->path && *cp->path ? cp->path : "/";
	bool v6 = cp->host && strchr(cp->host, ':') && cp->host[0] != '[';
	char port[8] = "";
	char *req;

	/* A path is one token of the request line: no spaces, no line ends. */
	for (const char *c = path; *c; c++)
		if ((unsigned char)*c <= ' ' || *c == 0x7f)
			return -EINVAL;
	if (cp->port != 80)
		snprintf(port, sizeof(port), ":%u", (unsigned)cp->port);
	int n = asprintf(&req,
			 "GET %s HTTP/1.0\r\n"
			 "Host: %s%s%s%s\r\n"
			 "User-Agent: tend\r\n"
			 "Connection: close\r\n"
			 "\r\n",
			 path, v6 ? "[" : "", cp->host, v6 ? "]" : "", port);
	if (n < 0)
		return -ENOMEM;
	*ret = req;
	*ret_len = (size_t)n;
	return 0;
}

/* A host name as DNS spells one: letters, digits, '-', '_', '.'. */
static bool probe_is_name(const char *h)
{
	size_t n = h ? strlen(h) : 0;
	if (n == 0 || n > 253 || h[0] == '.' || h[0] == '-')
		return false;
	for (const char *c = h; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_' && *c != '.')
			return false;
	return true;
}

static int probe_connect(struct probe *p, const struct sockaddr *sa, socklen_t salen);

static void probe_resolved(int err, const struct sockaddr *sa, socklen_t len, const char *why, void *userdata)
{
	struct probe *p = userdata;

	p->lookup = NULL; /* freed by resolve.c after this returns */
	if (!err) {
		int r = probe_connect(p, sa, len);
		if (r >= 0)
			return;
		probe_set_errno(p, r);
	} else if (p->hosts_err) {
		probe_set_why(p, "cannot resolve '%s': %s (%s: %s)", p->name, why, "/etc/hosts",
			      p->hosts_err == -EBADFD ? "not a regular file" : strerror(-p->hosts_err));
	} else {
		probe_set_why(p, "cannot resolve '%s': %s", p->name, why);
	}
	/* From the loop or from inside probe_start: the timer delivers it. */
	probe_decide_later(p, false);
}

/* HOST by name: /etc/hosts at once, else the name servers on the loop. */
static int probe_start_name(struct probe *p, const struct conf_probe *cp)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	const char *why = NULL;

	snprintf(p->name, sizeof(p->name), "%s", cp->host);
	p->port = cp->port;
	int r = resolve_hosts(p->name, p->port, &ss, &sslen);
	if (r == 0)
		return probe_connect(p, (struct sockaddr *)&ss, sslen);
	if (r != -ENOENT)
		p->hosts_err = r;
	p->stage = PROBE_RESOLVING;
	r = resolve_dns(p->name, p->port, probe_resolved, p, &p->lookup, &why);
	if (r < 0) {
		probe_set_why(p, "cannot resolve '%s': %s", p->name, why);
		probe_decide_later(p, false);
	}
	return 0;
}

static int probe_start_socket(struct probe *p, const struct conf_probe *cp)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	int k, r = probe_sockaddr(cp, &ss, &sslen);

	if (r < 0 && !(r == -EINVAL && probe_is_name(cp->host)))
		return r;
	if (cp->kind == CONF_PROBE_HTTP && (k = probe_http_request(cp, &p->req, &p->req_len)) < 0)
		return k;
	if (r < 0)
		return probe_start_name(p, cp);
	return probe_connect(p, (struct sockaddr *)&ss, sslen);
}

/* A socket to sa, connecting; the verdict comes through the io watcher
 * (or the timer, when refused at once). */
static int probe_connect(struct probe *p, const struct sockaddr *sa, socklen_t salen)
{
	p->fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (p->fd < 0)
		return -errno;
	p->stage = PROBE_CONNECTING;
	ev_io_init(&p->io, probe_io_cb, p->fd, EV_WRITE);
	p->io.data = p;
	/* Connected at once or in progress: either way the socket turns
	 * writable and probe_io_cb reads the verdict from SO_ERROR. */
	if (connect(p->fd, sa, salen) == 0 || errno == EINPROGRESS) {
		ev_io_start(p->loop, &p->io);
		return 0;
	}
	/* Refused or unreachable right away (usual on loopback). */
	probe_set_errno(p, errno);
	probe_decide_later(p, false);
	return 0;
}

static void (*exec_setup)(void *userdata);

void probe_set_exec_setup(void (*fn)(void *userdata)) { exec_setup = fn; }

/* In the child, between fork and exec: a clean slate, as a service gets.
 * Only async-signal-safe calls from here on (and the setup hook's). */
static _Noreturn void probe_exec_child(char *const *argv, char *const *envp, int out, void *userdata)
{
	extern char **environ;
	sigset_t none;

	/* tend blocks nearly every signal and handles them on its loop;
	 * the probe must start with the defaults. The raw system call, as
	 * glibc's sigaction() refuses its own two real-time signals (32, 33),
	 * which tend may have inherited as ignored and would pass on: an
	 * all-zero kernel sigaction is SIG_DFL, no flags, empty mask, on
	 * every architecture's layout. */
	for (int sig = 1; sig < _NSIG; sig++) {
		uint64_t ksa[4] = {0};
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)syscall(SYS_rt_sigaction, sig, ksa, NULL, (size_t)(_NSIG / 8));
	}
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);

	(void)setpgid(0, 0);

	/* stdin /dev/null; stdout and stderr the pipe tend reads (or
	 * /dev/null when there is none): never tend's own stderr. */
	/* A service running as root owns /dev: the null device is checked. */
	int null = safeopen_null(O_RDWR | O_CLOEXEC);
	if (null < 0) {
		/* The pipe's last line is the failure's reason in tend's log. */
		if (out >= 0)
			dprintf(out, "%s\n", null == -ENODEV ? "'/dev/null' is not the null device" : "cannot open /dev/null");
		_exit(126);
	}
	if (out < 0)
		out = null;
	if (dup2(null, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 || dup2(out, STDERR_FILENO) < 0)
		_exit(126);
	/* dup2() onto itself keeps FD_CLOEXEC (tend started with 0, 1 or 2 closed). */
	(void)fcntl(STDIN_FILENO, F_SETFD, 0);
	(void)fcntl(STDOUT_FILENO, F_SETFD, 0);
	(void)fcntl(STDERR_FILENO, F_SETFD, 0);
	/* Everything of tend's is close-on-exec already; this is the belt. */
	(void)close_all_fds(-1);

	if (exec_setup)
		exec_setup(userdata);
	if (envp)
		environ = (char **)envp; /* so execvp looks in the probe's own PATH */
	execvp(argv[0], argv);
	_exit(errno == ENOENT ? 127 : 126);
}

static int probe_start_exec(struct probe *p, const struct conf_probe *cp, char *const *envp)
{
	if (!cp->argv || !cp->argv[0])
		return -EINVAL;

	/* No pipe (EMFILE...): the probe still runs, its output to /dev/null. */
	int out[2] = { -1, -1 };
	if (pipe2(out, O_CLOEXEC) < 0)
		out[0] = out[1] = -1;

	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		safe_close(out[0]);
		safe_close(out[1]);
		return -e;
	}
	if (pid == 0)
		probe_exec_child(cp->argv, envp, out[1], p->userdata);
	safe_close(out[1]);
	if (out[0] >= 0) {
		p->fd = out[0];
		fd_nonblock(p->fd, 1);
		ev_io_set(&p->io, p->fd, EV_READ);
		ev_io_start(p->loop, &p->io);
	}

	/* Also from this side, so that a kill of the group right after fork
	 * already reaches it. */
	(void)setpgid(pid, pid);
	p->pid = p->pgid = pid;
	p->stage = PROBE_RUNNING;
	/* libev reaps it (SIGCHLD is watched on the default loop) and tells
	 * this watcher; the exit cannot be missed as it is only collected
	 * on the loop, after this returns. */
	ev_child_init(&p->child, probe_child_cb, pid, 0);
	p->child.data = p;
	ev_child_start(p->loop, &p->child);
	return 0;
}

int probe_start(struct ev_loop *loop, const struct conf_probe *cp, uint64_t timeout_ms,
		char *const *envp, probe_done_fn done, void *userdata, struct probe **ret)
{
	struct probe *p;
	int r;

	if (!loop || !cp || !done || !ret)
		return -EINVAL;
	if (cp->kind != CONF_PROBE_TCP && cp->kind != CONF_PROBE_HTTP && cp->kind != CONF_PROBE_EXEC)
		return -EINVAL;

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->loop = loop;
	p->kind = cp->kind;
	p->done = done;
	p->userdata = userdata;
	p->timeout_ms = timeout_ms;
	p->fd = -1;
	ev_timer_init(&p->timer, probe_timer_cb, (double)timeout_ms / 1000., 0.);
	p->timer.data = p;
	ev_init(&p->io, probe_io_cb);
	p->io.data = p;
	ev_init(&p->child, probe_child_cb);
	p->child.data = p;

	r = cp->kind == CONF_PROBE_EXEC ? probe_start_exec(p, cp, envp) : probe_start_socket(p, cp);
	if (r < 0) {
		probe_release(p);
		free(p);
		return r;
	}
	if (!p->decided && timeout_ms > 0)
		ev_timer_start(loop, &p->timer);
	*ret = p;
	return 0;
}

struct probe *probe_cancel(struct probe *p)
{
	if (!p)
		return NULL;
	/* Cancelled from its own done callback: probe_finish frees it. */
	if (p->in_done)
		return NULL;
	probe_release(p);
	free(p);
	return NULL;
}
