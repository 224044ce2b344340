/* control.h: the control socket, tendctl's way in (see tendctl(8) for the
 * protocol). A unix stream socket on tend's loop, mode 0600, that answers
 * only peers with tend's own uid or uid 0 (SO_PEERCRED). One request line,
 * zero or more answer lines, a last line "OK" or "ERR reason", then tend
 * closes the connection. */
#ifndef TEND_SUPERVISOR_CONTROL_H
#define TEND_SUPERVISOR_CONTROL_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>

struct sup;
struct ctl;

#define CTL_MAX_WORDS 8

/* A request line split into words: pure functions, fuzzed by
 * test/fuzz/fuzz_control.c. */
struct ctl_request {
	int argc;
	char *argv[CTL_MAX_WORDS + 1]; /* into the request; argv[argc] NULL */
	int command;                   /* index in the command table, or -1 */
	bool changes_state;            /* start, stop, restart, signal, reload, shutdown */
	const char *usage;             /* of the command, for -EINVAL */
};
/* Length of the first request line at the start of buf[0..len) (with its
 * newline; at eof, what was sent), or 0 while more is needed. */
size_t ctl_request_complete(const char *buf, size_t len, bool eof);
/* Split a complete request (req[len] being NUL; req is changed) and find
 * its command. 0, or: -EBADMSG a NUL byte, -E2BIG too many words,
 * -ENODATA no word, -ENOENT an unknown command (argv[0] says which),
 * -EINVAL the wrong number of arguments (usage says how). */
int ctl_parse_request(char *req, size_t len, struct ctl_request *ret);

/* Listen on path ("" or NULL: no socket, *ret = NULL, 0). A stale socket
 * left there by a dead tend is replaced; a live one is not. Logs why it
 * failed, as a warning (tend goes on without a control socket), and
 * returns -errno. */
int ctl_open(struct ev_loop *loop, struct sup *sup, const char *path, struct ctl **ret);
/* Close every client and the socket, remove the socket file. NULL is fine. */
struct ctl *ctl_close(struct ctl *c);

#endif
