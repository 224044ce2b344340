/* control.h: the control socket, tendctl's way in (see tendctl(8) for the
 * protocol). A unix stream socket on tend's loop, mode 0600, that answers
 * only peers with tend's own uid or uid 0 (SO_PEERCRED). One request line,
 * zero or more answer lines, a last line "OK" or "ERR reason", then tend
 * closes the connection. */
#ifndef TEND_SUPERVISOR_CONTROL_H
#define TEND_SUPERVISOR_CONTROL_H

#include <ev.h>

struct sup;
struct ctl;

/* Listen on path ("" or NULL: no socket, *ret = NULL, 0). A stale socket
 * left there by a dead tend is replaced; a live one is not. Logs why it
 * failed, as a warning (tend goes on without a control socket), and
 * returns -errno. */
int ctl_open(struct ev_loop *loop, struct sup *sup, const char *path, struct ctl **ret);
/* Close every client and the socket, remove the socket file. NULL is fine. */
struct ctl *ctl_close(struct ctl *c);

#endif
