/* service.h: one supervised service and its state machine.
 *
 * The state is written in one place only, svc_set_state(), which logs the
 * change and tells the supervisor; every event (exec done, exit, probe,
 * timer, request) is handled by a function of service.c that decides the
 * next state from the current one. */
#ifndef TEND_SERVICE_H
#define TEND_SERVICE_H

#include <ev.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "conf/conf.h"

struct sup;
struct probe;
struct output;

enum svc_state {
	SVC_WAITING,  /* not started: waiting for what it is `after` */
	SVC_STARTING, /* forked, before exec */
	SVC_RUNNING,  /* started, `ready` not passed yet */
	SVC_READY,
	SVC_STOPPING,
	SVC_STOPPED,  /* stopped on request, stays down */
	SVC_EXITED,   /* ended, not to be restarted */
	SVC_BACKOFF,  /* waiting to restart */
	SVC_FAILED,   /* gave up, or held back by a failed dependency */
	_SVC_STATE_MAX,
	_SVC_STATE_INVALID = -EINVAL,
};

const char *svc_state_name(enum svc_state s);

struct svc {
	struct sup *sup;
	const struct conf_service *conf;  /* owned by the supervisor's conf */
	const enum svc_state state;       /* written by svc_set_state() only */
	pid_t pid;                        /* 0 when not running */
	int status_fd;                    /* spawn status pipe while STARTING */
	ev_io status_io;
	ev_timer timer;                   /* backoff, stop escalation, ready timeout */
	ev_timer probe_timer;             /* next probe attempt */
	struct probe *probe;
	unsigned probe_failures;          /* health failures in a row */
	char probe_state[96];             /* last probe result, for status */
	uint64_t start_ms, ready_ms, exit_ms; /* monotonic; 0: never */
	int64_t start_wall, exit_wall;    /* realtime seconds, for status */
	int last_status;                  /* wait status of the last run; -1: none */
	int start_error;                  /* 127/126 when the last start failed, else 0 */
	unsigned restarts;                /* automatic restarts so far */
	uint64_t delay_ms;                /* current backoff delay */
	uint64_t *restart_times;          /* ring of the last restart_limit restarts */
	unsigned n_restart_times;
	bool stop_requested;              /* tend decided to stop this run */
	int stop_why;                     /* why (service.c: request, ready timeout, health) */
	bool leader_gone;                 /* STOPPING: the leader exited, its group lives */
	bool stop_to_stay;                /* tendctl stop: stay down afterwards */
	bool restart_requested;           /* tendctl restart: start again at once */
	bool held_back;                   /* a dependency failed */
	bool ever_succeeded;              /* oneshot: exited 0 (dependents may go) */
	struct output *out;               /* stdout = tagged */
	char *notify_path;                /* its own NOTIFY_SOCKET, ready = notify */
	char status_text[128];            /* STATUS= from sd_notify */
};

int svc_new(struct sup *sup, const struct conf_service *conf, struct svc **ret);
struct svc *svc_free(struct svc *s);

void svc_set_state(struct svc *s, enum svc_state st);
/* Fork/exec now (from WAITING, BACKOFF, STOPPED, EXITED, FAILED); while
 * the supervisor does not allow starts (booting) it goes WAITING instead. */
void svc_start(struct svc *s);
/* Stop: stop_signal to the group, SIGKILL after stop_timeout (at once when
 * `now`). stay: tendctl stop (stays STOPPED). */
void svc_stop(struct svc *s, bool stay, bool now);
/* tendctl restart: stop as asked for, then start again at once; neither
 * a failure nor an automatic restart. A service that is down starts; one
 * still WAITING stays so (it starts when its turn comes). */
void svc_restart(struct svc *s);
/* The configuration of this service changed (reload): take the new one
 * (same name). A live service restarts with it; -ENOMEM leaves the old. */
int svc_replace_conf(struct svc *s, const struct conf_service *conf);
/* The child watcher saw this service's pid end. */
void svc_exited(struct svc *s, int status);
/* An orphan was reaped: a STOPPING service waiting for the rest of its
 * process group may now be done. */
void svc_group_check(struct svc *s);
/* sd_notify READY=1 (ready = notify) */
void svc_notify_ready(struct svc *s);
/* Send a signal to the service's process group. */
int svc_kill(struct svc *s, int sig);
/* True while a process of it may be alive or a start is due. */
bool svc_active(const struct svc *s);
/* Exit status for tend when this is the main service: code, or 128+N. */
int svc_exit_code(const struct svc *s);
/* "exited 1", "killed TERM" or "-" */
const char *svc_last_exit(const struct svc *s, char *buf, size_t len);

#endif
