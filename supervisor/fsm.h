/* fsm.h: the life of one service as a pure function.
 *
 * fsm_next() takes what the machine remembers (struct svc_fsm), one event
 * and the facts the caller measured for it (the configuration, the clock,
 * the kernel), and returns what it remembers next, whether the new state
 * is to be announced, and the effects the caller must carry out (signals,
 * timers, probes, fork). It forks, kills, reads no clock and logs nothing,
 * so that every state x event pair can be tested without a process;
 * service.c is its only caller and carries out the effects. */
#ifndef TEND_FSM_H
#define TEND_FSM_H

#include <errno.h>
#include <stdbool.h>

#include "conf/conf.h"

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
	SVC_DISABLED, /* (r2) enabled = no: started only by tendctl start */
	_SVC_STATE_MAX,
	_SVC_STATE_INVALID = -EINVAL,
};

const char *svc_state_name(enum svc_state s);

/* Who decided that the current run stops (STOPPING, and its end).
 * EXITED: nobody; the leader exited by itself and what is left of its
 * group is being stopped: the run ends as the leader's exit, by the
 * restart policy, once the group is empty. */
enum svc_stop { SVC_STOP_NONE, SVC_STOP_REQUEST, SVC_STOP_READY_TIMEOUT, SVC_STOP_HEALTH, SVC_STOP_EXITED };

/* Everything the machine remembers. The sub-states say which state they
 * belong to; a new start clears stop, stay, restart and leader_gone. */
struct svc_fsm {
	enum svc_state state;
	enum svc_stop stop;  /* STOPPING: who decided it (REQUEST also in STOPPED) */
	bool stay;           /* tendctl stop: stays down, tend does not end for it */
	bool restart;        /* STOPPING: tendctl restart, start again at the end */
	bool leader_gone;    /* STOPPING: the leader exited, its group lives on */
	bool held_back;      /* FAILED: a dependency failed (until a restart) */
	bool succeeded;      /* a oneshot exited well once: dependents may go */
	bool due;            /* EXITED, FAILED: `every` set the timer of its next run */
};

/* Where a service begins: enabled = no waits for tendctl start. */
struct svc_fsm fsm_initial(bool enabled);

enum fsm_event {
	FSM_START,       /* start request (tendctl, dependency met, backoff over) */
	FSM_SPAWNED,     /* the fork asked for by FSM_A_SPAWN succeeded */
	FSM_SPAWN_FAILED, /* ... failed in tend (fork, notify socket): like exit 126 */
	FSM_EXEC_DONE,   /* the status pipe says exec succeeded */
	FSM_EXEC_FAILED, /* the status pipe says exec failed (127/126): the exit decides */
	FSM_READY,       /* readiness passed: READY=1, or no `ready` check */
	FSM_PROBE_OK,    /* a ready or health probe passed */
	FSM_PROBE_FAILED,
	FSM_TIMER,       /* backoff over, stop timeout, ready timeout */
	FSM_STOP,        /* stop request (facts: stay, now) */
	FSM_RESTART,     /* tendctl restart */
	FSM_EXIT,        /* the leader ended (facts: group_alive, exit_ok...) */
	FSM_REAPED,      /* some orphan was reaped (facts: group_alive) */
	FSM_HOLD_BACK,   /* a dependency failed: this one never starts */
	_FSM_EVENT_MAX,
};

const char *fsm_event_name(enum fsm_event e);

/* What the caller measured; each event reads only the facts named. */
struct fsm_facts {
	bool may_start;           /* START, end with restart: not booting */
	bool oneshot;             /* EXEC_DONE, ends */
	enum conf_probe_kind ready; /* EXEC_DONE: how readiness is known */
	bool health;              /* PROBE_OK, READY: a health probe is set */
	unsigned failures;        /* PROBE_FAILED: health failures in a row so far */
	unsigned retries;         /* PROBE_FAILED: health_retries */
	bool stay, now;           /* STOP: tendctl stop; SIGKILL at once */
	bool stop_leader;         /* stops: stop_mode = main, stop_signal to the leader alone */
	bool every;               /* ends: a oneshot with `every`, run again after each start */
	bool group_alive;         /* EXIT, REAPED: the process group lives */
	/* Ends (EXIT, REAPED, SPAWN_FAILED): */
	bool exit_ok;             /* exited with a success code, the start did not fail */
	enum conf_restart policy;
	bool sup_stopping;        /* tend shuts down: no automatic restart */
	bool over_limit;          /* restart_limit reached within restart_window */
};

/* Effects, carried out by the caller in the order listed. */
enum fsm_action {
	FSM_A_TIMER_STOP = 1 << 0,   /* the service's timer */
	FSM_A_PROBES_STOP = 1 << 1,
	FSM_A_NEW_RUN = 1 << 2,      /* forget the last start's error, STATUS=, probe */
	FSM_A_STATUS_CLOSE = 1 << 3, /* the spawn status pipe */
	FSM_A_WATCH_STATUS = 1 << 4, /* watch the status pipe of the new child */
	/* 1 << 5: free (was an unasked SIGKILL to what a leader left) */
	FSM_A_KILL_NOW = 1 << 6,     /* SIGKILL the group, stop the timer */
	FSM_A_KILL_STOP = 1 << 7,    /* stop_signal to the group (+SIGCONT to the stopped), stop_timeout timer */
	FSM_A_KEEP_STATUS = 1 << 8,  /* remember the leader's status for the end */
	FSM_A_END = 1 << 9,          /* record the end of the run: status, times */
	FSM_A_BECAME_READY = 1 << 10, /* record when, log it, failures to 0 */
	FSM_A_COUNT_FAILURE = 1 << 11, /* one more health failure */
	FSM_A_RESET_FAILURES = 1 << 12,
	FSM_A_RESET_DELAY = 1 << 13, /* backoff starts over (tendctl restart) */
	FSM_A_BACKOFF = 1 << 14,     /* next delay, count the restart */
	/* After the announcement, only while the state is still `next`: */
	FSM_A_READY_PROBE = 1 << 15, /* run the ready probe now */
	FSM_A_READY_TIMER = 1 << 16, /* ready_timeout */
	FSM_A_READY_RETRY = 1 << 17, /* the ready probe again soon */
	FSM_A_HEALTH_NEXT = 1 << 18, /* the next health probe */
	FSM_A_BACKOFF_TIMER = 1 << 19, /* the backoff delay */
	FSM_A_SPAWN = 1 << 20,       /* fork/exec; FSM_SPAWNED or FSM_SPAWN_FAILED follows */
	/* Beside FSM_A_KILL_STOP, in its place: */
	FSM_A_KILL_STOP_LEADER = 1 << 21, /* stop_signal to the leader (+SIGCONT if stopped), stop_timeout timer */
	/* After the announcement, with the others above: */
	FSM_A_EVERY_TIMER = 1 << 22, /* `every` after the last start: the next run */
};

/* What the caller tells the log, one per step. */
enum fsm_note {
	FSM_N_NONE,
	FSM_N_STARTED,        /* "started (pid N)" */
	FSM_N_READY,          /* "ready after T" */
	FSM_N_HEALTH_FAILED,  /* one more failure, below health_retries */
	FSM_N_HEALTH_GAVE_UP, /* health_retries reached: stopping as a failure */
	FSM_N_READY_TIMEOUT,  /* not ready in time: stopping as a failure */
	FSM_N_STOP_TIMEOUT,   /* did not stop in time: SIGKILL */
	FSM_N_LEFT_GROUP,     /* the leader exited, its group lives on: stop_signal to it */
	FSM_N_STOPPED,        /* ended after a stop request */
	FSM_N_GAVE_UP,        /* restart_limit reached */
	FSM_N_ENDED,          /* ended, no restart, as expected */
	FSM_N_NOT_RESTARTING, /* failed, and the policy does not restart */
	FSM_N_RESTART_IN,     /* backoff */
};

struct fsm_step {
	bool valid;            /* false: the event cannot happen in this state */
	struct svc_fsm next;
	bool announce;         /* set the state (log it, tell the supervisor);
	                        * announcing STOPPING logs the stop signal sent */
	unsigned act;          /* enum fsm_action */
	enum fsm_note note;
	bool success;          /* ends: the run counts as a success (log level) */
	enum fsm_event then;   /* an event that follows at once, or _FSM_EVENT_MAX */
};

/* The transition. An invalid pair returns valid = false and changes
 * nothing: the caller ignores the event. */
struct fsm_step fsm_next(const struct svc_fsm *m, enum fsm_event ev, const struct fsm_facts *f);

/* A process of the current run may be alive. */
bool fsm_alive(enum svc_state s);
/* A wait status as a shell says it: the exit code, or 128+N for signal N. */
int fsm_wait_code(int status);

#endif
