/* sigrecv LOG STOPFILE: catch every catchable signal and append its number
 * to LOG, one a line; exit 0 once STOPFILE exists (checked after each
 * signal). Used to prove that tend forwards signals. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int out_fd = -1;

static void on_signal(int sig)
{
	char buf[16];
	int n = snprintf(buf, sizeof(buf), "%d\n", sig);
	(void)!write(out_fd, buf, (size_t)n);
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	sigset_t none;

	if (argc != 3) {
		fprintf(stderr, "usage: sigrecv LOG STOPFILE\n");
		return 2;
	}
	out_fd = open(argv[1], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (out_fd < 0)
		return 2;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigfillset(&sa.sa_mask);
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			sigaction(s, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	(void)!write(out_fd, "ready\n", 6);
	while (access(argv[2], F_OK) < 0)
		pause();
	return 0;
}
