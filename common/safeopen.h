/* safeopen.h: open a file the operator named for a service (stdout, stderr,
 * env_file) so that the service cannot make tend open another one.
 *
 * tend keeps its own rights for a path only when nobody but root can
 * change where the path leads: every folder on the way belongs to root
 * (not to the service's uid) and is writable by its owner alone. Then
 * safeopen_as_tend() walks the path one component at a time, with each
 * folder held open and judged before anything is looked up in it, and
 * follows only root's own symbolic links. Anywhere else the path is the
 * service's to change, and the open must be done with the service's
 * identity (after the privilege drop): safeopen_as_service(). Both open
 * with O_NONBLOCK, so a FIFO never hangs the caller, then clear it.
 *
 * Hard links need no rule of their own: where tend opens, no one but root
 * can add a name to the folder; where the service opens, the kernel
 * judges its rights on the file, whatever name led there. */
#ifndef TEND_SAFEOPEN_H
#define TEND_SAFEOPEN_H

#include <sys/types.h>

/* Open absolute PATH with FLAGS and MODE (for O_CREAT) as tend, for a
 * service running as SERVICE_UID. Returns 0 with *ret_fd set; 1 when a
 * folder on the way (or a link in one) is not root's alone, so the caller
 * must open it as the service instead; -errno on failure. */
int safeopen_as_tend(const char *path, int flags, mode_t mode, uid_t service_uid, int *ret_fd);

/* Open PATH with the caller's own identity (the service's, after the
 * drop), refusing /proc's links to open files ("magic" links: a link to
 * /proc/self/fd/N would hand over one of tend's fds). Returns the fd, or
 * -errno. */
int safeopen_as_service(const char *path, int flags, mode_t mode);

/* Open /dev/null with FLAGS and make sure it is the null device: a
 * service running as root owns /dev and could put a link to any file
 * there. Nothing is read or written before the check, and O_NONBLOCK
 * keeps a FIFO from hanging the open. Returns the fd, -ENODEV when it is
 * something else, or -errno. */
int safeopen_null(int flags);

#endif
