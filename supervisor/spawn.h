/* spawn.h: fork and exec one service with everything its configuration
 * asks for (session, environment, user, capabilities, limits, output).
 *
 * Everything that can fail on the machine (the user, env_file, directory,
 * the program) is done in the child after fork, and a failure comes back
 * through a close-on-exec pipe as a struct spawn_error; EOF on that pipe
 * means exec succeeded. tend never blocks on it: the caller watches the fd
 * on its loop.
 *
 * The files a service is given (stdout, stderr, env_file) are opened by
 * tend only where the service cannot change where their path leads, and
 * otherwise after the privilege drop with the service's own rights
 * (common/safeopen.h): a service never gets a file it could not open. */
#ifndef TEND_SPAWN_H
#define TEND_SPAWN_H

#include <stdbool.h>
#include <sys/types.h>

#include "conf/conf.h"

struct spawn_params {
	const struct conf_service *conf;
	const char *notify_socket; /* NOTIFY_SOCKET for ready = notify, or NULL */
	bool foreground;           /* single-command mode: process group of its own,
				      the terminal's foreground group, inherited
				      signal mask and stdin */
	int stdout_fd;             /* relayed by tend (tagged, a rotated FILE): write end
				      of tend's pipe; else -1 */
	int stderr_fd;             /* the same for stderr; else -1 */
	const char *refuse;        /* tend found why it cannot start: the child
				      fails at once with this (126), as a start
				      that failed on the machine */
};

struct spawn_error {
	int err;        /* errno of the failed step */
	int exit_code;  /* 127: not found, 126: any other start failure */
	char msg[480];  /* "user 'app' not found in /etc/passwd" */
};

/* tend's working directory (tend(8), "WORKING DIRECTORY"): where a service
 * without `directory`, and its exec: probes, run. Set once at start, before
 * any spawn; dir must stay valid. Until then: "/". */
void spawn_set_workdir(const char *dir);

/* In a child of tend's other than the service itself (an exec: probe):
 * take the service's user, groups and capabilities, and its directory, as
 * spawn_service() gives them; _exit(126) when that fails. */
void spawn_identity(const struct conf_service *c);

/* Returns 0 with the child's pid and the read end of its status pipe. */
int spawn_service(const struct spawn_params *p, pid_t *ret_pid, int *ret_status_fd);

/* Read the status pipe: 0 when exec happened (EOF), 1 with *ret filled when
 * the start failed, -EAGAIN when nothing is there yet. */
int spawn_read_status(int fd, struct spawn_error *ret);

#endif
