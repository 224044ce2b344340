/* signals.c: see signals.h. */
#include "config.h"

#include <string.h>

#include "init/signals.h"

static sigset_t orig_mask;
static sigset_t orig_ignored;

/* The signals a process cannot meaningfully block: blocking them would
 * hide real faults of tend itself. */
static const int sync_signals[] = { SIGFPE, SIGILL, SIGSEGV, SIGBUS, SIGABRT, SIGTRAP, SIGSYS };

void sig_block_all(void)
{
	sigset_t all;

	sigemptyset(&orig_ignored);
	for (int s = 1; s < NSIG; s++) {
		struct sigaction sa;
		if (sigaction(s, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN)
			sigaddset(&orig_ignored, s);
	}
	sigfillset(&all);
	for (size_t i = 0; i < sizeof(sync_signals) / sizeof(sync_signals[0]); i++)
		sigdelset(&all, sync_signals[i]);
	sigprocmask(SIG_SETMASK, &all, &orig_mask);
}

bool sig_forwardable(int sig)
{
	switch (sig) {
	case SIGCHLD: case SIGKILL: case SIGSTOP:
	case SIGFPE: case SIGILL: case SIGSEGV: case SIGBUS: case SIGABRT: case SIGTRAP: case SIGSYS:
	case SIGTTIN: case SIGTTOU:
		return false;
	default:
		return sig > 0 && sig < NSIG;
	}
}

void sig_child_reset(bool inherited)
{
	struct sigaction dfl;
	sigset_t empty;

	memset(&dfl, 0, sizeof(dfl));
	for (int s = 1; s < NSIG; s++) {
		if (s == SIGKILL || s == SIGSTOP)
			continue;
		dfl.sa_handler = (inherited && sigismember(&orig_ignored, s)) ? SIG_IGN : SIG_DFL;
		sigaction(s, &dfl, NULL);
	}
	sigemptyset(&empty);
	sigprocmask(SIG_SETMASK, inherited ? &orig_mask : &empty, NULL);
}
