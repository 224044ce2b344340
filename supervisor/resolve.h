/* resolve.h: a probe's HOST by name, on the loop (tcp://db:3306).
 *
 * The container's /etc/hosts first, read here (not by the resolver
 * library: a service may put a FIFO there, and an open() that waits for a
 * writer would hang PID 1); then the name servers of its /etc/resolv.conf,
 * asked by c-ares, whose sockets and timeouts are libev watchers on the
 * caller's loop: no blocking call, no thread. Both files are read at each
 * try, so a name added to them counts at the next try. */
#ifndef TEND_SUPERVISOR_RESOLVE_H
#define TEND_SUPERVISOR_RESOLVE_H

#include <ev.h>
#include <stdint.h>
#include <sys/socket.h>

struct resolve;

/* err 0: sa (with port set) is the first address found; otherwise why
 * says why not ("no such name", "timed out"...). Both live until done
 * returns. The lookup is freed after done returns. */
typedef void (*resolve_done_fn)(int err, const struct sockaddr *sa, socklen_t len, const char *why, void *userdata);

/* Create the resolver (before services run: the library reads
 * /dev/urandom once, and by then a service could have made it a FIFO).
 * 0, or -errno (logged once); lookups then fail with the reason. */
int resolve_init(struct ev_loop *loop);
/* Cancel everything in flight (their done is not called) and free. */
void resolve_done(void);

/* /etc/hosts alone, at once: 0 with *ret, -ENOENT when not there, or
 * another -errno (the file is not a regular file, cannot be read). */
int resolve_hosts(const char *name, uint16_t port, struct sockaddr_storage *ret, socklen_t *ret_len);

/* DNS: start a lookup; done is called once, from the loop or from inside
 * this call. Returns 0 and *ret, or -errno with *why set (done not
 * called). */
int resolve_dns(const char *name, uint16_t port, resolve_done_fn done, void *userdata, struct resolve **ret,
		const char **why);
/* Forget a lookup in flight: done will not be called. NULL is fine. */
struct resolve *resolve_cancel(struct resolve *r);

#endif
