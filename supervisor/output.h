/* output.h: a service's output relayed through tend: `stdout = tagged`
 * (to tend's own stdout, a whole line at a time, "web: GET / 200", or with
 * `log = json` one JSON object a line, {"time", "service", "stream",
 * "line"}) and a FILE with log_max_size (written by tend, which rotates
 * it: supervisor/logfile.h). `stderr = stdout` gets a pipe of its own
 * then, so its lines say "stream": "stderr". What tend relays is also
 * kept, log_buffer bytes, for `tendctl logs` (supervisor/logring.h).
 *
 * A line longer than LINE_MAX_LEN bytes is relayed in pieces of at most
 * that, cut between characters; a last line without newline is relayed
 * when the service ends.
 *
 * Back-pressure, not loss: tend keeps one bounded queue for its stdout.
 * When it is full, tend stops reading every tagged pipe, so a service
 * that writes faster than the log is read blocks on its own full pipe;
 * tend itself never blocks, whatever its stdout is (a pipe, a tty, a
 * file, a socket nobody reads: common/outfd.h says how, without making
 * the open file description it shares with its parent non-blocking), and
 * the other services' probes and restarts go on. Only what a stopped
 * service left in its pipe, beyond the queue's hard bound, is dropped
 * (and counted in the log). A FILE is a regular file, written at once.
 *
 * tend's own log (stderr) is flushed from the loop here too: it never
 * blocks either, and drops its oldest lines rather than wait
 * (common/log.h). */
#ifndef TEND_OUTPUT_H
#define TEND_OUTPUT_H

#include <ev.h>

#include "conf/conf.h"

#define OUTPUT_LINE_MAX 16384

struct output;
struct logring;

/* From now on tend's log never blocks on stderr: its queue is written
 * out by a watcher on loop. Once, when the loop is made. */
void output_watch_log(struct ev_loop *loop);

/* Before each start of service c: set up (once; kept across restarts, in
 * *o, and made again when a reload changed its keys: stdout, stderr,
 * log_max_size, log_max_files, log_buffer, and user, capabilities,
 * no_new_privileges, which a FILE's trust depends on) what tend relays, and give the write ends of its pipes for the
 * service's stdout and stderr (close-on-exec: spawn dup2()s them), -1 for
 * a stream tend does not relay. A FILE tend may not rotate, or cannot
 * open, is a failed start: -errno, and the reason in err (for the start's
 * failure line). A tagged pipe that cannot be made is a warning, and the
 * service inherits tend's stdout. */
int output_prepare(struct ev_loop *loop, const struct conf_service *c, struct output **o, int *ret_out,
		   int *ret_err, char *err, size_t err_size);
/* The service's process ended: what it left in its pipes is relayed,
 * its last line too if it had no newline. NULL ok. */
void output_service_ended(struct output *o);
/* Queues what the service left in its pipes and frees; NULL ok. */
struct output *output_free(struct output *o);

/* The kept output of service name (`tendctl logs`), or NULL. */
struct logring *output_ring(const char *name);
/* `tendctl reopen`: open every FILE tend writes again by its name. The
 * number reopened; each failure logged and appended to *msg (a line
 * each, for the client). */
int output_reopen(char **msg);

/* At the end of tend: write out what is queued on stdout and stderr,
 * waiting up to a second in all for a slow reader (so that no line is cut
 * by a partial write); a reader that is gone or stuck loses the rest. */
void output_finish(struct ev_loop *loop);

#endif
