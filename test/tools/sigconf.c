/* sigconf: reset every signal to its default, block and ignore the
 * signals given ("-" for none), then exec a command; the way tini's
 * sigconf-test proves that the mask and the ignored set come back to the
 * grandchild exactly as its init was started with them. The reset makes
 * the result independent of what the test runner left ignored (a
 * background job starts with SIGINT and SIGQUIT ignored).
 *   sigconf BLOCKED,... IGNORED,... -- COMMAND... */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static void each(char *list, void (*fn)(int))
{
	if (strcmp(list, "-") == 0)
		return;
	for (char *t = strtok(list, ","); t; t = strtok(NULL, ","))
		fn(atoi(t));
}

static sigset_t blk;
static void do_block(int s) { sigaddset(&blk, s); }
static void do_ignore(int s) { signal(s, SIG_IGN); }

int main(int argc, char **argv)
{
	if (argc < 5 || strcmp(argv[3], "--") != 0) {
		fprintf(stderr, "usage: sigconf BLOCKED IGNORED -- COMMAND...\n");
		return 2;
	}
	for (int s = 1; s < NSIG; s++) {
		struct ksigaction { void (*h)(int); unsigned long f; void (*r)(void); unsigned long long m; } ka = { 0 };
		ka.h = SIG_DFL;
		syscall(SYS_rt_sigaction, s, &ka, NULL, sizeof(ka.m));
	}
	sigemptyset(&blk);
	each(argv[1], do_block);
	each(argv[2], do_ignore);
	sigprocmask(SIG_SETMASK, &blk, NULL);
	execvp(argv[4], argv + 4);
	perror("exec");
	return 127;
}
