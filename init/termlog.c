/* termlog.c: see termlog.h. */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "common/log.h"
#include "common/util.h"
#include "init/termlog.h"

void termlog_write(const char *why)
{
	_cleanup_close_ int dir = -1, fd = -1;
	struct stat st;

	/* Held by fd with O_NOFOLLOW at each step: a link planted at /dev or
	 * at /dev/termination-log (pointing at /etc/shadow, say) fails with
	 * ELOOP or ENOTDIR instead of being written through. */
	dir = open("/dev", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dir < 0)
		return;
	/* No O_CREAT: only a file someone put there is ours to write.
	 * O_NONBLOCK: a FIFO nobody reads fails (ENXIO) instead of
	 * holding PID 1's exit; O_APPEND keeps what the app wrote. */
	fd = openat(dir, "termination-log", O_WRONLY | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			log_warn_errno(errno, TERMLOG_PATH ": not written: %m");
		return;
	}
	if (fstat(fd, &st) < 0) {
		log_warn_errno(errno, TERMLOG_PATH ": not written: %m");
		return;
	}
	if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
		log_warn(TERMLOG_PATH ": not written: neither a regular file nor a FIFO");
		return;
	}
	/* One write of the whole line, so that a FIFO's reader never sees
	 * half of it (it is far below PIPE_BUF). */
	struct iovec iov[2] = { { (void *)why, strlen(why) }, { (void *)"\n", 1 } };
	ssize_t n = writev(fd, iov, 2);
	if (n < 0)
		log_warn_errno(errno, TERMLOG_PATH ": not written: %m");
	else if ((size_t)n != iov[0].iov_len + 1)
		log_warn(TERMLOG_PATH ": cut short (%zd bytes written)", n);
}
