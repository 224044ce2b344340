/* output.h: `stdout = tagged`. A service's output comes to tend through a
 * pipe and goes to tend's own stdout a whole line at a time, prefixed with
 * the service's name ("web: GET / 200").
 *
 * Back-pressure, not loss: tend keeps one bounded queue for its stdout.
 * When it is full, tend stops reading every service's pipe, so a service
 * that writes faster than the log is read blocks on its own full pipe; tend
 * itself never blocks, whatever its stdout is (a pipe, a tty, a file, a
 * socket nobody reads: common/outfd.h says how, without making the open
 * file description it shares with its parent non-blocking), and the other
 * services' probes and restarts go on. Only what a stopped service left in
 * its pipe, beyond the queue's hard bound, is dropped (and counted in the
 * log).
 *
 * tend's own log (stderr) is flushed from the loop here too: it never
 * blocks either, and drops its oldest lines rather than wait
 * (common/log.h). */
#ifndef TEND_OUTPUT_H
#define TEND_OUTPUT_H

#include <ev.h>

struct output;

/* From now on tend's log never blocks on stderr: its queue is written
 * out by a watcher on loop. Once, when the loop is made. */
void output_watch_log(struct ev_loop *loop);

int output_new(struct ev_loop *loop, const char *name, struct output **ret);
/* The pipe's write end, for the service's stdout (close-on-exec: spawn
 * dup2()s it to 1). Stays open across restarts. */
int output_fd(const struct output *o);
/* Queues what the service left in its pipe and frees; NULL ok. */
struct output *output_free(struct output *o);
/* At the end of tend: write out what is queued on stdout and stderr,
 * waiting up to a second in all for a slow reader (so that no line is cut
 * by a partial write); a reader that is gone or stuck loses the rest. */
void output_finish(struct ev_loop *loop);

#endif
