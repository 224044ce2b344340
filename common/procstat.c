/* procstat.c: see procstat.h. open/read, no stdio: the sweeps read every
 * process of the machine (a subreaper on a host). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/procstat.h"
#include "common/util.h"

int proc_stat(pid_t pid, struct proc_stat *ret)
{
	char path[32], buf[512];

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		return errno == ESRCH ? -ESRCH : -errno;
	buf[n] = 0;
	/* pid (comm) state ppid pgrp session ... */
	const char *p = strrchr(buf, ')');
	int ppid, pgrp, sid;
	char state;
	if (!p || sscanf(p + 1, " %c %d %d %d", &state, &ppid, &pgrp, &sid) != 4 || ppid < 0)
		return -EIO;
	*ret = (struct proc_stat){ .pid = pid, .state = state, .ppid = (pid_t)ppid, .pgrp = (pid_t)pgrp, .sid = (pid_t)sid };
	return 0;
}

int proc_each(int (*fn)(const struct proc_stat *st, void *ud), void *ud)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int r = 0;

	if (!d)
		return -errno;
	while (r == 0 && (de = readdir(d))) {
		struct proc_stat st;
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		if (de->d_name[0] < '1' || de->d_name[0] > '9' || *end || proc_stat((pid_t)pid, &st) < 0)
			continue;
		r = fn(&st, ud);
	}
	closedir(d);
	return r;
}
