/* termlog.h: the termination message (tend(8), TERMINATION LOG). When
 * /dev/termination-log exists (Kubernetes bind-mounts a file there), tend
 * appends one line to it before it exits, saying why the container ends:
 * "web exited with 3", "shutdown on SIGTERM". kubectl describe pod shows it.
 *
 * The file is inside the container, in a /dev a root service may own: it
 * is never created, a symbolic link there (or at /dev) is never followed,
 * and only a regular file or a FIFO is written, without blocking. */
#ifndef TEND_TERMLOG_H
#define TEND_TERMLOG_H

#define TERMLOG_PATH "/dev/termination-log"

/* Append `why` and a newline. Nothing there: nothing done. Anything else
 * refused or failed is logged as a warning (tend is ending anyway). */
void termlog_write(const char *why);

#endif
