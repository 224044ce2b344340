/* util.c: see util.h. */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>

#include "common/util.h"

uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint64_t now_ms(void) { return now_ns() / 1000000ULL; }

const char *fmt_ms(char *buf, size_t len, uint64_t ms)
{
	if (ms < 1000)
		snprintf(buf, len, "%llums", (unsigned long long)ms);
	else if (ms % 1000 == 0 && ms < 60000)
		snprintf(buf, len, "%llus", (unsigned long long)(ms / 1000));
	else if (ms < 60000)
		snprintf(buf, len, "%llu.%03llus", (unsigned long long)(ms / 1000),
			 (unsigned long long)(ms % 1000));
	else
		snprintf(buf, len, "%llum%llus", (unsigned long long)(ms / 60000),
			 (unsigned long long)((ms % 60000) / 1000));
	return buf;
}

static int fd_flag(int fd, int get, int set, int flag, int on)
{
	int f = fcntl(fd, get);
	if (f < 0)
		return -errno;
	f = on ? (f | flag) : (f & ~flag);
	return RET_NERRNO(fcntl(fd, set, f));
}

int fd_cloexec(int fd, int on) { return fd_flag(fd, F_GETFD, F_SETFD, FD_CLOEXEC, on); }
int fd_nonblock(int fd, int on) { return fd_flag(fd, F_GETFL, F_SETFL, O_NONBLOCK, on); }

int close_all_fds(int keep)
{
#ifdef SYS_close_range
	if (keep < 3) {
		if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0)
			return 0;
	} else {
		if ((keep == 3 || syscall(SYS_close_range, 3U, (unsigned)keep - 1, 0U) == 0) &&
		    syscall(SYS_close_range, (unsigned)keep + 1, ~0U, 0U) == 0)
			return 0;
	}
#endif
	/* Fallback: walk /proc/self/fd (collect first, the walk's own fd is in it). */
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return -errno;
	int dfd = dirfd(d);
	struct dirent *de;
	while ((de = readdir(d))) {
		char *end;
		long fd = strtol(de->d_name, &end, 10);
		if (*end || end == de->d_name || fd < 3 || fd == dfd || fd == keep)
			continue;
		close((int)fd);
	}
	closedir(d);
	return 0;
}

int read_full_file(const char *path, char **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	return read_full_fd(fd, ret, ret_len);
}

int read_full_fd(int fd, char **ret, size_t *ret_len)
{
	size_t cap = 4096, len = 0;
	_cleanup_free_ char *buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (len + 1 >= cap) {
			if (cap >= (1U << 20))
				return -EFBIG;
			char *nb = realloc(buf, cap * 2);
			if (!nb)
				return -ENOMEM;
			buf = nb;
			cap *= 2;
		}
		ssize_t n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = 0;
	if (ret_len)
		*ret_len = len;
	*ret = TAKE_PTR(buf);
	return 0;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Is path the root of a mount (a file bind-mounted over, as runc does with
 * /etc/resolv.conf and /etc/hosts)? */
static bool is_mount_root(const char *path)
{
#ifdef STATX_ATTR_MOUNT_ROOT
	struct statx stx;
	if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx) == 0 &&
	    (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
		return stx.stx_attributes & STATX_ATTR_MOUNT_ROOT;
#endif
	return false;
}

/* Rewrite in place: no O_TRUNC at open but ftruncate() after the write,
 * because ext4 starts writing back a file truncated to 0 when it is closed
 * (its auto_da_alloc heuristic), which costs ~0.3 ms on every start. */
static int write_in_place(const char *path, const char *data, size_t len)
{
	_cleanup_close_ int wfd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (wfd < 0)
		return -errno;
	int r = write_all(wfd, data, len);
	if (r < 0)
		return r;
	return RET_NERRNO(ftruncate(wfd, (off_t)len));
}

int write_file_atomic(const char *path, const char *data, size_t len, mode_t mode)
{
	char tmp[PATH_MAX];
	int r;

	/* A bind-mounted file cannot be replaced by rename (EBUSY): go
	 * straight to rewriting it in place. */
	if (is_mount_root(path))
		return write_in_place(path, data, len);
	if (snprintf(tmp, sizeof(tmp), "%s.tend-XXXXXX", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	_cleanup_close_ int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd >= 0) {
		r = write_all(fd, data, len);
		if (r == 0 && fchmod(fd, mode) < 0)
			r = -errno;
		if (r == 0 && rename(tmp, path) == 0)
			return 0;
		if (r == 0)
			r = -errno;
		unlink(tmp);
		if (r != -EBUSY)
			return r;
	} else if (errno != EROFS && errno != EACCES && errno != EPERM) {
		return -errno;
	}
	/* The file is a mount point the check above could not see, or its
	 * directory is read-only: rewrite it in place. */
	return write_in_place(path, data, len);
}
