/* logfile.h: a FILE output that tend writes itself, so that it can rotate
 * it (log_max_size, log_max_files) and reopen it (`tendctl reopen`).
 *
 * Trust (contract section 6): a rotation renames FILE.N-1 to FILE.N ...
 * FILE to FILE.1 and makes a new FILE, with tend's rights. That is safe
 * only where nobody but root can add, remove or rename a name: so tend
 * rotates only a FILE whose folder, and every folder on the way to it,
 * is root's alone (common/safeopen.h's rule, for the service's uid), and
 * only for a service that could not become the owner of those folders
 * (not root, no capability over files, no_new_privileges = yes). The
 * folder is held open from that walk, and every rename and open is made
 * relative to it (renameat, openat with O_NOFOLLOW): a name elsewhere
 * that changes later changes nothing. Anywhere else the start is refused
 * with the reason; such a FILE is rotated from outside (logrotate's
 * copytruncate) and written by the service itself, as without
 * log_max_size. */
#ifndef TEND_SUPERVISOR_LOGFILE_H
#define TEND_SUPERVISOR_LOGFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "conf/conf.h"

struct logfile;

/* Open path for service c (its user, capabilities, log_max_size,
 * log_max_files). -EPERM with *ret_why when the trust rule above says no;
 * another -errno (with *ret_why NULL) when it cannot be opened. */
int logfile_open(const char *path, const struct conf_service *c, struct logfile **ret, const char **ret_why);
struct logfile *logfile_free(struct logfile *f);
const char *logfile_path(const struct logfile *f);

/* Append p[0..n), and a newline when newline. line_start: p begins a
 * line; a rotation happens only there, before the line, when it would
 * take the file above the size, so no line is cut across two files. The
 * bytes wait in a buffer (64 KiB) until logfile_flush(), a rotation, or
 * the buffer is full: the lines of one read of the pipe are one write.
 * Returns 0 or -errno (a write of what waited failed: the disk is full,
 * say; that much is not in the file). A rotation that fails is logged
 * once and the file goes on growing: no write is lost to it. */
int logfile_write(struct logfile *f, const char *p, size_t n, bool newline, bool line_start);
/* Write out what waits: 0 or -errno (as logfile_write). */
int logfile_flush(struct logfile *f);

/* Open FILE again by its name in the folder held (after an outside
 * logrotate moved it). */
int logfile_reopen(struct logfile *f);

#endif
