/* ns.h: tend's own namespaces (-u) and root (-r). */
#ifndef TEND_NS_H
#define TEND_NS_H

/* Parse "pid,mount,uts,ipc,net,cgroup" (any subset, any order, comma
 * separated) into CLONE_NEW* flags. Silent. On an unknown or empty word:
 * -EINVAL, and *ret_bad points at a copy of that word (valid until the
 * next call), for the caller's usage message (exit 64). */
int ns_parse_list(const char *list, int *ret_flags, const char **ret_bad);

/* Create the namespaces in flags (0: nothing, *ret_exit = -1).
 *
 * With CLONE_NEWPID this forks. The parent stays outside (in /, pinning
 * no directory), forwards every
 * forwardable signal (tini's set) to the child, waits for it, and returns 0
 * with *ret_exit = the child's exit status (128+N when signal N killed it):
 * the caller must then exit with *ret_exit at once, running nothing else.
 * The child (PID 1 of the new namespace, killed if the parent dies) and the
 * no-fork case return 0 with *ret_exit = -1 and go on. The signal mask is
 * left as the caller set it (the parent blocks what it waits for).
 *
 * With CLONE_NEWNS every mount is made private; with root (a directory),
 * tend pivot_roots into it and mounts /proc, /sys, /dev, /dev/pts, /dev/shm
 * there (each required); without root, /proc is mounted fresh (with a new
 * PID namespace) and /sys (with a new network namespace), the host's /dev
 * is kept (a new /dev would cut the terminal's /dev/pts/N path).
 *
 * root without CLONE_NEWNS is a usage error the caller should catch first
 * (64); here it is -EINVAL. Logs once on failure (the caller exits 70
 * without logging again). Returns 0 or -errno. */
int ns_enter(int flags, const char *root, int *ret_exit);

#endif
