/* notify.h: the sd_notify datagram protocol, both ways.
 *
 * Downward: tend owns one AF_UNIX SOCK_DGRAM socket, named in the
 * NOTIFY_SOCKET of services with `ready = notify`. Every datagram is
 * "KEY=VALUE" lines (READY=1, STATUS=..., MAINPID=..., STOPPING=1 ...).
 * SO_PASSCRED is on, so the kernel tells us the sender's pid and a service
 * cannot speak for another: the caller maps the pid to a service (see
 * notify_pid_in_group) and ignores what it cannot map.
 *
 * Upward: notify_send() tells whoever started tend (runc --notify-socket,
 * podman, systemd) through tend's own NOTIFY_SOCKET. */
#ifndef TEND_SUPERVISOR_NOTIFY_H
#define TEND_SUPERVISOR_NOTIFY_H

#include <stdbool.h>
#include <sys/types.h>
#include <ev.h>

#define NOTIFY_MSG_MAX 4096 /* longer datagrams are dropped */

struct notify_server;

/* Called once per KEY=VALUE line of a datagram, in order. sender is the
 * pid from SCM_CREDENTIALS (never 0: messages without credentials, or from
 * a pid not visible in our pid namespace, are dropped). key and value
 * live until the callback returns. The callback may close the server. */
typedef void (*notify_msg_fn)(pid_t sender, const char *key, const char *value, void *userdata);

/* One KEY=VALUE line of a datagram; return false to stop (the server was
 * closed meanwhile). */
typedef bool (*notify_line_fn)(const char *key, const char *value, void *userdata);

/* The datagram parser, pure (fuzzed by test/fuzz/fuzz_notify.c): check
 * buf[0..n) (buf has room for n + 1 bytes; it is changed) and hand each
 * KEY=VALUE line to fn, in order; a line without '=' or with an empty key
 * is skipped. Returns the number of lines handed over, -EMSGSIZE for more
 * than NOTIFY_MSG_MAX bytes, -EBADMSG for an empty message or a NUL byte. */
int notify_parse(char *buf, size_t n, notify_line_fn fn, void *userdata);

/* Open the socket and watch it on loop. path: NULL for an abstract
 * socket whose name the kernel chooses (autobind: a name nobody can take
 * first); a file system path (its
 * directory is created 0755 when missing; a stale socket there is
 * replaced; the socket is made 0666 so that a service running as another
 * user can reach it: only credentials decide what is believed) or
 * "@name" for an abstract socket of that name. Returns 0 and *ret, or -errno. */
int notify_server_open(struct ev_loop *loop, const char *path, notify_msg_fn fn, void *userdata,
		       struct notify_server **ret);

/* The value to put in a service's NOTIFY_SOCKET ("@name" for abstract). */
const char *notify_server_path(const struct notify_server *s);

/* Stop watching, close, unlink a path socket, free. NULL is fine.
 * Returns NULL. */
struct notify_server *notify_server_close(struct notify_server *s);

/* Send msg as one datagram to socket_path ("/path" or "@abstract"), as
 * found in tend's own NOTIFY_SOCKET. Returns 1 when sent, 0 when
 * socket_path is NULL or empty (nobody asked), -errno otherwise
 * (-EAGAIN when the receiver's queue is full: it never blocks). */
int notify_send(const char *socket_path, const char *msg);

/* Process group and session of a pid, from /proc/PID/stat. */
int notify_pid_ids(pid_t pid, pid_t *ret_pgid, pid_t *ret_sid);

/* Whether sender belongs to the service whose first process was `leader`
 * (started with setsid(), so leader is both its session and its process
 * group): true when sender's process group or session is leader. A process
 * that made itself a session of its own is no longer believed. */
bool notify_pid_in_group(pid_t sender, pid_t leader);

#endif
