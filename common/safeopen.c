/* safeopen.c: see safeopen.h. */
#include "config.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#if defined(__has_include)
#if __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#endif
#endif

#include "common/safeopen.h"
#include "common/util.h"

/* The kernel's own limit on links followed in one lookup. */
#define MAX_LINKS 40

/* O_NONBLOCK at open: opening a FIFO nobody has open on the other end
 * would otherwise wait forever (for writing it fails with ENXIO instead).
 * It is cleared again unless the caller asked for it. */
#define OPEN_FLAGS (O_CLOEXEC | O_NOCTTY | O_NONBLOCK)

static int finish(int fd, int flags)
{
	if (fd < 0)
		return -errno;
	if (!(flags & O_NONBLOCK)) {
		int r = fd_nonblock(fd, 0);
		if (r < 0) {
			safe_close(fd);
			return r;
		}
	}
	return fd;
}

/* Root, as tend sees it: uid 0, or tend's own uid when tend is not root;
 * never the service's own uid (a service running as root is a service). */
static bool is_root(uid_t owner, uid_t service_uid)
{
	return owner != service_uid && (owner == 0 || owner == geteuid());
}

/* Nobody but root can add, remove or rename an entry of this folder. */
static bool root_alone(const struct stat *dir, uid_t service_uid)
{
	return is_root(dir->st_uid, service_uid) && !(dir->st_mode & (S_IWGRP | S_IWOTH));
}

/* In a sticky folder of root's (/tmp), anyone may add names, but only an
 * entry's owner (or the folder's) may remove or rename it: an entry of
 * root's there was put there by root, and stays. The kernel's
 * protected_symlinks rule reasons the same way. Not used for the last
 * component, which the service may have created (or hard-linked). */
static bool root_entry_in_sticky(const struct stat *dir, const struct stat *entry, uid_t service_uid)
{
	return (dir->st_mode & S_ISVTX) && is_root(dir->st_uid, service_uid) &&
	       is_root(entry->st_uid, service_uid);
}

/* /proc's links (self, fd/N) are made by the kernel, not by anyone who can
 * write a folder: there the kernel follows them itself. */
static bool on_proc(int fd)
{
	struct statfs sf;
	return fstatfs(fd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC;
}

/* Replace the part of buf already walked by the link's target:
 * buf = target "/" next. */
static int splice_link(char *buf, size_t size, const char *target, const char *next)
{
	char tmp[2 * PATH_MAX];
	int n = snprintf(tmp, sizeof(tmp), "%s%s%s", target, *next ? "/" : "", next);
	if (n < 0 || (size_t)n >= size || (size_t)n >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(buf, tmp, (size_t)n + 1);
	return 0;
}

int safeopen_as_tend(const char *path, int flags, mode_t mode, uid_t service_uid, int *ret_fd)
{
	char buf[2 * PATH_MAX], target[PATH_MAX];
	_cleanup_close_ int dfd = -1;
	int links = 0;

	if (path[0] != '/')
		return -EINVAL;
	if (strlen(path) >= sizeof(buf))
		return -ENAMETOOLONG;
	strcpy(buf, path);

	for (char *rest = buf;;) {
		struct stat dir, entry;
		ssize_t len;

		if (*rest == '/') {
			safe_close(dfd);
			dfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
			if (dfd < 0)
				return -errno;
			rest += strspn(rest, "/");
		}
		size_t n = strcspn(rest, "/");
		if (n == 0)
			return -EISDIR; /* the path names a folder */
		char *next = rest + n;
		next += strspn(next, "/");
		rest[n] = 0;
		const char *comp = rest;

		/* Judge the folder before looking anything up in it: what we
		 * hold is what we judged, whatever happens to its name. */
		if (fstat(dfd, &dir) < 0)
			return -errno;
		bool trusted = root_alone(&dir, service_uid);

		if (!*next) {
			if (!trusted)
				return 1;
			bool proc = on_proc(dfd);
			int fd = openat(dfd, comp, flags | OPEN_FLAGS | (proc ? 0 : O_NOFOLLOW), mode);
			if (fd >= 0) {
				fd = finish(fd, flags);
				if (fd < 0)
					return fd;
				*ret_fd = fd;
				return 0;
			}
			if (errno != ELOOP || proc)
				return -errno;
			/* A link of root's: follow it ourselves, below. */
			len = readlinkat(dfd, comp, target, sizeof(target));
		} else {
			if (strcmp(comp, ".") == 0) {
				rest = next;
				continue;
			}
			_cleanup_close_ int nfd = openat(dfd, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
			if (nfd < 0 || fstat(nfd, &entry) < 0)
				return -errno;
			if (!trusted && !root_entry_in_sticky(&dir, &entry, service_uid))
				return 1;
			if (S_ISDIR(entry.st_mode)) {
				safe_close(dfd);
				dfd = TAKE_FD(nfd);
				rest = next;
				continue;
			}
			if (!S_ISLNK(entry.st_mode))
				return -ENOTDIR;
			if (on_proc(dfd)) {
				int pfd = openat(dfd, comp, O_PATH | O_DIRECTORY | O_CLOEXEC);
				if (pfd < 0)
					return -errno;
				safe_close(dfd);
				dfd = pfd;
				rest = next;
				continue;
			}
			len = readlinkat(nfd, "", target, sizeof(target));
		}
		if (len < 0)
			return -errno;
		if ((size_t)len >= sizeof(target))
			return -ENAMETOOLONG;
		target[len] = 0;
		if (++links > MAX_LINKS)
			return -ELOOP;
		/* A relative target goes on from the folder the link is in
		 * (dfd); an absolute one from / (the loop's first step). */
		int r = splice_link(buf, sizeof(buf), target, next);
		if (r < 0)
			return r;
		rest = buf;
	}
}

int safeopen_as_service(const char *path, int flags, mode_t mode)
{
	int fl = flags | OPEN_FLAGS;
#if defined(SYS_openat2) && defined(RESOLVE_NO_MAGICLINKS)
	struct open_how how = {
		.flags = (uint64_t)fl,
		.mode = (fl & O_CREAT) ? mode : 0,
		.resolve = RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
	/* ENOSYS: a kernel before 5.6; EPERM: a seccomp filter that does not
	 * know openat2 (a real EPERM comes back from open() just the same). */
	if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
		return finish(fd, flags);
#endif
	/* Without openat2: at least the last component is no link at all. */
	return finish(open(path, fl | O_NOFOLLOW, mode), flags);
}

int safeopen_null(int flags)
{
	struct stat st;
	_cleanup_close_ int fd = open("/dev/null", flags | OPEN_FLAGS);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
		return -ENODEV;
	return finish(TAKE_FD(fd), flags);
}
