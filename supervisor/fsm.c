/* fsm.c: see fsm.h. The table, by event (W waiting, S starting, R running,
 * Y ready, G stopping, D stopped, E exited, B backoff, F failed; "-": the
 * event cannot happen there, fsm_next says so and changes nothing):
 *
 * (X: disabled, enabled = no; it counts as down.)
 *   START        W D E B F X: clear stop/stay/restart/leader_gone/due/held_back;
 *                booting: W, else fork (the state stays until SPAWNED).
 *                S R Y G: -
 *   SPAWNED      W D E B F X G: S (G: a restart's end forks from it). S R Y: -
 *   SPAWN_FAILED W D E B F X G: the end below, as exit 126. S R Y: -
 *   EXEC_DONE    S: R, then READY (no check), ready timer (notify), probe
 *                and ready timer; a oneshot waits for its exit. G: stays G
 *                (the stop goes on). others: -
 *   EXEC_FAILED  S G: the status pipe closes; the exit decides. others: -
 *   READY        R: Y (timer off, health probes begin). others: ignored
 *   PROBE_OK     R: then READY. Y: failures to 0. others: ignored
 *   PROBE_FAILED R: retry soon. Y: a failure; health_retries in a row:
 *                G (health). others: ignored
 *   TIMER        B: then START. R: G (ready timeout). G: SIGKILL. E F with
 *                `due` (every): then START (tend stopping: due cleared).
 *                others: -
 *   STOP         W B, E F with `due`: D (request). S R Y: G (request),
 *                SIGKILL when `now`. G: stay is added, SIGKILL when `now`;
 *                a G the leader's exit began becomes a request.
 *                D E F X: ignored
 *   RESTART      S R Y: G (request), restart. G: restart (a G the
 *                leader's exit began becomes a request). W X: ignored
 *                (X: only tendctl start starts it; a reload keeps it).
 *                D E B F: held_back and the delay cleared, then START
 *   EXIT         G with the group alive: leader_gone, status kept.
 *                S R Y with the group alive: the same, G (exited):
 *                stop_signal to the group, stop_timeout. S R Y G with
 *                the group dead: the end. others: -
 *   REAPED       G with leader_gone and the group dead: the end. else ignored
 *   HOLD_BACK    W: F, held_back. others: -
 * The end: a stop by request goes D, or forks again after a tendctl
 * restart; otherwise the restart policy (never while tend shuts down; a
 * oneshot that succeeded is done) picks B, or E/F by the run's success
 * (a run whose leader exited by itself is judged by that exit, also when
 * its group had to be stopped after it),
 * also when restart_limit is reached; an E or F of a oneshot with `every`
 * (not while tend shuts down) is `due`: its timer starts the next run.
 * Stops: stop_signal to the group, or to the leader alone (stop_mode =
 * main); the SIGKILL that follows always goes to the whole group. */
#include "config.h"

#include <sys/wait.h>

#include "supervisor/fsm.h"

static const char *const state_names[_SVC_STATE_MAX] = {
	[SVC_WAITING] = "waiting",   [SVC_STARTING] = "starting", [SVC_RUNNING] = "running",
	[SVC_READY] = "ready",       [SVC_STOPPING] = "stopping", [SVC_STOPPED] = "stopped",
	[SVC_EXITED] = "exited",     [SVC_BACKOFF] = "backoff",   [SVC_FAILED] = "failed",
	[SVC_DISABLED] = "disabled",
};

const char *svc_state_name(enum svc_state s)
{
	return s >= 0 && s < _SVC_STATE_MAX ? state_names[s] : "invalid";
}

static const char *const event_names[_FSM_EVENT_MAX] = {
	[FSM_START] = "start",         [FSM_SPAWNED] = "spawned",     [FSM_SPAWN_FAILED] = "spawn-failed",
	[FSM_EXEC_DONE] = "exec-done", [FSM_EXEC_FAILED] = "exec-failed", [FSM_READY] = "ready",
	[FSM_PROBE_OK] = "probe-ok",   [FSM_PROBE_FAILED] = "probe-failed", [FSM_TIMER] = "timer",
	[FSM_STOP] = "stop",           [FSM_RESTART] = "restart",     [FSM_EXIT] = "exit",
	[FSM_REAPED] = "reaped",       [FSM_HOLD_BACK] = "hold-back",
};

const char *fsm_event_name(enum fsm_event e)
{
	return e >= 0 && e < _FSM_EVENT_MAX ? event_names[e] : "invalid";
}

bool fsm_alive(enum svc_state s)
{
	return s == SVC_STARTING || s == SVC_RUNNING || s == SVC_READY || s == SVC_STOPPING;
}

int fsm_wait_code(int status)
{
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

struct svc_fsm fsm_initial(bool enabled)
{
	return (struct svc_fsm){ .state = enabled ? SVC_WAITING : SVC_DISABLED };
}

/* Down, or not started yet: where a start may come from. */
static bool down(enum svc_state s)
{
	return s == SVC_WAITING || s == SVC_STOPPED || s == SVC_EXITED || s == SVC_BACKOFF || s == SVC_FAILED ||
	       s == SVC_DISABLED;
}

static void go(struct fsm_step *r, enum svc_state st)
{
	r->next.state = st;
	r->announce = true;
}

/* A new run: what the last one decided is forgotten (succeeded is not
 * the run's: it says how the last one ended). A run that starts is not
 * held back any more, whoever started it (tendctl start of a service
 * whose dependency failed): its own end is judged by its own exit. */
static void start(struct fsm_step *r, const struct fsm_facts *f)
{
	r->next.stop = SVC_STOP_NONE;
	r->next.stay = r->next.restart = r->next.leader_gone = r->next.due = r->next.held_back = false;
	r->act |= FSM_A_TIMER_STOP | FSM_A_PROBES_STOP | FSM_A_NEW_RUN;
	if (f->may_start)
		r->act |= FSM_A_SPAWN;
	else
		go(r, SVC_WAITING); /* booting: it starts when its turn comes */
}

/* tend decided to stop the run (request, timeout, health). */
static void begin_stop(struct fsm_step *r, enum svc_stop why, bool now, const struct fsm_facts *f)
{
	r->next.stop = why;
	r->act |= FSM_A_PROBES_STOP;
	if (now)
		r->act |= FSM_A_KILL_NOW;
	else
		r->act |= f->stop_leader ? FSM_A_KILL_STOP_LEADER : FSM_A_KILL_STOP;
	go(r, SVC_STOPPING);
}

/* The run ended for good: with `every`, the next one is due. */
static void rest(struct fsm_step *r, const struct fsm_facts *f, enum svc_state st)
{
	if (f->every && !f->sup_stopping) {
		r->next.due = true;
		r->act |= FSM_A_EVERY_TIMER;
	}
	go(r, st);
}

static void end(struct fsm_step *r, const struct fsm_facts *f)
{
	enum svc_stop why = r->next.stop;
	bool restart;

	r->act |= FSM_A_PROBES_STOP | FSM_A_TIMER_STOP | FSM_A_END;
	if (why == SVC_STOP_REQUEST) {
		r->note = FSM_N_STOPPED;
		if (r->next.restart)
			start(r, f);
		else
			go(r, SVC_STOPPED);
		return;
	}
	r->success = (why == SVC_STOP_NONE || why == SVC_STOP_EXITED) && f->exit_ok;
	if (f->oneshot && r->success) {
		r->next.succeeded = true;
		restart = false;
	} else {
		restart = f->policy == CONF_RESTART_ALWAYS || (f->policy == CONF_RESTART_ON_FAILURE && !r->success);
	}
	if (f->sup_stopping)
		restart = false;
	if (restart && f->over_limit) {
		r->note = FSM_N_GAVE_UP;
		rest(r, f, r->success ? SVC_EXITED : SVC_FAILED);
	} else if (!restart) {
		r->note = r->success || f->policy == CONF_RESTART_NO ? FSM_N_ENDED : FSM_N_NOT_RESTARTING;
		rest(r, f, r->success ? SVC_EXITED : SVC_FAILED);
	} else {
		/* Even with no delay the start goes through the loop (a 0 s
		 * timer): a start that fails at once must not recurse. */
		r->note = FSM_N_RESTART_IN;
		r->act |= FSM_A_BACKOFF | FSM_A_BACKOFF_TIMER;
		go(r, SVC_BACKOFF);
	}
}

static void on_exec_done(struct fsm_step *r, const struct fsm_facts *f)
{
	r->act |= FSM_A_STATUS_CLOSE;
	r->note = FSM_N_STARTED;
	if (r->next.state == SVC_STOPPING)
		return; /* stopped before its exec: the stop goes on */
	go(r, SVC_RUNNING);
	if (f->oneshot)
		return; /* its exit is what counts */
	switch (f->ready) {
	case CONF_PROBE_NONE:
		r->then = FSM_READY;
		return;
	case CONF_PROBE_NOTIFY:
		break;
	default:
		r->act |= FSM_A_READY_PROBE;
		break;
	}
	r->act |= FSM_A_READY_TIMER;
}

static void on_ready(struct fsm_step *r, const struct fsm_facts *f)
{
	r->act |= FSM_A_TIMER_STOP | FSM_A_BECAME_READY;
	r->note = FSM_N_READY;
	if (f->health)
		r->act |= FSM_A_HEALTH_NEXT;
	go(r, SVC_READY);
}

static void on_probe_failed(struct fsm_step *r, const struct fsm_facts *f)
{
	if (r->next.state == SVC_RUNNING) {
		r->act |= FSM_A_READY_RETRY;
		return;
	}
	r->act |= FSM_A_COUNT_FAILURE;
	if (f->failures + 1 >= f->retries) {
		r->note = FSM_N_HEALTH_GAVE_UP;
		begin_stop(r, SVC_STOP_HEALTH, false, f);
		return;
	}
	r->note = FSM_N_HEALTH_FAILED;
	r->act |= FSM_A_HEALTH_NEXT;
}

static void on_stop(struct fsm_step *r, const struct fsm_facts *f)
{
	switch (r->next.state) {
	case SVC_EXITED: case SVC_FAILED:
		if (!r->next.due)
			return;
		r->next.due = false; /* the run that is due is called off */
		__attribute__((fallthrough));
	case SVC_WAITING: case SVC_BACKOFF:
		r->next.stop = SVC_STOP_REQUEST;
		r->next.stay = f->stay;
		r->act |= FSM_A_TIMER_STOP;
		go(r, SVC_STOPPED);
		return;
	case SVC_STARTING: case SVC_RUNNING: case SVC_READY:
		r->next.stay = f->stay;
		begin_stop(r, SVC_STOP_REQUEST, f->now, f);
		return;
	case SVC_STOPPING:
		/* The stop under way goes on, whoever decided it; one the
		 * leader's exit began ends as asked now (no restart). */
		if (r->next.stop == SVC_STOP_EXITED)
			r->next.stop = SVC_STOP_REQUEST;
		r->next.stay = r->next.stay || f->stay;
		if (f->now)
			r->act |= FSM_A_KILL_NOW;
		return;
	default:
		return;
	}
}

static void on_restart(struct fsm_step *r, const struct fsm_facts *f)
{
	switch (r->next.state) {
	case SVC_STARTING: case SVC_RUNNING: case SVC_READY:
		r->next.stay = false;
		r->next.restart = true;
		begin_stop(r, SVC_STOP_REQUEST, false, f);
		return;
	case SVC_STOPPING:
		if (r->next.stop == SVC_STOP_EXITED)
			r->next.stop = SVC_STOP_REQUEST; /* its end starts it again */
		r->next.restart = true;
		return;
	case SVC_WAITING:
		/* Not started yet: it starts when what it is `after` is ready
		 * and boot is done; a restart does not jump that queue. */
	case SVC_DISABLED:
		/* Only tendctl start starts it; a reload that changed it
		 * (which restarts) leaves it as it is. */
		return;
	default:
		r->next.held_back = false;
		r->act |= FSM_A_TIMER_STOP | FSM_A_RESET_DELAY;
		r->then = FSM_START;
		return;
	}
}

struct fsm_step fsm_next(const struct svc_fsm *m, enum fsm_event ev, const struct fsm_facts *f)
{
	struct fsm_step r = { .valid = true, .next = *m, .then = _FSM_EVENT_MAX };
	const struct fsm_step invalid = { .valid = false, .next = *m, .then = _FSM_EVENT_MAX };
	enum svc_state st = m->state;

	switch (ev) {
	case FSM_START:
		if (!down(st))
			return invalid;
		start(&r, f);
		return r;
	case FSM_SPAWNED:
		if (!down(st) && st != SVC_STOPPING)
			return invalid;
		r.act |= FSM_A_WATCH_STATUS;
		go(&r, SVC_STARTING);
		return r;
	case FSM_SPAWN_FAILED:
		if (!down(st) && st != SVC_STOPPING)
			return invalid;
		end(&r, f);
		return r;
	case FSM_EXEC_DONE:
		if (st != SVC_STARTING && st != SVC_STOPPING)
			return invalid;
		on_exec_done(&r, f);
		return r;
	case FSM_EXEC_FAILED:
		if (st != SVC_STARTING && st != SVC_STOPPING)
			return invalid;
		r.act |= FSM_A_STATUS_CLOSE;
		return r;
	case FSM_READY:
		if (st == SVC_RUNNING)
			on_ready(&r, f);
		return r;
	case FSM_PROBE_OK:
		if (st == SVC_RUNNING)
			r.then = FSM_READY;
		else if (st == SVC_READY)
			r.act |= FSM_A_RESET_FAILURES | FSM_A_HEALTH_NEXT;
		return r;
	case FSM_PROBE_FAILED:
		if (st == SVC_RUNNING || st == SVC_READY)
			on_probe_failed(&r, f);
		return r;
	case FSM_TIMER:
		if (st == SVC_BACKOFF) {
			r.then = FSM_START;
		} else if ((st == SVC_EXITED || st == SVC_FAILED) && m->due) {
			if (f->sup_stopping)
				r.next.due = false;
			else
				r.then = FSM_START;
		} else if (st == SVC_RUNNING) {
			r.note = FSM_N_READY_TIMEOUT;
			begin_stop(&r, SVC_STOP_READY_TIMEOUT, false, f);
		} else if (st == SVC_STOPPING) {
			r.note = FSM_N_STOP_TIMEOUT;
			r.act |= FSM_A_KILL_NOW;
		} else {
			return invalid;
		}
		return r;
	case FSM_STOP:
		on_stop(&r, f);
		return r;
	case FSM_RESTART:
		on_restart(&r, f);
		return r;
	case FSM_EXIT:
		if (!fsm_alive(st))
			return invalid;
		if (f->group_alive) {
			/* The leader is gone, its group lives on: the service ends
			 * with the group (or at stop_timeout's SIGKILL). */
			r.next.leader_gone = true;
			r.act |= FSM_A_KEEP_STATUS;
			if (st == SVC_STOPPING)
				return r;
			/* Unasked: what is left gets stop_signal first, as in any
			 * stop, since it may clean up (dumb-init sends SIGTERM
			 * too); to the group even with stop_mode = main, whose
			 * leader is gone. A restart waits for the group's end. */
			r.next.stop = SVC_STOP_EXITED;
			r.note = FSM_N_LEFT_GROUP;
			r.act |= FSM_A_PROBES_STOP | FSM_A_KILL_STOP;
			go(&r, SVC_STOPPING);
			return r;
		}
		end(&r, f);
		return r;
	case FSM_REAPED:
		if (st == SVC_STOPPING && m->leader_gone && !f->group_alive)
			end(&r, f);
		return r;
	case FSM_HOLD_BACK:
		if (st != SVC_WAITING)
			return invalid;
		r.next.held_back = true;
		go(&r, SVC_FAILED);
		return r;
	default:
		return invalid;
	}
}
