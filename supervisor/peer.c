/* peer.c: see peer.h.
 *
 * The walk reads PPid from /proc/PID/stat up to tend (a descendant), to
 * ppid 0 (the top of the namespace, or a parent outside it) or to pid 1
 * when tend is not PID 1 (the host's init). Each step is checked against
 * a race: a parent that exits meanwhile re-parents its child (to tend, or
 * a subreaper below it), so once the child's PPid is read again and is
 * unchanged, the parent read in between was the real one and not a
 * reused pid. A changed PPid starts the walk again. Anything that cannot
 * be told is an error, which callers treat as a refusal. */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/log.h"
#include "common/procstat.h"
#include "common/util.h"
#include "supervisor/peer.h"

/* Deeper than any real process tree, small enough to cost nothing. */
#define MAX_DEPTH 4096
#define MAX_RESTARTS 8

static int read_ppid(pid_t pid, pid_t *ret)
{
	struct proc_stat st;
	int r = proc_stat(pid, &st);
	if (r < 0)
		return r;
	*ret = st.ppid;
	return 0;
}

static int walk(pid_t pid, pid_t self)
{
	pid_t cur = pid, parent;
	int r = read_ppid(cur, &parent);
	if (r < 0)
		return r;
	for (unsigned depth = 0; depth < MAX_DEPTH; depth++) {
		if (parent == self)
			return 1;
		if (parent == 0 || parent == 1)
			return 0;
		pid_t grand, again;
		r = read_ppid(parent, &grand);
		if (r < 0 && r != -ESRCH)
			return r;
		/* Was parent still cur's parent when we read it? */
		int r2 = read_ppid(cur, &again);
		if (r2 < 0)
			return r2;
		if (again != parent)
			return -EAGAIN;
		if (r < 0)
			return r; /* gone, and yet still cur's parent: cannot be */
		cur = parent;
		parent = grand;
	}
	return -ELOOP;
}

int peer_is_descendant(pid_t pid, int pidfd)
{
	pid_t self = getpid();
	int r;

	if (pid <= 0)
		return 0;
	if (pid == self)
		return 0; /* tend itself (a signal it sent itself) */
	for (unsigned i = 0; i < MAX_RESTARTS; i++) {
		r = walk(pid, self);
		if (r != -EAGAIN)
			break;
	}
	if (r < 0 || pidfd < 0)
		return r;
	/* The process still exists, so pid was not reused during the walk. */
	if (syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0)
		return -ESRCH;
	return r;
}

pid_t peer_pidfd_pid(int pidfd)
{
	char path[64], buf[1024];

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	const char *p = strstr(buf, "\nPid:");
	int pid;
	if (!p || sscanf(p + 5, "%d", &pid) != 1)
		return -EIO;
	/* -1: the process is gone; 0: outside our pid namespace. */
	return pid < 0 ? -ESRCH : (pid_t)pid;
}

bool peer_may_reload(pid_t sender)
{
	static uint64_t last_log;
	static unsigned suppressed;

	int r = peer_is_descendant(sender, -1);
	if (r == 0)
		return true;
	uint64_t now = now_ms();
	if (last_log && now - last_log < 10000) {
		suppressed++;
		return false;
	}
	if (suppressed)
		log_warn("SIGHUP from pid %d, %s: ignored (and %u more since the last warning)", (int)sender,
			 r > 0 ? "a process of a service" : "which could not be checked", suppressed);
	else
		log_warn("SIGHUP from pid %d, %s: ignored", (int)sender,
			 r > 0 ? "a process of a service" : "which could not be checked");
	last_log = now;
	suppressed = 0;
	return false;
}
