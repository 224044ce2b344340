/* probe.h: one attempt of a `ready` or `health` probe (tcp://, http://,
 * exec:), run on the libev loop with a timeout, never blocking it.
 *
 * The caller (the service state machine) decides how often to try and what
 * a failure means; this module only answers "did this one attempt pass". */
#ifndef TEND_SUPERVISOR_PROBE_H
#define TEND_SUPERVISOR_PROBE_H

#include <stdbool.h>
#include <stdint.h>
#include <ev.h>

#include "conf/conf.h"

struct probe;

/* ok: passed or not. why: a short reason for the log when !ok
 * ("connection refused", "HTTP 503", "timed out after 2s", "exit 1",
 * "killed by signal 9"); "ok" when ok. The string lives until done returns.
 * The probe is freed right after done returns: do not cancel it from done. */
typedef void (*probe_done_fn)(struct probe *p, bool ok, const char *why, void *userdata);

/* Start one attempt of cp (CONF_PROBE_TCP, _HTTP or _EXEC) on loop.
 * timeout_ms: 0 means none. envp: environment of an exec: probe (NULL:
 * tend's own). done is called exactly once, always from the loop, never
 * from inside probe_start.
 *
 * Returns 0 and *ret, or a negative errno when no attempt was made at all
 * (done is then never called): -EINVAL for a kind that is not a probe or a
 * host that is neither an address nor a name, -EMFILE/-ENOMEM/-EAGAIN...
 * when socket() or fork() failed. A name is resolved at each attempt
 * (resolve.h; resolve_init() first): one that does not resolve is a failed
 * attempt, "cannot resolve 'db': no such name". */
int probe_start(struct ev_loop *loop, const struct conf_probe *cp, uint64_t timeout_ms,
		char *const *envp, probe_done_fn done, void *userdata, struct probe **ret);

/* exec: probes run as their service would: fn is called in the probe's
 * child after its clean start and before exec, with probe_start's
 * userdata (tend gives it the service's user, group and capabilities).
 * One for the whole process; NULL (the default): none. fn may _exit(126). */
void probe_set_exec_setup(void (*fn)(void *userdata));

/* Stop an attempt in flight and free it; done is not called. An exec:
 * probe's process group gets SIGKILL. NULL is fine. Returns NULL. */
struct probe *probe_cancel(struct probe *p);

#endif
