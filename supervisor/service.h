/* service.h: one supervised service.
 *
 * Its state machine is supervisor/fsm.c, a pure function; service.c feeds
 * it every event (exec done, exit, probe, timer, request), carries out the
 * effects it returns and is the only writer of the machine's memory
 * (struct svc_fsm) and of the run's data below. Everyone else reads them
 * through the functions at the end. */
#ifndef TEND_SERVICE_H
#define TEND_SERVICE_H

#include <ev.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "conf/conf.h"
#include "supervisor/fsm.h"

struct sup;
struct probe;
struct output;

struct svc {
	struct sup *sup;
	const struct conf_service *conf;  /* owned by the supervisor's conf */
	const struct svc_fsm fsm;         /* written by service.c only: svc_state() */
	pid_t pid;                        /* 0 when not running */
	int status_fd;                    /* spawn status pipe while STARTING */
	ev_io status_io;
	ev_timer timer;                   /* backoff, stop escalation, ready timeout */
	ev_timer probe_timer;             /* next probe attempt */
	ev_timer group_poll;              /* after a SIGKILL: is the group gone? */
	pid_t group_member;               /* a live member group_lives() saw last */
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
	struct output *out;               /* stdout = tagged */
	char *notify_path;                /* its own NOTIFY_SOCKET, ready = notify */
	char status_text[128];            /* STATUS= from sd_notify */
};

int svc_new(struct sup *sup, const struct conf_service *conf, struct svc **ret);
struct svc *svc_free(struct svc *s);

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
/* sd_notify STATUS=: untrusted bytes, kept as valid UTF-8. */
void svc_notify_status(struct svc *s, const char *value);
/* The supervisor: something this WAITING service is `after` failed or
 * ended; it goes FAILED and never starts (until a restart). */
void svc_hold_back(struct svc *s);
/* Send a signal to the service's process group. */
int svc_kill(struct svc *s, int sig);
/* A signal forwarded to the service (single-command mode): to its leader,
 * or, once the leader is gone and its group lives on (being given
 * stop_timeout), to that group. -ESRCH when there is neither. */
int svc_forward(struct svc *s, int sig);

/* ---- reading ---- */
enum svc_state svc_state(const struct svc *s);
/* A process of the current run may be alive (starting to stopping). */
bool svc_alive(const struct svc *s);
/* True while a process of it may be alive or a start is due. */
bool svc_active(const struct svc *s);
/* Ready, or a oneshot that ended well: what is `after` it may start. */
bool svc_ready_or_done(const struct svc *s);
bool svc_held_back(const struct svc *s);
/* (r2) EXITED or FAILED with `every`: the timer of its next run is set. */
bool svc_due(const struct svc *s);
/* Stopped (or being stopped) by tendctl stop: it stays down. */
bool svc_stays_down(const struct svc *s);
/* The pid whose end is this service's exit event; 0 when none (down, or
 * its leader ended and the rest of its group is awaited). */
pid_t svc_leader(const struct svc *s);
/* Exit status for tend when this is the main service: code, or 128+N. */
int svc_exit_code(const struct svc *s);
/* The last run's exit code, or 128+N; -1 before the first end. */
int svc_last_exit_code(const struct svc *s);
/* "exited 1", "killed TERM" or "-" */
const char *svc_last_exit(const struct svc *s, char *buf, size_t len);

#endif
