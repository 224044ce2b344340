/* logring.h: the last bytes of a service's relayed output, kept by tend
 * for `tendctl logs` (log_buffer), and the clients that follow it
 * (`tendctl logs -f`).
 *
 * The ring holds whole lines and drops its oldest ones to make room, so
 * it never holds more than its size. A follower reads the ring at its own
 * pace, from its own position: tend writes to it only when its socket
 * takes more, never waits for it, and never keeps anything for it beyond
 * the ring. A follower that does not read falls behind; when the ring has
 * dropped lines it had not read yet, it is told how many ("! N lines
 * lost") and goes on from the oldest line still kept. The service, tend
 * and the other followers never wait for it. At most LOGRING_MAX_FOLLOWERS
 * follow at once, in all: each costs tend one fd and one small buffer. Of
 * those, tend's own services (contract section 6: hostile) may hold at
 * most LOGRING_MAX_SERVICE_FOLLOWERS, so that they can never take every
 * slot from the operator.
 *
 * On the wire (tendctl(8)): "= LINE" for each line, "! N lines lost", and,
 * when the service goes away or tend ends, "OK". */
#ifndef TEND_SUPERVISOR_LOGRING_H
#define TEND_SUPERVISOR_LOGRING_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>

#define LOGRING_MAX_FOLLOWERS 16
#define LOGRING_MAX_SERVICE_FOLLOWERS 8

struct logring;

/* A ring of size bytes (> 0). */
int logring_new(struct ev_loop *loop, size_t size, struct logring **ret);
/* Tells every follower "OK" (best effort) and closes it. NULL is fine. */
struct logring *logring_free(struct logring *r);

/* One line, without its newline (cut to the ring's size). */
void logring_append(struct logring *r, const char *line, size_t len);

/* The last n lines (0: all kept), each as "= LINE\n", through put (which
 * returns < 0 to stop: that is returned). At most max bytes of lines: the
 * oldest that do not fit are left out, and a first line says how many
 * ("! N older lines left out: ..."), so that the newest always come. */
int logring_tail(const struct logring *r, size_t n, size_t max, int (*put)(void *ud, const void *p, size_t len),
		 void *ud);

/* Follow r on fd (a connected stream socket, taken over: closed on
 * failure too), from the last n lines (0: all kept); of_service: the
 * client is one of tend's services (or cannot be told apart from one).
 * -EBUSY when LOGRING_MAX_FOLLOWERS already follow, or of_service and
 * services already hold LOGRING_MAX_SERVICE_FOLLOWERS. */
int logring_follow(struct logring *r, int fd, size_t n, bool of_service);

/* How many follow, in all. */
size_t logring_followers(void);

#endif
