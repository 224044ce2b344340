/* spawn.c: see spawn.h. The child runs the steps of a start in a fixed
 * order, each with the reason it comes where it does; the first failure is
 * written to the status pipe and the child exits 127 or 126. */
#include "config.h"

#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <termios.h>

#include "common/envfile.h"
#include "common/log.h"
#include "common/safeopen.h"
#include "common/strv.h"
#include "init/signals.h"
#include "supervisor/spawn.h"

extern char **environ;

/* tend's working directory: a path, not an open fd, so that PID 1 pins no
 * mount while no service runs (see spawn_set_workdir). */
static const char *workdir = "/";

void spawn_set_workdir(const char *dir)
{
	workdir = dir;
}

static const char *directory(const struct conf_service *c)
{
	return c->directory ? c->directory : workdir;
}

struct ids {
	bool set_user, set_group;
	uid_t uid;
	gid_t gid;
	gid_t groups[NGROUPS_MAX];
	int n_groups;
	/* (r2) the passwd entry's, for HOME, USER, LOGNAME and SHELL; empty
	 * name: no entry (a numeric user) or no user at all */
	char name[256], home[PATH_MAX], shell[PATH_MAX];
};

static _Noreturn void child_fail(int fd, int err, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static _Noreturn void child_fail(int fd, int err, int code, const char *fmt, ...)
{
	struct spawn_error e = { .err = err, .exit_code = code };
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	errno = err;
	vsnprintf(e.msg, sizeof(e.msg), fmt, ap);
	va_end(ap);
	errno = saved;
	(void)!write(fd, &e, sizeof(e));
	_exit(code);
}

static bool parse_id(const char *s, unsigned long *ret)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v >= UINT_MAX)
		return false;
	*ret = v;
	return true;
}

/* Look users and groups up in the container's own /etc files, not through
 * NSS: the files are what the image ships, and NSS modules have no place in
 * a freshly forked child of PID 1. */
static struct passwd *find_user(const char *name, bool by_id, uid_t uid)
{
	FILE *f = fopen("/etc/passwd", "re");
	struct passwd *pw = NULL;
	if (!f)
		return NULL;
	while ((pw = fgetpwent(f)))
		if (by_id ? pw->pw_uid == uid : strcmp(pw->pw_name, name) == 0)
			break;
	fclose(f); /* pw stays valid: fgetpwent's buffer is static */
	return pw;
}

static struct group *find_group(const char *name, bool by_id, gid_t gid)
{
	FILE *f = fopen("/etc/group", "re");
	struct group *gr = NULL;
	if (!f)
		return NULL;
	while ((gr = fgetgrent(f)))
		if (by_id ? gr->gr_gid == gid : strcmp(gr->gr_name, name) == 0)
			break;
	fclose(f);
	return gr;
}

static void resolve_ids(const struct conf_service *c, int fd, struct ids *ids)
{
	unsigned long n;
	char user[256] = "";

	/* Field by field, not memset: groups[] is 256 KiB (NGROUPS_MAX), and
	 * zeroing it cost every spawn ~66 page faults in the child; only its
	 * first n_groups entries are ever read. */
	ids->set_user = ids->set_group = false;
	ids->uid = 0;
	ids->gid = 0;
	ids->n_groups = 0;
	ids->name[0] = ids->home[0] = ids->shell[0] = '\0';
	if (c->user) {
		bool numeric = parse_id(c->user, &n);
		struct passwd *pw = find_user(c->user, numeric, (uid_t)n);
		ids->set_user = true;
		if (pw) {
			ids->uid = pw->pw_uid;
			ids->gid = pw->pw_gid;
			snprintf(user, sizeof(user), "%s", pw->pw_name);
			/* Copied now: fgetpwent's buffer is reused below. An
			 * empty field means what login(1) makes of it. */
			snprintf(ids->name, sizeof(ids->name), "%s", pw->pw_name);
			snprintf(ids->home, sizeof(ids->home), "%s", pw->pw_dir && *pw->pw_dir ? pw->pw_dir : "/");
			snprintf(ids->shell, sizeof(ids->shell), "%s",
				 pw->pw_shell && *pw->pw_shell ? pw->pw_shell : "/bin/sh");
		} else if (numeric) {
			/* Fine print: a numeric user with no entry runs with the
			 * group of the same number and no supplementary groups. */
			ids->uid = (uid_t)n;
			ids->gid = (gid_t)n;
		} else {
			child_fail(fd, ENOENT, 126, "user '%s' not found in /etc/passwd", c->user);
		}
		ids->set_group = true;
	}
	if (c->group) {
		bool numeric = parse_id(c->group, &n);
		struct group *gr = find_group(c->group, numeric, (gid_t)n);
		if (gr)
			ids->gid = gr->gr_gid;
		else if (numeric)
			ids->gid = (gid_t)n;
		else
			child_fail(fd, ENOENT, 126, "group '%s' not found in /etc/group", c->group);
		ids->set_group = true;
	}
	if (!ids->set_user)
		return;
	/* Supplementary groups: the primary one, then every group that lists
	 * the user (initgroups(3) without NSS). A numeric user with no entry
	 * gets none at all (fine print): setgroups(0). */
	if (!user[0])
		return;
	ids->groups[ids->n_groups++] = ids->gid;
	FILE *f = fopen("/etc/group", "re");
	struct group *gr;
	while (f && (gr = fgetgrent(f)) && ids->n_groups < NGROUPS_MAX) {
		if (gr->gr_gid == ids->gid)
			continue;
		for (char **m = gr->gr_mem; m && *m; m++)
			if (strcmp(*m, user) == 0) {
				ids->groups[ids->n_groups++] = gr->gr_gid;
				break;
			}
	}
	if (f)
		fclose(f);
}

/* A file the configuration names for the service (env_file, stdout,
 * stderr), opened so that the service cannot make tend open another one
 * (contract section 6, common/safeopen.h): by tend before the privilege
 * drop when nobody but root can change where its path leads, otherwise
 * after the drop, with the service's own identity. */
struct svc_file {
	const char *path;
	int flags;
	const char *what;   /* "read env_file" or "open" */
	int fd;             /* -1: not opened yet */
	const char *why;    /* why tend left it to the service, for errors */
};

/* Capabilities over files and paths (permissions, owners, mounts) or to
 * become root: a service keeping one can change where any path leads, so
 * its files are always opened with its own identity, which holds them
 * too. */
#define FILE_CAPS ((1ULL << CAP_DAC_OVERRIDE) | (1ULL << CAP_DAC_READ_SEARCH) | \
		   (1ULL << CAP_FOWNER) | (1ULL << CAP_CHOWN) | (1ULL << CAP_SYS_ADMIN) | \
		   (1ULL << CAP_SETUID))

/* ENXIO from opening for writing with O_NONBLOCK: a FIFO with no reader. */
static const char *fifo_hint(int err)
{
	return err == ENXIO ? " (a FIFO nobody reads)" : "";
}

static void file_open_as_tend(const struct spawn_params *p, const struct ids *ids,
			      struct svc_file *f, int fd)
{
	/* Single-command mode keeps tend's identity: the same either way. */
	if (p->foreground)
		return;
	if (p->conf->capabilities & FILE_CAPS) {
		f->why = "it keeps a capability over files";
		return;
	}
	/* A set-user-ID program could make it root, the owner of root's
	 * folders. */
	if (!p->conf->no_new_privileges) {
		f->why = "no_new_privileges = no";
		return;
	}
	uid_t uid = ids->set_user ? ids->uid : geteuid();
	int r = safeopen_as_tend(f->path, f->flags, 0640, uid, &f->fd);
	if (r < 0)
		child_fail(fd, -r, 126, "cannot %s '%s': %m%s", f->what, f->path, fifo_hint(-r));
	if (r == 1)
		f->why = uid == 0 ? "it runs as root, whose folders these are"
				  : "a folder on its path is not root's alone";
}

static void file_open_as_service(struct svc_file *f, int fd)
{
	if (f->fd >= 0)
		return;
	f->fd = safeopen_as_service(f->path, f->flags, 0640);
	if (f->fd < 0 && f->why)
		child_fail(fd, -f->fd, 126, "cannot %s '%s' with the service's rights (%s): %m%s",
			   f->what, f->path, f->why, fifo_hint(-f->fd));
	if (f->fd < 0)
		child_fail(fd, -f->fd, 126, "cannot %s '%s': %m%s", f->what, f->path, fifo_hint(-f->fd));
}

static void env_set(char ***env, const char *key, const char *value, int fd)
{
	_cleanup_free_ char *s = NULL;
	if (asprintf(&s, "%s=%s", key, value) < 0 || strv_env_set(env, s) < 0)
		child_fail(fd, ENOMEM, 126, "out of memory");
}

/* (r2) With `user`, the variables a program expects to name the user it
 * runs as: a service run as app with root's HOME writes into /root or
 * fails. A user with no passwd entry (a number) has no home: "/", as
 * runc and Docker give it, and no name. */
static void user_env(char ***env, const struct conf_service *c, const struct ids *ids, int fd)
{
	static const char *const named[] = { "USER", "LOGNAME", "SHELL" };
	if (!c->user)
		return;
	if (ids->name[0]) {
		env_set(env, "HOME", ids->home, fd);
		env_set(env, "USER", ids->name, fd);
		env_set(env, "LOGNAME", ids->name, fd);
		env_set(env, "SHELL", ids->shell, fd);
		return;
	}
	env_set(env, "HOME", "/", fd);
	/* tend's own would name root: better none than a wrong one. */
	for (size_t k = 0; k < ELEMENTSOF(named); k++)
		strv_env_unset(*env, named[k]);
}

/* tend's environment (less its own NOTIFY_SOCKET), then the user's (see
 * user_env), then env_file (read from env_fd, -1 for none), then env. */
static char **build_env(const struct spawn_params *p, const struct ids *ids, int env_fd, int fd)
{
	const struct conf_service *c = p->conf;
	char **env = strv_copy(environ);
	if (!env)
		child_fail(fd, ENOMEM, 126, "out of memory");
	strv_env_unset(env, "NOTIFY_SOCKET");
	user_env(&env, c, ids, fd);
	if (env_fd >= 0) {
		_cleanup_free_ char *data = NULL;
		struct stat st;
		/* A FIFO or a device would feed us whatever its writer likes,
		 * or never end. */
		if (fstat(env_fd, &st) < 0)
			child_fail(fd, errno, 126, "cannot read env_file '%s': %m", c->env_file);
		if (!S_ISREG(st.st_mode))
			child_fail(fd, EINVAL, 126, "env_file '%s' is not a regular file", c->env_file);
		if (st.st_mode & S_IROTH)
			log_full(LOG_LVL_WARN, 0, c->name, "env_file '%s' is readable by everyone", c->env_file);
		size_t line = 0, len = 0;
		int r = read_full_fd(env_fd, &data, &len);
		if (r < 0)
			child_fail(fd, -r, 126, "cannot read env_file '%s': %m", c->env_file);
		r = envfile_apply(data, len, &env, &line);
		if (r == -EINVAL)
			child_fail(fd, EINVAL, 126, "env_file '%s': line %zu is not KEY=VALUE", c->env_file, line);
		if (r < 0)
			child_fail(fd, -r, 126, "out of memory");
	}
	for (size_t i = 0; c->env && c->env[i]; i++)
		if (strv_env_set(&env, c->env[i]) < 0)
			child_fail(fd, ENOMEM, 126, "out of memory");
	if (p->notify_socket) {
		char *s;
		if (asprintf(&s, "NOTIFY_SOCKET=%s", p->notify_socket) < 0 || strv_env_set(&env, s) < 0)
			child_fail(fd, ENOMEM, 126, "out of memory");
		free(s);
	}
	return env;
}

/* /dev/null for stdin or `null` output (see safeopen_null()). */
static int open_null(int flags, int fd)
{
	int r = safeopen_null(flags);
	if (r == -ENOENT && flags == O_RDONLY) {
		/* No /dev (mount = no in a bare root): an empty pipe reads as
		 * /dev/null does, at once end-of-file. */
		int p[2];
		if (pipe2(p, O_CLOEXEC) == 0) {
			close(p[1]);
			return p[0];
		}
	}
	if (r == -ENODEV)
		child_fail(fd, ENODEV, 126, "'/dev/null' is not the null device");
	if (r < 0)
		child_fail(fd, -r, 126, "cannot open '/dev/null': %m");
	return r;
}

static void output_file(const struct conf_output *o, struct svc_file *f)
{
	*f = (struct svc_file){ .fd = -1, .what = "open",
				.flags = O_WRONLY | O_CREAT | O_APPEND };
	if (o->kind == CONF_OUT_FILE)
		f->path = o->path;
}

/* The fd for stdout or stderr: f's when the output is a file (a regular
 * file, a terminal or other character device, or a FIFO someone reads;
 * nothing else makes sense as output). */
static int open_output(const struct conf_output *o, const struct svc_file *f, int fd)
{
	struct stat st;
	if (o->kind == CONF_OUT_NULL)
		return open_null(O_WRONLY, fd);
	if (o->kind != CONF_OUT_FILE)
		return -1;
	if (fstat(f->fd, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)))
		child_fail(fd, EINVAL, 126, "cannot open '%s': not a file, a character device or a FIFO", o->path);
	return f->fd;
}

static void move_fd(int from, int to, int fd)
{
	if (from < 0 || from == to)
		return;
	if (dup2(from, to) < 0)
		child_fail(fd, errno, 126, "dup2: %m");
}

/* Privileges, in the order that makes each step possible: the bounding set
 * needs CAP_SETPCAP, so it goes first, while we still are tend; KEEPCAPS
 * lets the permitted set survive setresuid; groups before the gid and the
 * gid before the uid, because after setresuid we may no longer change them;
 * then P/E/I exactly as asked; ambient last, since it needs P and I; and
 * no_new_privs once nothing needs privilege any more. */
static void drop_privileges(const struct conf_service *c, const struct ids *ids, int fd)
{
	uint64_t want = c->capabilities;
	int last = (int)cap_max_bits();
	bool can_setpcap = false;
	cap_t self = cap_get_proc();
	cap_flag_value_t v;

	if (self && cap_get_flag(self, CAP_SETPCAP, CAP_EFFECTIVE, &v) == 0)
		can_setpcap = v == CAP_SET;
	cap_free(self);

	for (int cap = 0; cap < last && cap < 64; cap++) {
		/* Dropping what is already gone succeeds: no need to ask first
		 * (one prctl per capability on every start). */
		if ((want >> cap) & 1)
			continue;
		if (cap_drop_bound((cap_value_t)cap) < 0) {
			/* An unprivileged tend cannot shrink the bounding set;
			 * no_new_privs below keeps the service from ever
			 * gaining what it holds there. */
			if (!can_setpcap && errno == EPERM)
				break;
			child_fail(fd, errno, 126, "cannot drop capability %d from the bounding set: %m", cap);
		}
	}
	if (ids->set_user && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		child_fail(fd, errno, 126, "prctl(PR_SET_KEEPCAPS): %m");
	/* With a user: its groups. With only a group: none of tend's own
	 * (root's group 0 must not ride along with the new gid). */
	if (ids->set_group && setgroups((size_t)ids->n_groups, ids->groups) < 0)
		child_fail(fd, errno, 126, "cannot set supplementary groups: %m (tend needs CAP_SETGID)");
	if (ids->set_group && setresgid(ids->gid, ids->gid, ids->gid) < 0)
		child_fail(fd, errno, 126, "cannot switch to group %u: %m (tend needs CAP_SETGID)", (unsigned)ids->gid);
	if (ids->set_user && setresuid(ids->uid, ids->uid, ids->uid) < 0)
		child_fail(fd, errno, 126, "cannot switch to user %u: %m (tend needs CAP_SETUID)", (unsigned)ids->uid);

	cap_t caps = cap_init();
	if (!caps)
		child_fail(fd, errno, 126, "cap_init: %m");
	for (int cap = 0; cap < 64; cap++) {
		if (!((want >> cap) & 1))
			continue;
		cap_value_t cv = (cap_value_t)cap;
		cap_set_flag(caps, CAP_PERMITTED, 1, &cv, CAP_SET);
		cap_set_flag(caps, CAP_EFFECTIVE, 1, &cv, CAP_SET);
		cap_set_flag(caps, CAP_INHERITABLE, 1, &cv, CAP_SET);
	}
	if (cap_set_proc(caps) < 0) {
		int e = errno;
		cap_free(caps);
		child_fail(fd, e, 126, "cannot set capabilities: %m (tend itself must hold every capability the service keeps)");
	}
	cap_free(caps);
	if (CAP_AMBIENT_SUPPORTED()) {
		cap_reset_ambient();
		for (int cap = 0; cap < 64; cap++)
			if ((want >> cap) & 1 && cap_set_ambient((cap_value_t)cap, CAP_SET) < 0)
				child_fail(fd, errno, 126, "cannot raise ambient capability %d: %m", cap);
	}
	if (ids->set_user)
		prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	if (c->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		child_fail(fd, errno, 126, "prctl(PR_SET_NO_NEW_PRIVS): %m");
}

static _Noreturn void child(const struct spawn_params *p, int fd)
{
	const struct conf_service *c = p->conf;
	struct ids ids;

	/* Session and process group first, so that a stop signal sent to the
	 * group reaches everything the service will ever start. In
	 * single-command mode, become the terminal's foreground group while
	 * every signal is still blocked (SIGTTOU would stop us otherwise). */
	if (p->foreground) {
		setpgid(0, 0);
		if (isatty(STDIN_FILENO))
			tcsetpgrp(STDIN_FILENO, getpgrp());
	} else if (setsid() < 0) {
		child_fail(fd, errno, 126, "setsid: %m");
	}
	sig_child_reset(p->foreground);
	if (p->refuse)
		child_fail(fd, EPERM, 126, "%s", p->refuse);

	resolve_ids(c, fd, &ids);

	/* The service's files: by tend now where it may, the others after
	 * the drop (file_open_as_service below). */
	struct svc_file files[3];
	struct svc_file *envf = &files[0], *outf = &files[1], *errf = &files[2];
	*envf = (struct svc_file){ .path = c->env_file, .flags = O_RDONLY, .what = "read env_file", .fd = -1 };
	output_file(&c->out, outf);
	output_file(&c->err, errf);
	/* Relayed by tend (a FILE it rotates): tend holds the file. */
	if (p->stdout_fd >= 0)
		outf->path = NULL;
	if (p->stderr_fd >= 0)
		errf->path = NULL;
	for (size_t i = 0; i < ELEMENTSOF(files); i++)
		if (files[i].path)
			file_open_as_tend(p, &ids, &files[i], fd);

	int in = p->foreground ? -1 : open_null(O_RDONLY, fd);

	for (size_t i = 0; i < c->n_limits; i++) {
		struct rlimit rl = { c->limits[i].soft, c->limits[i].hard };
		if (setrlimit(c->limits[i].resource, &rl) < 0)
			child_fail(fd, errno, 126, "cannot set resource limit %d: %m", c->limits[i].resource);
	}
	if (c->has_umask)
		umask(c->umask);

	/* Single-command mode is a drop-in for tini: the command keeps what
	 * tend was given (a file's services get exactly `capabilities`). */
	if (!p->foreground)
		drop_privileges(c, &ids, fd);

	for (size_t i = 0; i < ELEMENTSOF(files); i++)
		if (files[i].path)
			file_open_as_service(&files[i], fd);
	char **env = build_env(p, &ids, envf->fd, fd);
	envf->fd = safe_close(envf->fd);
	int out = p->stdout_fd >= 0 || c->out.kind == CONF_OUT_TAGGED ? p->stdout_fd : open_output(&c->out, outf, fd);
	int err = p->stderr_fd >= 0 ? p->stderr_fd : c->err.kind == CONF_OUT_STDOUT ? -2 : open_output(&c->err, errf, fd);

	/* After the switch: the directory must be usable by the service's user. */
	if (chdir(directory(c)) < 0)
		child_fail(fd, errno, 126, "cannot change directory to '%s': %m", directory(c));

	move_fd(in, STDIN_FILENO, fd);
	move_fd(out, STDOUT_FILENO, fd);
	if (err == -2)
		move_fd(STDOUT_FILENO, STDERR_FILENO, fd);
	else
		move_fd(err, STDERR_FILENO, fd);
	/* Nothing of tend's beyond 0-2 may leak into the service; tend's own
	 * fds are close-on-exec already, this catches what tend inherited. */
	close_all_fds(fd);

	execvpe(c->argv[0], c->argv, env);
	int e = errno;
	child_fail(fd, e, e == ENOENT ? 127 : 126, "cannot execute '%s': %m", c->argv[0]);
}

void spawn_identity(const struct conf_service *c)
{
	struct ids ids;

	/* No status pipe here: a failure is the probe's "exit 126". */
	resolve_ids(c, -1, &ids);
	drop_privileges(c, &ids, -1);
	if (chdir(directory(c)) < 0)
		_exit(126);
}

int spawn_service(const struct spawn_params *p, pid_t *ret_pid, int *ret_status_fd)
{
	int pfd[2];

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		safe_close(pfd[0]);
		safe_close(pfd[1]);
		return -e;
	}
	if (pid == 0) {
		safe_close(pfd[0]);
		child(p, pfd[1]);
	}
	safe_close(pfd[1]);
	fd_nonblock(pfd[0], 1);
	*ret_pid = pid;
	*ret_status_fd = pfd[0];
	return 0;
}

int spawn_read_status(int fd, struct spawn_error *ret)
{
	struct spawn_error e;
	ssize_t n;

	do
		n = read(fd, &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return 0;
	if ((size_t)n < sizeof(e)) {
		memset(&e, 0, sizeof(e));
		e.err = EIO;
		e.exit_code = 126;
		snprintf(e.msg, sizeof(e.msg), "start failed (short status)");
	}
	e.msg[sizeof(e.msg) - 1] = 0;
	*ret = e;
	return 1;
}
