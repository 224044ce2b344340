/* signals.c: see signals.h. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
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

/* The ignored set tend was started with: one read of /proc/self/status
 * (SigIgn) where /proc is there, else ask the kernel signal by signal. */
static void read_ignored(sigset_t *set)
{
	char buf[4096];
	FILE *f = fopen("/proc/self/status", "re");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	const char *p;
	unsigned long long mask;

	if (f)
		fclose(f);
	buf[n] = 0;
	sigemptyset(set);
	if (n && (p = strstr(buf, "\nSigIgn:")) && sscanf(p + 8, "%llx", &mask) == 1) {
		for (int s = 1; s < NSIG && s <= 64; s++)
			if (mask >> (s - 1) & 1)
				sigaddset(set, s);
		return;
	}
	for (int s = 1; s < NSIG; s++) {
		struct ksigaction ka;
		if (syscall(SYS_rt_sigaction, s, NULL, &ka, sizeof(ka.mask)) == 0 && ka.handler == SIG_IGN)
			sigaddset(set, s);
	}
}

void sig_block_all(void)
{
	sigset_t all;

	read_ignored(&orig_ignored);
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

	/* exec resets every caught signal to its default by itself, and tend
	 * never ignores a signal of its own accord: only what tend inherited
	 * as ignored can reach the child. Single-command mode keeps it (as
	 * tini); services get it back to the default. */
	if (!inherited)
		for (int s = 1; s < NSIG; s++) {
			struct ksigaction ka = { 0 };
			if (!sigismember(&orig_ignored, s) || s == SIGKILL || s == SIGSTOP)
				continue;
			ka.handler = SIG_DFL;
			syscall(SYS_rt_sigaction, s, &ka, NULL, sizeof(ka.mask));
		}
	sigemptyset(&empty);
	sigprocmask(SIG_SETMASK, inherited ? &orig_mask : &empty, NULL);
}
