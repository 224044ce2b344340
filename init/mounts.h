/* mounts.h: the API file systems PID 1 owes its processes. */
#ifndef TEND_MOUNTS_H
#define TEND_MOUNTS_H

#include <stdbool.h>
#include "conf/conf.h"

/* Mount /proc, /sys, /dev (devtmpfs, or a tmpfs with the standard nodes and
 * links), /dev/pts (a new devpts instance) and /dev/shm where they are not
 * mounted already, judged from /proc/self/mountinfo (when /proc itself is
 * missing and we may mount, it is mounted first).
 *
 * mode CONF_MOUNT_AUTO: mount what is missing; a failure is a warning, except
 * for /proc (an error). CONF_MOUNT_YES: every failure is an error.
 * CONF_MOUNT_NO: nothing at all.
 *
 * own_ns: tend is PID 1 or made its own mount namespace. When false, nothing
 * is ever mounted (a tend on a host never remounts the host): AUTO warns once
 * if something is missing, YES is an error.
 *
 * Logs once (this is the deciding layer); the caller turns a negative return
 * into exit 70 without logging again. Returns 0 or -errno. */
int mnt_setup(enum conf_mount mode, bool own_ns);

/* Mount a new proc instance on /proc, over whatever is there: after a new
 * PID namespace the old /proc shows the wrong PIDs. Silent; 0 or -errno. */
int mnt_fresh_proc(void);

/* Mount a new sysfs instance on /sys (after a new network namespace, sysfs
 * must be mounted from inside it to show its links). Silent; 0 or -errno. */
int mnt_fresh_sys(void);

#endif
