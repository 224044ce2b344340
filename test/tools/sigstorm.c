/* sigstorm PID SECONDS COUNT: send COUNT signals, drawn in turn from
 * USR1, USR2, HUP, WINCH and CHLD, to PID, spread evenly over SECONDS.
 * Prints how many were sent (kill() succeeded). Exits 1 as soon as PID is
 * gone, so a test can tell a storm that ended tend from one that did not. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	static const int sigs[] = { SIGUSR1, SIGUSR2, SIGHUP, SIGWINCH, SIGCHLD };
	if (argc != 4) {
		fprintf(stderr, "usage: sigstorm PID SECONDS COUNT\n");
		return 2;
	}
	pid_t pid = (pid_t)atol(argv[1]);
	long long span = atoll(argv[2]) * 1000000000LL;
	long count = atol(argv[3]);
	long long start = now_ns();
	long sent = 0;

	for (long i = 0; i < count; i++) {
		/* Pace: signal i is due at start + span * i / count. */
		long long due = start + (long long)((double)span * (double)i / (double)count);
		while (now_ns() < due)
			;
		if (kill(pid, sigs[i % 5]) < 0) {
			if (errno == ESRCH) {
				printf("%ld\n", sent);
				return 1;
			}
			continue;
		}
		sent++;
	}
	printf("%ld\n", sent);
	return 0;
}
