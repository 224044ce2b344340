/* procstat.h: what tend reads of other processes in /proc/PID/stat (the
 * state letter, the parent, the process group), in one place: the command
 * name in that file may hold anything, spaces and ')' included, so the
 * fields are taken after its last ')'. */
#ifndef TEND_COMMON_PROCSTAT_H
#define TEND_COMMON_PROCSTAT_H

#include <sys/types.h>

struct proc_stat {
	pid_t pid;
	char state; /* 'R', 'S', 'T', 'Z'... */
	pid_t ppid, pgrp, sid;
};

/* The stat of pid. 0; -ESRCH when it is gone; -EIO when the file does not
 * read as expected; -errno. */
int proc_stat(pid_t pid, struct proc_stat *ret);

/* fn for each process in /proc (one that ends meanwhile is skipped), until
 * fn returns nonzero, which is returned; 0 after the last one; -errno when
 * /proc cannot be listed. */
int proc_each(int (*fn)(const struct proc_stat *st, void *ud), void *ud);

#endif
