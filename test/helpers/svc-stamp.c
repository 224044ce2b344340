/* svc-stamp: a service that does nothing but say when it ran, for the
 * supervisor's tests and benchmarks.
 *
 *   svc-stamp [FILE [CODE|pause]]
 *   svc-stamp now
 *
 * Appends one line "START END" to FILE (CLOCK_MONOTONIC, nanoseconds: the
 * time main() began and the time just before _exit), then exits with CODE
 * (default 0), or with `pause` stays until a signal ends it. When
 * $SVC_STAMP_FILE is set it is the FILE, whatever the arguments (for
 * supervisors that run ./run with arguments of their own). Without a FILE it only exits. `now` prints the monotonic
 * clock (for a script to compare with the stamps). It is linked statically where
 * possible and does nothing else, so that a restart measured with it is
 * the supervisor's time, not the dynamic loader's. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static unsigned long long mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	unsigned long long start = mono_ns();
	/* The environment first: s6-supervise runs ./run with the service
	 * directory as its argument. */
	const char *file = getenv("SVC_STAMP_FILE");
	bool stay = false;
	int code = 0;

	if (argc > 1 && strcmp(argv[1], "now") == 0) {
		printf("%llu\n", start);
		return 0;
	}
	if (!file || !*file)
		file = argc > 1 ? argv[1] : NULL;
	if (argc > 2 && strcmp(argv[2], "pause") == 0) {
		stay = true;
	} else if (argc > 2) {
		char *end;
		errno = 0;
		long v = strtol(argv[2], &end, 10);
		if (errno || end == argv[2] || *end || v < 0 || v > 255)
			return 2;
		code = (int)v;
	}
	if (file && *file) {
		/* One write of a whole line with O_APPEND: lines of concurrent
		 * runs never interleave. */
		int fd = open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (fd < 0)
			return 2;
		char line[64];
		int n = snprintf(line, sizeof(line), "%llu %llu\n", start, mono_ns());
		if (n <= 0 || write(fd, line, (size_t)n) != n)
			return 2;
		close(fd);
	}
	while (stay)
		pause();
	_exit(code);
}
