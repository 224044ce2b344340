/* sigconf: block and ignore the signals given, then exec a command; the
 * way tini's sigconf-test proves that the mask and the ignored set come
 * back to the grandchild exactly as its init was started with them.
 *   sigconf BLOCKED,... IGNORED,... -- COMMAND... */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void each(char *list, void (*fn)(int))
{
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
	sigemptyset(&blk);
	each(argv[1], do_block);
	each(argv[2], do_ignore);
	sigprocmask(SIG_SETMASK, &blk, NULL);
	execvp(argv[4], argv + 4);
	perror("exec");
	return 127;
}
