/* outfd.h: writing to the stdout or stderr tend inherited, never blocking.
 *
 * Whoever started tend chose these: a pipe (runc, a shell), a tty, a
 * regular file, a unix socket (systemd's StandardOutput=journal, some log
 * collectors). Nobody promises that it is read. PID 1 must not wait for
 * it, yet setting O_NONBLOCK on it would change an open file description
 * tend shares with its parent and with every service that inherits it
 * (their writes would start failing with EAGAIN). So each kind gets a way
 * of its own, without touching the shared description:
 *
 *   socket        send(MSG_DONTWAIT | MSG_NOSIGNAL): non-blocking per call
 *   pipe, FIFO,   a private description opened through /proc/self/fd/N
 *   tty, device   with O_NONBLOCK; where that fails (no /proc, a pipe of
 *                 another user): pipes pwritev2(RWF_NOWAIT) when the kernel
 *                 has it, else a poll() for room and at most PIPE_BUF bytes
 *                 at a time (a race with another writer could still block:
 *                 the last resort, as documented in tend(8))
 *   regular file  write(): the page cache never says EAGAIN
 *
 * The fd is tend's own (close-on-exec); watch outfd_fd() for EV_WRITE
 * after -EAGAIN. */
#ifndef TEND_OUTFD_H
#define TEND_OUTFD_H

#include <sys/types.h>

enum outfd_how {
	OUTFD_NONE,     /* not open, or it was closed */
	OUTFD_PLAIN,    /* write(): a regular file */
	OUTFD_NONBLOCK, /* write() on our own O_NONBLOCK description */
	OUTFD_SEND,     /* send(MSG_DONTWAIT): a socket */
	OUTFD_NOWAIT,   /* pwritev2(RWF_NOWAIT): a pipe we could not reopen */
	OUTFD_POLL,     /* poll() first, then at most PIPE_BUF bytes */
};

struct outfd {
	int fd;
	enum outfd_how how;
};

#define OUTFD_INIT { .fd = -1, .how = OUTFD_NONE }

/* Set up o to write to what fd (1 or 2) is. Returns 0, or -errno (-EBADF
 * when fd is closed: o then drops everything). */
int outfd_open(struct outfd *o, int fd);

/* Bytes written (maybe fewer than len), -EAGAIN when nothing can be written
 * now, or another -errno when the reader is gone (-EPIPE) or o is closed. */
ssize_t outfd_write(struct outfd *o, const void *buf, size_t len);

static inline int outfd_fd(const struct outfd *o) { return o->fd; }

void outfd_close(struct outfd *o);

#endif
