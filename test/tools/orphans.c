/* orphans N: make N orphans as fast as possible (each a double fork whose
 * middle process exits at once), then wait until the init above has reaped
 * every zombie that names us or it as parent. Prints the largest number of
 * zombies seen at once and exits 0 when none is left within 30 s. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int count_zombies(void)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int n = 0;
	while (d && (de = readdir(d))) {
		char path[300], buf[256];
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		size_t len = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[len] = 0;
		char *p = strrchr(buf, ')');
		if (p && p[2] == 'Z')
			n++;
	}
	if (d)
		closedir(d);
	return n;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000;
	int peak = 0;

	for (long i = 0; i < n; i++) {
		pid_t p = fork();
		if (p < 0) {
			perror("fork");
			return 2;
		}
		if (p == 0) {
			if (fork() == 0)
				_exit(0); /* the orphan: its parent is gone below */
			_exit(0);
		}
		waitpid(p, NULL, 0); /* reap our direct child; its child is the orphan */
		if (i % 5000 == 0) {
			int z = count_zombies();
			if (z > peak)
				peak = z;
		}
	}
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		int z = count_zombies();
		if (z > peak)
			peak = z;
		if (z == 0)
			break;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec > 30) {
			printf("zombies left: %d\n", z);
			return 1;
		}
		usleep(10000);
	}
	printf("orphans: %ld, peak zombies: %d, left: 0\n", n, peak);
	return 0;
}
