/* util.h: small helpers every module shares: cleanup attributes, explicit
 * ownership transfer, and fd hygiene.  Conventions (see README "Code"):
 * functions return >= 0 on success and -errno on failure; results go through
 * ret_ pointers that are left untouched on failure. */
#ifndef TEND_UTIL_H
#define TEND_UTIL_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

static inline void freep(void *p) { free(*(void **)p); }
#define _cleanup_free_ _cleanup_(freep)

/* Close without retrying EINTR: on Linux the fd is gone either way.
 * Keeps errno, returns -1 so that `fd = safe_close(fd);` works. */
static inline int safe_close(int fd)
{
	if (fd >= 0) {
		int e = errno;
		close(fd);
		errno = e;
	}
	return -1;
}
static inline void closep(int *fd) { safe_close(*fd); }
#define _cleanup_close_ _cleanup_(closep)

static inline void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}
#define _cleanup_fclose_ _cleanup_(fclosep)

/* Hand ownership over: returns the value and resets the variable. */
#define TAKE_PTR(p) ({ __typeof__(p) _p_ = (p); (p) = NULL; _p_; })
#define TAKE_FD(fd) ({ int *_fd_ = &(fd); int _r_ = *_fd_; *_fd_ = -1; _r_; })

/* libc's -1/errno convention turned into ours, once, at the edge. */
#define RET_NERRNO(expr) ({ __typeof__(expr) _r_ = (expr); _r_ < 0 ? -errno : _r_; })

/* Monotonic time in milliseconds / nanoseconds. */
uint64_t now_ms(void);
uint64_t now_ns(void);

/* Format a duration in milliseconds the way the configuration writes it
 * ("250ms", "10s", "1m30s"). Returns buf. */
const char *fmt_ms(char *buf, size_t len, uint64_t ms);

/* Set FD_CLOEXEC / O_NONBLOCK on an fd. */
int fd_cloexec(int fd, int on);
int fd_nonblock(int fd, int on);

/* Close every fd >= 3 except `keep` (-1: none). close_range() where the
 * kernel has it, /proc/self/fd otherwise. */
int close_all_fds(int keep);

/* Read a whole small file (< 1 MiB) into a NUL-terminated buffer; the
 * _fd form reads an fd the caller opened (and keeps) to its end. */
int read_full_file(const char *path, char **ret, size_t *ret_len);
int read_full_fd(int fd, char **ret, size_t *ret_len);

/* Write a file atomically: temp file in the same directory, then rename.
 * When rename fails with EBUSY (the file is a bind mount, as runc makes
 * /etc/resolv.conf and /etc/hosts), rewrite it in place instead. */
int write_file_atomic(const char *path, const char *data, size_t len, mode_t mode);

#endif
