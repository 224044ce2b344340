/* pid1-bench.c: the measuring end of bench/pid1.sh, one binary with a verb
 * per measurement. Every verb but `sigsend` and `time` runs as the command
 * of the init under test, inside that init's PID namespace, where PID 1 is
 * the init and /proc is the namespace's own.
 *
 *   reap N            hand N zombies to PID 1 at once, print ms to reap
 *   orphans N BATCH   make N orphans, BATCH at a time; print the peak
 *                     number of PID 1's unreaped children, sampled each ms
 *   sigchild FIFO     write CLOCK_MONOTONIC to FIFO on each SIGTERM
 *   sigsend PID FIFO COUNT
 *                     (outside) kill(PID, SIGTERM) COUNT times, print the
 *                     median and 90th percentile latency to sigchild's
 *                     handler, in microseconds
 *   time N CMD...     (outside) run CMD N times, print the median wall
 *                     time of one run in microseconds
 *
 * It is a measuring tool, not part of tend: it exits on the first error. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "pid1-bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static long parse_long(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v <= 0) {
		fprintf(stderr, "pid1-bench: bad number '%s'\n", s);
		exit(64);
	}
	return v;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void sleep_ns(long ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000L, .tv_nsec = ns % 1000000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* fork(), retried while the PID space is full: the init under test may be
 * slow to reap, and that must show as time, not as a failed run. */
static pid_t fork_retry(void)
{
	for (;;) {
		pid_t pid = fork();

		if (pid >= 0 || errno != EAGAIN)
			return pid;
		sleep_ns(100000);
	}
}

/* The number of PID 1's children, zombies included (a zombie stays on its
 * parent's list until it is reaped). */
static long init_children(void)
{
	static char buf[1 << 20];
	long n = 0;
	ssize_t len;
	int fd = open("/proc/1/task/1/children", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die("open /proc/1/task/1/children");
	while ((len = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < len; i++)
			n += buf[i] == ' ';
	close(fd);
	return n;
}

static unsigned long procs_now(void)
{
	struct sysinfo si;

	if (sysinfo(&si) < 0)
		die("sysinfo");
	return si.procs;
}

static int cmd_reap(long n)
{
	int p[2];
	pid_t middle;
	uint64_t t0, t1;
	unsigned long base = procs_now();

	if (pipe2(p, O_CLOEXEC) < 0)
		die("pipe");
	middle = fork_retry();
	if (middle < 0)
		die("fork");
	if (middle == 0) {
		pid_t *kids = calloc((size_t)n, sizeof(*kids));

		if (!kids)
			die("calloc");
		for (long i = 0; i < n; i++) {
			kids[i] = fork_retry();
			if (kids[i] < 0)
				die("fork");
			if (kids[i] == 0)
				_exit(0);
		}
		/* All of them zombies before they are handed over. */
		for (long i = 0; i < n; i++) {
			siginfo_t si;

			if (waitid(P_PID, (id_t)kids[i], &si, WEXITED | WNOWAIT) < 0)
				die("waitid");
		}
		t0 = mono_ns();
		if (write(p[1], &t0, sizeof(t0)) != sizeof(t0))
			die("write");
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &t0, sizeof(t0)) != sizeof(t0))
		die("read");
	if (waitpid(middle, NULL, 0) < 0)
		die("waitpid");
	/* sysinfo() is O(1) and takes no lock the reaper needs; the exact
	 * (but costlier) list of PID 1's children only confirms. */
	for (unsigned i = 0;; i++) {
		if ((procs_now() <= base + 16 || i % 200 == 199) && init_children() <= 1)
			break;
		sleep_ns(100000);
	}
	t1 = mono_ns();
	printf("%.3f\n", (double)(t1 - t0) / 1e6);
	return 0;
}

static int cmd_orphans(long n, long batch)
{
	long *peak = mmap(NULL, sizeof(long) * 2, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t sampler;
	uint64_t t0 = mono_ns();

	if (peak == MAP_FAILED)
		die("mmap");
	peak[0] = 0;
	sampler = fork();
	if (sampler < 0)
		die("fork");
	if (sampler == 0) {
		for (;;) {
			/* Minus this bench's own process (the init's command). */
			long z = init_children() - 1;

			if (z > peak[0])
				peak[0] = z;
			sleep_ns(1000000);
		}
	}
	for (long made = 0; made < n; made += batch) {
		pid_t spawner = fork_retry();

		if (spawner < 0)
			die("fork");
		if (spawner == 0) {
			for (long k = 0; k < batch && made + k < n; k++) {
				pid_t pid = fork_retry();

				if (pid < 0)
					die("fork");
				if (pid == 0)
					_exit(0);
			}
			_exit(0);
		}
		if (waitpid(spawner, NULL, 0) < 0)
			die("waitpid");
	}
	while (init_children() > 1)
		sleep_ns(1000000);
	kill(sampler, SIGKILL);
	waitpid(sampler, NULL, 0);
	printf("%ld %.1f\n", peak[0], (double)(mono_ns() - t0) / 1e6);
	return 0;
}

static int sig_fd = -1;

static void on_term(int sig)
{
	uint64_t t = mono_ns();

	(void)sig;
	(void)!write(sig_fd, &t, sizeof(t));
}

static _Noreturn void cmd_sigchild(const char *fifo)
{
	struct sigaction sa = { .sa_handler = on_term, .sa_flags = SA_RESTART };
	sigset_t none;
	uint64_t ready = 0;

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) < 0)
		die("sigaction");
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	sig_fd = open(fifo, O_WRONLY | O_CLOEXEC);
	if (sig_fd < 0)
		die("open fifo");
	if (write(sig_fd, &ready, sizeof(ready)) != sizeof(ready))
		die("write");
	for (;;)
		pause();
}

static int cmd_sigsend(pid_t pid, const char *fifo, long count)
{
	uint64_t *lat = calloc((size_t)count, sizeof(*lat));
	uint64_t t;
	int fd = open(fifo, O_RDONLY | O_CLOEXEC);

	if (!lat || fd < 0)
		die("open fifo");
	if (read(fd, &t, sizeof(t)) != sizeof(t))
		die("read ready");
	for (long i = 0; i < count; i++) {
		uint64_t t0 = mono_ns();

		if (kill(pid, SIGTERM) < 0)
			die("kill");
		if (read(fd, &t, sizeof(t)) != sizeof(t))
			die("read");
		lat[i] = t - t0;
		sleep_ns(2000000);
	}
	qsort(lat, (size_t)count, sizeof(*lat), cmp_u64);
	printf("%.1f %.1f\n", (double)lat[count / 2] / 1e3, (double)lat[count * 9 / 10] / 1e3);
	return 0;
}

static int cmd_time(long n, char **argv)
{
	uint64_t *d = calloc((size_t)n, sizeof(*d));

	if (!d)
		die("calloc");
	for (long i = 0; i < n; i++) {
		uint64_t t0 = mono_ns();
		pid_t pid = fork();
		int status;

		if (pid < 0)
			die("fork");
		if (pid == 0) {
			execvp(argv[0], argv);
			_exit(127);
		}
		if (waitpid(pid, &status, 0) < 0)
			die("waitpid");
		d[i] = mono_ns() - t0;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "pid1-bench: %s failed\n", argv[0]);
			return 1;
		}
	}
	qsort(d, (size_t)n, sizeof(*d), cmp_u64);
	printf("%.1f\n", (double)d[n / 2] / 1e3);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "reap") == 0)
		return cmd_reap(parse_long(argv[2]));
	if (argc == 4 && strcmp(argv[1], "orphans") == 0)
		return cmd_orphans(parse_long(argv[2]), parse_long(argv[3]));
	if (argc == 3 && strcmp(argv[1], "sigchild") == 0)
		cmd_sigchild(argv[2]);
	if (argc == 5 && strcmp(argv[1], "sigsend") == 0)
		return cmd_sigsend((pid_t)parse_long(argv[2]), argv[3], parse_long(argv[4]));
	if (argc >= 4 && strcmp(argv[1], "time") == 0)
		return cmd_time(parse_long(argv[2]), argv + 3);
	fprintf(stderr, "usage: pid1-bench reap N | orphans N BATCH | sigchild FIFO | "
			"sigsend PID FIFO COUNT | time N CMD...\n");
	return 64;
}
