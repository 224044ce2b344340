/* logfile.c: see logfile.h. */
#include "config.h"

#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/stat.h>

#include "common/log.h"
#include "common/safeopen.h"
#include "supervisor/logfile.h"

/* The capabilities that make a service the master of any path (as in
 * spawn.c's FILE_CAPS). */
#define FILE_CAPS ((1ULL << CAP_DAC_OVERRIDE) | (1ULL << CAP_DAC_READ_SEARCH) | \
		   (1ULL << CAP_FOWNER) | (1ULL << CAP_CHOWN) | (1ULL << CAP_SYS_ADMIN) | \
		   (1ULL << CAP_SETUID))
#define OPEN_FLAGS (O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
/* The lines of one read go out in one write (logfile_flush), not a
 * write each. */
#define PENDING_MAX (64 * 1024)

struct logfile {
	char *path;
	char *base;        /* the last component, inside dfd */
	int dfd;           /* the folder, judged and held */
	int fd;
	uint64_t size, max_size, next_try; /* size: written, and pending */
	unsigned max_files;
	bool warned;
	size_t pending_len;
	char pending[PENDING_MAX];
};

/* The service's uid, as spawn.c will find it (the container's own
 * /etc/passwd, no NSS); tend's own without `user`. */
static int service_uid(const struct conf_service *c, uid_t *ret)
{
	char *end;
	if (!c->user) {
		*ret = geteuid();
		return 0;
	}
	errno = 0;
	unsigned long n = strtoul(c->user, &end, 10);
	if (!errno && end != c->user && !*end && n < UINT32_MAX) {
		*ret = (uid_t)n;
		return 0;
	}
	FILE *f = fopen("/etc/passwd", "re");
	struct passwd *pw;
	if (!f)
		return -errno;
	while ((pw = fgetpwent(f)))
		if (strcmp(pw->pw_name, c->user) == 0)
			break;
	if (pw)
		*ret = pw->pw_uid;
	fclose(f);
	return pw ? 0 : -ENOENT;
}

/* A regular file, opened in the held folder without following a link. */
static int open_in(struct logfile *f, int *ret_fd, uint64_t *ret_size)
{
	struct stat st;
	int fd = openat(f->dfd, f->base, OPEN_FLAGS, 0640);
	if (fd < 0)
		return -errno;
	int r = fstat(fd, &st) < 0 ? -errno : S_ISREG(st.st_mode) ? 0 : -EINVAL;
	if (r < 0) {
		safe_close(fd);
		return r;
	}
	(void)fd_nonblock(fd, 0);
	*ret_fd = fd;
	*ret_size = (uint64_t)st.st_size;
	return 0;
}

int logfile_open(const char *path, const struct conf_service *c, struct logfile **ret, const char **ret_why)
{
	uid_t uid = 0;
	int r;

	*ret_why = NULL;
	if (c->capabilities & FILE_CAPS) {
		*ret_why = "it keeps a capability over files";
		return -EPERM;
	}
	if (!c->no_new_privileges) {
		*ret_why = "no_new_privileges = no";
		return -EPERM;
	}
	if ((r = service_uid(c, &uid)) < 0)
		return r;
	if (uid == 0 || uid == geteuid()) {
		*ret_why = "it runs as root, whose folders these are";
		return -EPERM;
	}
	struct logfile *f = calloc(1, sizeof(*f));
	if (!f || !(f->path = strdup(path))) {
		free(f);
		return -ENOMEM;
	}
	f->dfd = f->fd = -1;
	f->max_size = c->log_max_size;
	f->max_files = c->log_max_files ? c->log_max_files : 1;
	char *slash = strrchr(f->path, '/');
	_cleanup_free_ char *dir = NULL;
	if (!slash || !slash[1] || !(f->base = strdup(slash + 1)) ||
	    asprintf(&dir, "%.*s/.", (int)(slash - f->path), f->path) < 0) {
		dir = NULL;
		r = slash && slash[1] ? -ENOMEM : -EISDIR;
		goto fail;
	}
	/* "DIR/.": the walk judges DIR itself as the folder of the last
	 * component, so DIR and every folder before it must be root's
	 * alone, and what we hold is what was judged. */
	r = safeopen_as_tend(dir, O_PATH | O_DIRECTORY | O_NONBLOCK, 0, uid, &f->dfd);
	if (r == 1) {
		*ret_why = "a folder on its path is not root's alone";
		r = -EPERM;
		goto fail;
	}
	if (r < 0 || (r = open_in(f, &f->fd, &f->size)) < 0)
		goto fail;
	f->next_try = f->max_size;
	*ret = f;
	return 0;
fail:
	logfile_free(f);
	return r;
}

struct logfile *logfile_free(struct logfile *f)
{
	if (!f)
		return NULL;
	(void)logfile_flush(f);
	safe_close(f->fd);
	safe_close(f->dfd);
	free(f->base);
	free(f->path);
	free(f);
	return NULL;
}

const char *logfile_path(const struct logfile *f) { return f->path; }

/* FILE.N-1 -> FILE.N ... FILE -> FILE.1 (the oldest replaced), then a
 * new FILE. On failure the current file is kept. */
static int rotate(struct logfile *f)
{
	char from[PATH_MAX], to[PATH_MAX];
	int fd, r;
	uint64_t size;

	for (unsigned i = f->max_files; i > 1; i--) {
		snprintf(from, sizeof(from), "%s.%u", f->base, i - 1);
		snprintf(to, sizeof(to), "%s.%u", f->base, i);
		if (renameat(f->dfd, from, f->dfd, to) < 0 && errno != ENOENT)
			return -errno;
	}
	snprintf(to, sizeof(to), "%s.1", f->base);
	if (renameat(f->dfd, f->base, f->dfd, to) < 0)
		return -errno;
	if ((r = open_in(f, &fd, &size)) < 0)
		return r; /* the old fd (now FILE.1) goes on */
	safe_close(f->fd);
	f->fd = fd;
	f->size = size;
	f->next_try = f->max_size;
	return 0;
}

/* All of p[0..n) to the file, or -errno (f->size then counts only what
 * was written). */
static int write_all(struct logfile *f, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t k = write(f->fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			f->size -= n;
			return k < 0 ? -errno : -EIO;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

int logfile_flush(struct logfile *f)
{
	size_t n = f->pending_len;
	f->pending_len = 0;
	return write_all(f, f->pending, n);
}

int logfile_write(struct logfile *f, const char *p, size_t n, bool newline, bool line_start)
{
	size_t total = n + newline;
	int r = 0, k;

	if (line_start && f->size > 0 && f->size + total > f->next_try) {
		/* What is pending belongs to the file before the rotation. */
		r = logfile_flush(f);
		if ((k = rotate(f)) < 0) {
			/* Try again after another log_max_size. */
			f->next_try = f->size + total + f->max_size;
			if (!f->warned)
				log_warn_errno(k, "cannot rotate '%s': %m; it grows on", f->path);
			f->warned = true;
		} else {
			f->warned = false;
		}
	}
	if (f->pending_len + total > sizeof(f->pending) && (k = logfile_flush(f)) < 0)
		r = k;
	f->size += total;
	if (total > sizeof(f->pending)) {
		/* Longer than the buffer: at once (the newline apart). */
		if ((k = write_all(f, p, n)) < 0) {
			f->size -= newline;
			return k;
		}
		if (newline && (k = write_all(f, "\n", 1)) < 0)
			return k;
		return r;
	}
	memcpy(f->pending + f->pending_len, p, n);
	f->pending_len += n;
	if (newline)
		f->pending[f->pending_len++] = '\n';
	return r;
}

int logfile_reopen(struct logfile *f)
{
	int fd, r;
	uint64_t size;
	if ((r = open_in(f, &fd, &size)) < 0)
		return r;
	(void)logfile_flush(f); /* to the file it was written for */
	safe_close(f->fd);
	f->fd = fd;
	f->size = size;
	f->next_try = f->max_size;
	return 0;
}
