/* outfd.c: see outfd.h. */
#include "config.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "common/outfd.h"
#include "common/util.h"

#ifndef RWF_NOWAIT
#define RWF_NOWAIT 0x00000008
#endif

int outfd_open(struct outfd *o, int fd)
{
	char path[32];
	struct stat st;

	o->fd = -1;
	o->how = OUTFD_NONE;
	if (fstat(fd, &st) < 0)
		return -errno;

	if (S_ISSOCK(st.st_mode)) {
		o->how = OUTFD_SEND;
	} else if (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode)) {
		o->how = OUTFD_PLAIN;
	} else {
		/* A pipe, a FIFO, a tty, /dev/null...: a description of our
		 * own, so that O_NONBLOCK stays ours. */
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		o->fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
		if (o->fd >= 0) {
			o->how = OUTFD_NONBLOCK;
			return 0;
		}
		/* ENXIO: a FIFO with no reader left, writes would fail anyway. */
		o->how = S_ISFIFO(st.st_mode) ? OUTFD_NOWAIT : OUTFD_POLL;
	}
	o->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (o->fd < 0) {
		o->how = OUTFD_NONE;
		return -errno;
	}
	return 0;
}

ssize_t outfd_write(struct outfd *o, const void *buf, size_t len)
{
	ssize_t n;

	for (;;) {
		switch (o->how) {
		case OUTFD_NONE:
			return -EBADF;
		case OUTFD_PLAIN:
		case OUTFD_NONBLOCK:
			n = write(o->fd, buf, len);
			break;
		case OUTFD_SEND:
			n = send(o->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
			break;
		case OUTFD_NOWAIT: {
			struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
			n = pwritev2(o->fd, &iov, 1, -1, RWF_NOWAIT);
			if (n < 0 && (errno == EOPNOTSUPP || errno == EINVAL || errno == ENOSYS)) {
				/* An older kernel: pipes without RWF_NOWAIT. */
				o->how = OUTFD_POLL;
				continue;
			}
			break;
		}
		case OUTFD_POLL: {
			struct pollfd p = { .fd = o->fd, .events = POLLOUT };
			if (poll(&p, 1, 0) == 0)
				return -EAGAIN;
			/* A pipe with room takes PIPE_BUF bytes without blocking. */
			n = write(o->fd, buf, len > PIPE_BUF ? PIPE_BUF : len);
			break;
		}
		default:
			return -EBADF;
		}
		if (n >= 0)
			return n;
		if (errno == EINTR)
			continue;
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	}
}

void outfd_close(struct outfd *o)
{
	o->fd = safe_close(o->fd);
	o->how = OUTFD_NONE;
}
