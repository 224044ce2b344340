/* signals.h: tend's signal plumbing.
 *
 * tend blocks every signal first thing in main() except the synchronous
 * fault signals, and consumes them through libev (signalfd), so no work is
 * ever done in an asynchronous handler. What each signal means:
 *   SIGCHLD                      children: reaped by libev, dispatched by pid
 *   SIGTERM, SIGINT, SIGPWR,     config mode: orderly shutdown (twice: at once);
 *   SIGRTMIN+3                   PWR and RTMIN+3 are LXC's and systemd's halt
 *   SIGHUP                       config mode: reload the configuration
 *   SIGUSR1/2, SIGQUIT, SIGWINCH config mode: passed to the main service
 *   anything forwardable         single-command mode: passed to the command
 * Children get back a clean state before exec (sig_child_reset). */
#ifndef TEND_SIGNALS_H
#define TEND_SIGNALS_H

#include <signal.h>
#include <stdbool.h>

/* Save the mask and ignored set tend was started with, then block every
 * signal but the synchronous ones. Call before anything else. */
void sig_block_all(void);

/* True for the signals single-command mode forwards: every one but
 * SIGCHLD, SIGKILL, SIGSTOP, the synchronous ones and SIGTTIN/SIGTTOU. */
bool sig_forwardable(int sig);

/* In a child between fork and exec. inherited=true: restore exactly the
 * mask and ignored signals tend was started with (single-command mode, as
 * tini does); false: nothing blocked, nothing ignored (services). */
void sig_child_reset(bool inherited);

#endif
