/* control.c: see control.h; the protocol is documented in tendctl(8).
 *
 * The bounds (conn.h) are what keeps a slow or hostile client from
 * costing tend more than a slot: a request is one line of at most
 * CTL_MAX_REQUEST bytes, at most CTL_MAX_CLIENTS are connected at once
 * (a new one takes the slot of the oldest idle one), and each has
 * CTL_REQUEST_TIMEOUT to send its line and CTL_TIMEOUT to read its
 * answer. */
#include "config.h"

#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include "common/log.h"
#include "supervisor/conn.h"
#include "supervisor/control.h"
#include "supervisor/logring.h"
#include "supervisor/output.h"
#include "supervisor/peer.h"
#include "supervisor/service.h"
#include "supervisor/status.h"
#include "supervisor/supervisor.h"

#define CTL_MAX_REQUEST 4096
#define CTL_MAX_ANSWER (4u << 20)
#define CTL_MAX_CLIENTS 16
#define CTL_BACKLOG 128 /* queued until accepted; see HTTP_BACKLOG */
/* Linux >= 6.5; older kernels say ENOPROTOOPT. */
#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif
#define CTL_REQUEST_TIMEOUT 5.0 /* tendctl sends its line at once */
#define CTL_TIMEOUT 10.0

struct ctl {
	struct sup *sup;
	struct conn_server *srv;
	char *path;
	dev_t dev;  /* the socket file we made: removed at close only if */
	ino_t ino;  /* it is still ours */
	uint64_t last_refusal_log;
};

/* ---- the protocol ------------------------------------------------------ */

size_t ctl_request_complete(const char *buf, size_t len, bool eof)
{
	const char *nl = memchr(buf, '\n', len);
	if (nl)
		return (size_t)(nl - buf) + 1;
	/* `printf status | socat - UNIX:...`: a last line without its
	 * newline is still a request. */
	return eof ? len : 0;
}

static void reply_ok(struct conn *c) { conn_write(c, "OK\n", 3); }

static void reply_err(struct conn *c, const char *fmt, ...) _printf_(2, 3);
static void reply_err(struct conn *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* The status line is one line, whatever the reason says. */
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	conn_printf(c, "ERR %s\n", msg);
}

/* Text of several lines (a status table, reload messages) as answer lines;
 * a last line without its newline gets one. */
static int write_lines(struct conn *c, const char *text)
{
	size_t n = text ? strlen(text) : 0;
	if (n == 0)
		return 0;
	int r = conn_write(c, text, n);
	if (r >= 0 && text[n - 1] != '\n')
		r = conn_write(c, "\n", 1);
	return r;
}

static struct svc *find_or_refuse(struct ctl *ctl, struct conn *c, const char *name)
{
	struct svc *v = sup_find(ctl->sup, name);
	if (!v)
		reply_err(c, "no service '%s'", name);
	return v;
}

static void cmd_status(struct ctl *ctl, struct conn *c, char **argv, int argc)
{
	const char *name = NULL;
	bool json = false;
	_cleanup_free_ char *text = NULL;
	int r;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = true;
		else if (!name && argv[i][0] != '-')
			name = argv[i];
		else
			return reply_err(c, "usage: status [NAME] [--json]");
	}
	r = json ? status_json(ctl->sup, name, true, &text) : status_table(ctl->sup, name, &text);
	if (r == -ENOENT)
		return reply_err(c, "no service '%s'", name);
	if (r < 0)
		return reply_err(c, "cannot render the status: %s", strerror(-r));
	if (write_lines(c, text) < 0)
		return reply_err(c, "answer too long");
	reply_ok(c);
}

static void cmd_start(struct ctl *ctl, struct conn *c, char **argv, int argc)
{
	struct svc *v = find_or_refuse(ctl, c, argv[1]);
	if (!v)
		return;
	if (sup_is_stopping(ctl->sup))
		return reply_err(c, "tend is shutting down");
	switch (svc_state(v)) {
	case SVC_STARTING: case SVC_RUNNING: case SVC_READY:
		conn_printf(c, "%s: already %s\n", argv[1], svc_state_name(svc_state(v)));
		return reply_ok(c);
	case SVC_STOPPING:
		return reply_err(c, "'%s' is stopping; use restart, or start it once it has stopped", argv[1]);
	case SVC_WAITING:
		return reply_err(c, "'%s' is waiting for what it is after", argv[1]);
	default:
		/* STOPPED, EXITED, FAILED; BACKOFF skips what is left of the delay. */
		svc_start(v);
		conn_printf(c, "%s: %s\n", argv[1], svc_state_name(svc_state(v)));
		return reply_ok(c);
	}
}

static void cmd_stop(struct ctl *ctl, struct conn *c, char **argv, int argc)
{
	struct svc *v = find_or_refuse(ctl, c, argv[1]);
	if (!v)
		return;
	switch (svc_state(v)) {
	case SVC_EXITED: case SVC_FAILED:
		if (svc_due(v)) /* `every`: its next run is called off */
			goto stop;
		__attribute__((fallthrough));
	case SVC_STOPPED: case SVC_DISABLED:
		conn_printf(c, "%s: not running (%s)\n", argv[1], svc_state_name(svc_state(v)));
		return reply_ok(c);
	default:
	stop:
		/* Asked for by a user: not a failure, and it stays down (the
		 * restart policy does not apply) until started again. */
		svc_stop(v, true, false);
		conn_printf(c, "%s: %s\n", argv[1], svc_state_name(svc_state(v)));
		return reply_ok(c);
	}
}

static void cmd_restart(struct ctl *ctl, struct conn *c, char **argv, int argc)
{
	struct svc *v = find_or_refuse(ctl, c, argv[1]);
	if (!v)
		return;
	if (sup_is_stopping(ctl->sup))
		return reply_err(c, "tend is shutting down");
	svc_restart(v);
	conn_printf(c, "%s: %s\n", argv[1], svc_state_name(svc_state(v)));
	reply_ok(c);
}

static void cmd_signal(struct ctl *ctl, struct conn *c, char **argv, int argc)
{
	int sig;
	struct svc *v = find_or_refuse(ctl, c, argv[1]);
	if (!v)
		return;
	if (conf_parse_signal(argv[2], &sig) < 0)
		return reply_err(c, "unknown signal '%s'", argv[2]);
	int r = svc_kill(v, sig);
	if (r == -ESRCH)
		return reply_err(c, "'%s' is not running", argv[1]);
	if (r < 0)
		return reply_err(c, "cannot signal '%s': %s", argv[1], strerror(-r));
	log_full(LOG_LVL_INFO, 0, argv[1], "SIG%s sent on request", conf_signal_name(sig));
	reply_ok(c);
}

/* (r2) reload NAME: the service's reload_signal, to its process group
 * (as `signal` does), or to its leader alone with stop_mode = main (a
 * master reloads its workers itself); tend's configuration is not read. */
static void reload_service(struct ctl *ctl, struct conn *c, const char *name)
{
	struct svc *v = find_or_refuse(ctl, c, name);
	if (!v)
		return;
	int sig = v->conf->reload_signal, r;
	if (v->conf->stop_mode == CONF_STOP_MAIN)
		r = !svc_alive(v) || svc_leader(v) <= 0 ? -ESRCH : kill(svc_leader(v), sig) < 0 ? -errno : 0;
	else
		r = svc_kill(v, sig);
	if (r == -ESRCH)
		return reply_err(c, "'%s' is not running", name);
	if (r < 0)
		return reply_err(c, "cannot signal '%s': %s", name, strerror(-r));
	log_full(LOG_LVL_INFO, 0, name, "SIG%s sent on request (reload)", conf_signal_name(sig));
	conn_printf(c, "%s: SIG%s sent\n", name, conf_signal_name(sig));
	reply_ok(c);
}

static void cmd_reload(struct ctl *ctl, struct conn *c, char **argv, int argc)
{
	_cleanup_free_ char *msg = NULL;
	if (argc > 1)
		return reload_service(ctl, c, argv[1]);
	if (sup_is_stopping(ctl->sup))
		return reply_err(c, "tend is shutting down");
	int r = sup_request_reload(ctl->sup, &msg);
	if (write_lines(c, msg) < 0)
		return reply_err(c, "answer too long");
	if (r < 0)
		return reply_err(c, "reload failed, nothing changed");
	reply_ok(c);
}

static void cmd_shutdown(struct ctl *ctl, struct conn *c, char **argv, int argc)
{
	log_info("shutdown requested through the control socket");
	/* The answer is written before the loop can end (conn.c tries at
	 * once, and the small answer fits the socket). */
	conn_printf(c, "shutting down\n");
	reply_ok(c);
	/* Who asked: as PID 1, the final sweep waits for it to end. */
	struct ucred cr = {};
	socklen_t len = sizeof(cr);
	(void)getsockopt(conn_fd(c), SOL_SOCKET, SO_PEERCRED, &cr, &len);
	sup_shutdown_for(ctl->sup, cr.pid);
}

static int put_answer(void *ud, const void *p, size_t len) { return conn_write(ud, p, len); }

static int peer_is_service(struct conn *c, pid_t *ret_pid);

/* (r2) logs [-f] [-n LINES] NAME: the kept output, "= LINE" a line (see
 * logring.h). A follower leaves the bounded one-answer clients at once:
 * its own dup of the socket goes to the ring, which bounds followers
 * apart, and the connection here ends with nothing written, so it never
 * holds a client slot nor counts as an idle client. */
static void cmd_logs(struct ctl *ctl, struct conn *c, char **argv, int argc)
{
	const char *name = NULL;
	bool follow = false;
	unsigned long lines = 0;

	for (int i = 1; i < argc; i++) {
		char *end;
		if (strcmp(argv[i], "-f") == 0)
			follow = true;
		else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
			errno = 0;
			lines = strtoul(argv[++i], &end, 10);
			if (errno || *end || !*argv[i] || argv[i][0] == '-')
				return reply_err(c, "bad number of lines '%.32s'", argv[i]);
		} else if (!name && argv[i][0] != '-')
			name = argv[i];
		else
			return reply_err(c, "usage: logs [-f] [-n LINES] NAME");
	}
	if (!name)
		return reply_err(c, "usage: logs [-f] [-n LINES] NAME");
	if (!find_or_refuse(ctl, c, name))
		return;
	struct logring *ring = output_ring(name);
	if (!ring)
		return reply_err(c, "'%s': no output kept: tend keeps what it relays (stdout = tagged, or a FILE "
			     "with log_max_size) when log_buffer is not 0, and its output is not relayed through tend", name);
	if (!follow) {
		/* The newest lines that fit, with room for the line that
		 * says how many did not, and the status line. */
		if (logring_tail(ring, lines, CTL_MAX_ANSWER - 256, put_answer, c) < 0)
			return reply_err(c, "answer too long");
		return reply_ok(c);
	}
	int fd = fcntl(conn_fd(c), F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return reply_err(c, "cannot follow: %s", strerror(errno));
	/* Services may follow too, but never take every slot: one that
	 * cannot be told apart from a service counts as one. */
	pid_t pid;
	bool of_service = peer_is_service(c, &pid) != 0;
	int r = logring_follow(ring, fd, lines, of_service);
	if (r == -EBUSY && of_service)
		return reply_err(c, "too many followers from services (at most %d at once)",
				 LOGRING_MAX_SERVICE_FOLLOWERS);
	if (r == -EBUSY)
		return reply_err(c, "too many followers (at most %d at once)", LOGRING_MAX_FOLLOWERS);
	if (r < 0)
		return reply_err(c, "cannot follow: %s", strerror(-r));
}

/* (r2) reopen: every FILE tend writes, opened again (logrotate). */
static void cmd_reopen(struct ctl *ctl, struct conn *c, char **argv, int argc)
{
	_cleanup_free_ char *msg = NULL;
	int n = output_reopen(&msg);
	if (msg) {
		write_lines(c, msg);
		return reply_err(c, "not every file could be reopened");
	}
	conn_printf(c, "%d file%s reopened\n", n, n == 1 ? "" : "s");
	reply_ok(c);
}

static const struct {
	const char *name;
	int min_args, max_args;
	bool changes_state;
	const char *usage;
	void (*fn)(struct ctl *ctl, struct conn *c, char **argv, int argc);
} commands[] = {
	{ "status", 0, 2, false, "status [NAME] [--json]", cmd_status },
	{ "start", 1, 1, true, "start NAME", cmd_start },
	{ "stop", 1, 1, true, "stop NAME", cmd_stop },
	{ "restart", 1, 1, true, "restart NAME", cmd_restart },
	{ "signal", 2, 2, true, "signal NAME SIGNAL", cmd_signal },
	{ "reload", 0, 1, true, "reload [NAME]", cmd_reload },
	{ "shutdown", 0, 0, true, "shutdown", cmd_shutdown },
	{ "logs", 1, 4, false, "logs [-f] [-n LINES] NAME", cmd_logs },
	{ "reopen", 0, 0, true, "reopen", cmd_reopen },
};

int ctl_parse_request(char *req, size_t len, struct ctl_request *ret)
{
	char *save = NULL;

	ret->argc = 0;
	ret->argv[0] = NULL;
	ret->command = -1;
	ret->changes_state = false;
	ret->usage = NULL;
	if (memchr(req, 0, len))
		return -EBADMSG;
	for (char *w = strtok_r(req, " \t\r\n", &save); w; w = strtok_r(NULL, " \t\r\n", &save)) {
		if (ret->argc == CTL_MAX_WORDS)
			return -E2BIG;
		ret->argv[ret->argc++] = w;
		ret->argv[ret->argc] = NULL;
	}
	if (ret->argc == 0)
		return -ENODATA;
	for (size_t i = 0; i < ELEMENTSOF(commands); i++) {
		if (strcmp(ret->argv[0], commands[i].name) != 0)
			continue;
		ret->command = (int)i;
		/* Judged by the command alone, before its arguments: a
		 * refusal never depends on a typo. */
		ret->changes_state = commands[i].changes_state;
		ret->usage = commands[i].usage;
		if (ret->argc - 1 < commands[i].min_args || ret->argc - 1 > commands[i].max_args)
			return -EINVAL;
		return 0;
	}
	return -ENOENT;
}

/* A pidfd of the peer: the one the kernel took at connect (SO_PEERPIDFD),
 * or, on older kernels, one opened now for its pid (which narrows the
 * race to the time between connect and now). */
static int peer_pidfd(int fd, pid_t pid)
{
	int pidfd = -1;
	socklen_t len = sizeof(pidfd);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len) == 0 && len == sizeof(pidfd) && pidfd >= 0) {
		/* The same process as SO_PEERCRED's pid, still there. */
		pid_t p = peer_pidfd_pid(pidfd);
		if (p == pid)
			return pidfd;
		safe_close(pidfd);
		return p < 0 ? p : -ESRCH;
	}
	if (errno != ENOPROTOOPT && errno != EINVAL)
		return -errno;
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	return pidfd >= 0 ? pidfd : -errno;
}

/* Whether the client is a process of one of tend's services (contract
 * section 6): > 0 yes, 0 no, < 0 cannot tell (-errno). *ret_pid: its pid,
 * -1 when even its credentials could not be read. */
static int peer_is_service(struct conn *c, pid_t *ret_pid)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	*ret_pid = -1;
	if (getsockopt(conn_fd(c), SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
		return -errno;
	*ret_pid = cr.pid;
	/* pid 0: a peer in a pid namespace tend cannot see (the host of a
	 * container): never one of tend's services. */
	if (cr.pid == 0)
		return 0;
	_cleanup_close_ int pidfd = peer_pidfd(conn_fd(c), cr.pid);
	if (pidfd < 0 && pidfd != -ENOSYS)
		return pidfd;
	return peer_is_descendant(cr.pid, pidfd);
}

/* State changes are for clients that are not a service's processes (the
 * contract, section 6): a service that may write tend.ini (uid 0) must
 * not get a reload, nor stop its neighbours. Refuses (answer queued) and
 * returns -EPERM, or 0. */
static int peer_may_change(struct ctl *ctl, struct conn *c, const char *what)
{
	pid_t pid;
	int r = peer_is_service(c, &pid);

	if (r == 0)
		return 0;
	if (pid < 0) {
		reply_err(c, "permission denied: cannot check your credentials");
		return -EPERM;
	}
	uint64_t now = now_ms();
	if (now - ctl->last_refusal_log > 10000) {
		if (r > 0)
			log_warn("control socket: refused %s from pid %d, a process of a service", what, (int)pid);
		else
			log_warn_errno(r, "control socket: refused %s from pid %d, which cannot be checked: %m", what,
				       (int)pid);
		ctl->last_refusal_log = now;
	}
	if (r > 0)
		reply_err(c, "permission denied: pid %d is a process of a service of tend; it may only ask for status",
			  (int)pid);
	else
		reply_err(c, "permission denied: cannot tell whether pid %d is a process of a service (%s)", (int)pid,
			  strerror(-r));
	return -EPERM;
}

static void ctl_request(struct conn *c, char *req, size_t len, void *userdata)
{
	struct ctl *ctl = userdata;
	struct ctl_request rq;

	switch (ctl_parse_request(req, len, &rq)) {
	case 0: break;
	case -EBADMSG: return reply_err(c, "malformed request (a NUL byte)");
	case -E2BIG: return reply_err(c, "too many words");
	case -ENODATA: return reply_err(c, "empty request");
	case -EINVAL: return reply_err(c, "usage: %s", rq.usage);
	default: return reply_err(c, "unknown command '%.64s'", rq.argv[0]);
	}
	if (rq.changes_state && peer_may_change(ctl, c, rq.argv[0]) < 0)
		return;
	log_debug("control socket: %s", rq.argv[0]);
	commands[rq.command].fn(ctl, c, rq.argv, rq.argc);
}

/* Only tend's own user and root: the socket's mode already says so, but a
 * socket file can be chmod'ed or reached through a bind mount, and the
 * credentials cannot be faked. */
static int ctl_accepted(struct conn *c, void *userdata)
{
	struct ctl *ctl = userdata;
	struct ucred cr;
	socklen_t len = sizeof(cr);

	if (getsockopt(conn_fd(c), SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0) {
		int r = -errno;
		reply_err(c, "cannot check your credentials");
		return r;
	}
	if (cr.uid == 0 || cr.uid == geteuid())
		return 0;
	/* Rate-limited: a local user must not be able to flood tend's log. */
	uint64_t now = now_ms();
	if (now - ctl->last_refusal_log > 10000) {
		log_warn("control socket: refused a client with uid %u (pid %d)", (unsigned)cr.uid, (int)cr.pid);
		ctl->last_refusal_log = now;
	}
	reply_err(c, "permission denied (uid %u; only uid 0 and %u may control tend)", (unsigned)cr.uid,
		  (unsigned)geteuid());
	return -EPERM;
}

static void ctl_refuse(struct conn *c, enum conn_refusal why, void *userdata)
{
	switch (why) {
	case CONN_TOO_LONG: reply_err(c, "request too long (at most %d bytes)", CTL_MAX_REQUEST); break;
	case CONN_TIMEOUT: reply_err(c, "timed out"); break;
	case CONN_BUSY: reply_err(c, "too many clients, try again"); break;
	case CONN_INCOMPLETE: reply_err(c, "incomplete request"); break;
	case CONN_DROPPED: reply_err(c, "dropped: too many clients, and this one the oldest unfinished"); break;
	}
}

static const struct conn_params ctl_params = {
	.what = "control socket",
	.max_request = CTL_MAX_REQUEST,
	.max_answer = CTL_MAX_ANSWER,
	.max_clients = CTL_MAX_CLIENTS,
	.request_timeout = CTL_REQUEST_TIMEOUT,
	.timeout = CTL_TIMEOUT,
	.complete = ctl_request_complete,
	.accepted = ctl_accepted,
	.request = ctl_request,
	.refuse = ctl_refuse,
};

/* ---- the socket -------------------------------------------------------- */

/* Something is at path already. A socket nobody listens on (connect
 * refused) is what a killed tend leaves: remove it. Anything else stays. */
static int remove_stale(const char *path, const struct sockaddr_un *sa)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0 || errno != ECONNREFUSED)
		return -EADDRINUSE;
	return RET_NERRNO(unlink(path));
}

/* A fresh rootfs may lack /run: make the socket's directories (0755, as
 * a distribution would), as far as they are missing. */
static int mkdir_parents(const char *path)
{
	_cleanup_free_ char *p = strdup(path);
	if (!p)
		return -ENOMEM;
	for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = 0;
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	return 0;
}

static int bind_socket(int fd, const char *path, const struct sockaddr_un *sa)
{
	/* Made 0600 from birth, never chmod'ed by name afterwards (a name
	 * can be swapped for a symlink): bind takes the mode of the socket's
	 * own inode (fchmod), less the umask (0177 too, for kernels that
	 * take only the umask). tend is single-threaded here. */
	if (fchmod(fd, 0600) < 0)
		return -errno;
	mode_t old = umask(0177);
	int r = RET_NERRNO(bind(fd, (const struct sockaddr *)sa, sizeof(*sa)));
	umask(old);
	return r;
}

int ctl_open(struct ev_loop *loop, struct sup *sup, const char *path, struct ctl **ret)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int r;

	if (!path || !*path) {
		*ret = NULL;
		return 0;
	}
	if (strlen(path) >= sizeof(sa.sun_path))
		return log_warn_errno(-ENAMETOOLONG, "control socket '%s': %m", path);
	memcpy(sa.sun_path, path, strlen(path));

	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return log_warn_errno(errno, "control socket: cannot create it: %m");
	r = bind_socket(fd, path, &sa);
	if (r == -ENOENT && mkdir_parents(path) >= 0)
		r = bind_socket(fd, path, &sa);
	if (r == -EADDRINUSE) {
		r = remove_stale(path, &sa);
		if (r == -EADDRINUSE)
			return log_warn_errno(r, "control socket '%s': another process listens there, not replacing it", path);
		if (r == -EEXIST)
			return log_warn_errno(r, "control socket '%s': exists and is not a socket, not replacing it", path);
		if (r >= 0)
			r = bind_socket(fd, path, &sa);
	}
	if (r < 0)
		return log_warn_errno(r, "control socket '%s': cannot bind: %m", path);
	/* What we made, to remove at exit only if still there: lstat, which
	 * follows no link. Something else there already is someone swapping
	 * names in the socket's folder (which must be root's alone, see
	 * tendctl(8)): give up the socket and leave the name alone. */
	if (lstat(path, &st) < 0 || !S_ISSOCK(st.st_mode))
		return log_warn_errno(-EEXIST, "control socket '%s': replaced right after it was made, "
				      "not using it (its folder must be writable by root only)", path);
	if (listen(fd, CTL_BACKLOG) < 0) {
		r = log_warn_errno(errno, "control socket '%s': %m", path);
		unlink(path);
		return r;
	}

	struct ctl *c = calloc(1, sizeof(*c));
	if (c)
		c->path = strdup(path);
	if (!c || !c->path) {
		if (c)
			free(c);
		unlink(path);
		return log_warn_errno(-ENOMEM, "control socket: %m");
	}
	c->sup = sup;
	c->dev = st.st_dev;
	c->ino = st.st_ino;
	r = conn_server_new(loop, TAKE_FD(fd), &ctl_params, c, &c->srv);
	if (r < 0) {
		unlink(path);
		free(c->path);
		free(c);
		return log_warn_errno(r, "control socket: %m");
	}
	log_debug("control socket on %s", path);
	*ret = c;
	return 0;
}

struct ctl *ctl_close(struct ctl *c)
{
	struct stat st;
	if (!c)
		return NULL;
	c->srv = conn_server_free(c->srv);
	/* Another tend may have replaced the file meanwhile: not ours. */
	if (lstat(c->path, &st) == 0 && st.st_dev == c->dev && st.st_ino == c->ino)
		unlink(c->path);
	free(c->path);
	free(c);
	return NULL;
}
