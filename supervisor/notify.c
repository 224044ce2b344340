/* notify.c: see notify.h.
 *
 * A datagram is read whole with recvmsg(MSG_TRUNC), so that an oversized
 * one is recognised by its real length and dropped rather than cut short
 * (a cut "STATUS=" would be harmless, a cut "MAINPID=1234" is not).
 * Ancillary data: only SCM_CREDENTIALS matters; file descriptors that a
 * client passes (systemd's FDSTORE=1, or the pipe of BARRIER=1) are never
 * kept, but closed only after the message is dispatched: systemd-notify
 * waits on its barrier pipe, so it is still alive (and its /proc entry
 * still there for notify_pid_in_group) while its messages are handled. */
#include "config.h"

#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "common/log.h"
#include "common/procstat.h"
#include "common/util.h"
#include "supervisor/notify.h"

/* At most this many datagrams per wake-up: a service that floods the
 * socket must not keep tend from its other work. */
#define NOTIFY_BATCH 64
/* Room for passed fds we only close; more than this and the kernel drops
 * the rest itself (MSG_CTRUNC). */
#define NOTIFY_MAX_FDS 16

struct notify_server {
	struct ev_loop *loop;
	ev_io io;
	int fd;
	notify_msg_fn fn;
	void *userdata;
	bool dispatching; /* inside fn: closing is deferred */
	bool closed;
	bool unlink;      /* a file system socket we made */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
};

/* "/path" or "@abstract" to a sockaddr; abstract names are not
 * NUL-terminated and their length is part of the address. */
static int notify_sockaddr(const char *path, struct sockaddr_un *ret, socklen_t *ret_len)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t n = strlen(path);

	if (n < 2 || (path[0] != '/' && path[0] != '@'))
		return -EINVAL;
	if (n > sizeof(sa.sun_path) || (path[0] == '/' && n == sizeof(sa.sun_path)))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, n);
	if (path[0] == '@') {
		sa.sun_path[0] = 0;
		*ret_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	} else
		*ret_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	*ret = sa;
	return 0;
}

/* The name the kernel gave an autobound socket, as "@name". */
static int notify_autobound_name(int fd, char *buf, size_t size)
{
	struct sockaddr_un sa = { 0 };
	socklen_t len = sizeof(sa);
	size_t off = offsetof(struct sockaddr_un, sun_path);

	if (getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		return -errno;
	/* An abstract name: a NUL, then the name (five hex digits today). */
	if (len <= off + 1 || len > sizeof(sa) || sa.sun_path[0] != 0 || len - off >= size)
		return -EADDRNOTAVAIL;
	size_t n = len - off - 1;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)sa.sun_path[1 + i] <= ' ' || (unsigned char)sa.sun_path[1 + i] >= 0x7f)
			return -EADDRNOTAVAIL; /* NOTIFY_SOCKET must carry it as text */
	buf[0] = '@';
	memcpy(buf + 1, sa.sun_path + 1, n);
	buf[n + 1] = 0;
	return 0;
}

/* mkdir -p of path's directory, 0755: a service under another user must
 * be able to reach the socket inside it. */
static int notify_mkdir_parent(const char *path)
{
	char dir[sizeof(((struct notify_server *)0)->path)];
	const char *slash = strrchr(path, '/');
	size_t n = (size_t)(slash - path);

	if (n == 0)
		return 0;
	if (n >= sizeof(dir))
		return -ENAMETOOLONG;
	memcpy(dir, path, n);
	dir[n] = 0;
	for (char *c = dir + 1;; c++) {
		if (*c == '/' || *c == 0) {
			char saved = *c;
			*c = 0;
			if (mkdir(dir, 0755) < 0 && errno != EEXIST)
				return -errno;
			*c = saved;
			if (!saved)
				break;
		}
	}
	return 0;
}

static void notify_server_free(struct notify_server *s)
{
	ev_io_stop(s->loop, &s->io);
	s->fd = safe_close(s->fd);
	if (s->unlink)
		(void)unlink(s->path);
	free(s);
}

int notify_parse(char *buf, size_t n, notify_line_fn fn, void *userdata)
{
	int count = 0;

	if (n > NOTIFY_MSG_MAX)
		return -EMSGSIZE;
	if (n == 0 || memchr(buf, 0, n))
		return -EBADMSG;
	buf[n] = 0;
	/* A line without '=' (or with an empty key) is skipped, not fatal:
	 * the rest of the message can still be good. */
	for (char *line = buf; line;) {
		char *next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		char *eq = strchr(line, '=');
		if (eq && eq != line) {
			*eq = 0;
			count++;
			if (!fn(line, eq + 1, userdata))
				break;
		}
		line = next;
	}
	return count;
}

struct dispatch {
	struct notify_server *s;
	pid_t sender;
};

static bool dispatch_line(const char *key, const char *value, void *userdata)
{
	struct dispatch *d = userdata;
	d->s->fn(d->sender, key, value, d->s->userdata);
	return !d->s->closed;
}

/* Validate one received datagram and dispatch it when it is good. */
static void notify_check_and_dispatch(struct notify_server *s, char *buf, ssize_t n,
				      const struct msghdr *mh, const struct ucred *cred)
{
	pid_t pid = cred ? cred->pid : 0;

	if (mh->msg_flags & MSG_TRUNC) {
		log_debug("notify: message of %zd bytes from pid %d is too long, ignoring", n, (int)pid);
		return;
	}
	if (mh->msg_flags & MSG_CTRUNC)
		log_debug("notify: ancillary data truncated (pid %d)", (int)pid);
	/* pid 0: the sender is in a pid namespace we cannot see into. */
	if (pid <= 0) {
		log_debug("notify: message without credentials, ignoring");
		return;
	}
	struct dispatch d = { .s = s, .sender = pid };
	int r = notify_parse(buf, (size_t)n, dispatch_line, &d);
	if (r < 0)
		log_debug("notify: message from pid %d ignored: %s", (int)pid,
			  r == -EMSGSIZE ? "too long" : "empty or binary");
}

/* Read one datagram. Returns 0 when one was consumed (delivered or
 * dropped), -EAGAIN when the queue is empty, another -errno on error. */
static int notify_recv_one(struct notify_server *s)
{
	char buf[NOTIFY_MSG_MAX + 1];
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int) * NOTIFY_MAX_FDS)];
	} ctl;
	struct iovec iov = {.iov_base = buf, .iov_len = NOTIFY_MSG_MAX};
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = &ctl,
		.msg_controllen = sizeof(ctl),
	};
	struct ucred cred = {0};
	bool have_cred = false;
	int fds[NOTIFY_MAX_FDS];
	size_t nfds = 0;

	ssize_t n = recvmsg(s->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET)
			continue;
		if (c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len == CMSG_LEN(sizeof(struct ucred))) {
			memcpy(&cred, CMSG_DATA(c), sizeof(cred));
			have_cred = true;
		} else if (c->cmsg_type == SCM_RIGHTS) {
			size_t n_in = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (size_t i = 0; i < n_in; i++) {
				int fd;
				memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
				if (nfds < ELEMENTSOF(fds))
					fds[nfds++] = fd;
				else
					safe_close(fd);
			}
		}
	}
	notify_check_and_dispatch(s, buf, n, &mh, have_cred ? &cred : NULL);
	for (size_t i = 0; i < nfds; i++)
		safe_close(fds[i]);
	return 0;
}

static void notify_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct notify_server *s = w->data;

	s->dispatching = true;
	for (int i = 0; i < NOTIFY_BATCH && !s->closed; i++) {
		int r = notify_recv_one(s);
		if (r == -EAGAIN)
			break;
		if (r < 0) {
			/* Nothing a datagram socket should say; do not spin on it. */
			log_debug("notify: recvmsg failed: %m");
			break;
		}
	}
	s->dispatching = false;
	if (s->closed)
		notify_server_free(s);
}

int notify_server_open(struct ev_loop *loop, const char *path, notify_msg_fn fn, void *userdata,
		       struct notify_server **ret)
{
	struct sockaddr_un sa;
	socklen_t salen;
	struct notify_server *s;
	int r;

	if (!loop || !fn || !ret)
		return -EINVAL;
	if (path) {
		r = notify_sockaddr(path, &sa, &salen);
		if (r < 0)
			return r;
	} else {
		/* Autobind: the kernel picks a free abstract name. */
		sa = (struct sockaddr_un){ .sun_family = AF_UNIX };
		salen = sizeof(sa_family_t);
	}

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->loop = loop;
	s->fn = fn;
	s->userdata = userdata;
	snprintf(s->path, sizeof(s->path), "%s", path ? path : "");
	ev_init(&s->io, notify_io_cb);
	s->io.data = s;

	s->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->fd < 0) {
		r = -errno;
		goto fail;
	}
	/* Credentials on every datagram: the kernel fills in the sender's
	 * real pid whether or not it sent any itself. */
	if (setsockopt(s->fd, SOL_SOCKET, SO_PASSCRED, &(int){1}, sizeof(int)) < 0) {
		r = -errno;
		goto fail;
	}
	if (path && path[0] == '/') {
		struct stat st;
		r = notify_mkdir_parent(path);
		if (r < 0)
			goto fail;
		/* Left behind by an earlier tend (a restarted container keeps
		 * /run): a socket nobody listens on any more. */
		if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
			(void)unlink(path);
	}
	/* A file system socket gets its mode 0666 at bind, from the socket's
	 * own inode and no umask: never chmod'ed by name afterwards (a name
	 * can be swapped for a symlink in between). */
	if (path && path[0] == '/' && fchmod(s->fd, 0666) < 0) {
		r = -errno;
		goto fail;
	}
	mode_t old_umask = umask(0);
	r = bind(s->fd, (struct sockaddr *)&sa, salen) < 0 ? -errno : 0;
	umask(old_umask);
	if (r < 0)
		goto fail;
	if (!path) {
		r = notify_autobound_name(s->fd, s->path, sizeof(s->path));
		if (r < 0)
			goto fail;
	} else if (path[0] == '/')
		s->unlink = true;
	ev_io_set(&s->io, s->fd, EV_READ);
	ev_io_start(loop, &s->io);
	*ret = s;
	return 0;
fail:
	notify_server_free(s);
	return r;
}

const char *notify_server_path(const struct notify_server *s)
{
	return s ? s->path : NULL;
}

struct notify_server *notify_server_close(struct notify_server *s)
{
	if (!s || s->closed)
		return NULL;
	s->closed = true;
	if (s->dispatching) {
		/* Called from our own callback: notify_io_cb frees it after. */
		ev_io_stop(s->loop, &s->io);
		return NULL;
	}
	notify_server_free(s);
	return NULL;
}

int notify_send(const char *socket_path, const char *msg)
{
	struct sockaddr_un sa;
	socklen_t salen;
	_cleanup_close_ int fd = -1;
	int r;

	if (!socket_path || !*socket_path)
		return 0;
	if (!msg)
		return -EINVAL;
	r = notify_sockaddr(socket_path, &sa, &salen);
	if (r < 0)
		return r;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sa, salen) < 0)
		return -errno;
	return 1;
}

int notify_pid_ids(pid_t pid, pid_t *ret_pgid, pid_t *ret_sid)
{
	struct proc_stat st;

	if (pid <= 0)
		return -EINVAL;
	int r = proc_stat(pid, &st);
	if (r < 0)
		return r;
	if (ret_pgid)
		*ret_pgid = st.pgrp;
	if (ret_sid)
		*ret_sid = st.sid;
	return 0;
}

bool notify_pid_in_group(pid_t sender, pid_t leader)
{
	pid_t pgid, sid;

	if (sender <= 0 || leader <= 0)
		return false;
	if (sender == leader)
		return true;
	if (notify_pid_ids(sender, &pgid, &sid) < 0)
		return false;
	return pgid == leader || sid == leader;
}
