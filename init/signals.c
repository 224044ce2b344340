/* signals.c: see signals.h. */
#include "config.h"

#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "init/signals.h"

/* The kernel's struct sigaction, for rt_sigaction(2) itself: glibc's
 * sigaction() refuses signals 32 and 33 (it keeps them for threads), yet a
 * parent may have left them ignored, and a child must not inherit that. */
struct ksigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};

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
		struct ksigaction ka;
		if (syscall(SYS_rt_sigaction, s, NULL, &ka, sizeof(ka.mask)) == 0 && ka.handler == SIG_IGN)
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
	sigset_t empty;

	for (int s = 1; s < NSIG; s++) {
		struct ksigaction ka = { 0 };
		if (s == SIGKILL || s == SIGSTOP)
			continue;
		ka.handler = (inherited && sigismember(&orig_ignored, s)) ? SIG_IGN : SIG_DFL;
		syscall(SYS_rt_sigaction, s, &ka, NULL, sizeof(ka.mask));
	}
	sigemptyset(&empty);
	sigprocmask(SIG_SETMASK, inherited ? &orig_mask : &empty, NULL);
}
