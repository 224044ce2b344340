/* test_service_fsm.c: the service state machine (supervisor/fsm.c) driven
 * through events without a process: every state x event pair (the table),
 * then each fact that changes an answer, then whole lives. */
#include "config.h"

#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "supervisor/fsm.h"

#define NONE _FSM_EVENT_MAX
#define SAME (-1)  /* valid, the state stays and is not announced */
#define BAD (-2)   /* the event cannot happen in this state */
#define W SVC_WAITING
#define S SVC_STARTING
#define R SVC_RUNNING
#define Y SVC_READY
#define G SVC_STOPPING
#define D SVC_STOPPED
#define E SVC_EXITED
#define B SVC_BACKOFF
#define F SVC_FAILED
#define DIS SVC_DISABLED

/* Plain facts: may start, restart = on-failure, a failed run, no ready or
 * health check, no group left. */
static struct fsm_facts facts(void)
{
	return (struct fsm_facts){ .may_start = true, .ready = CONF_PROBE_NONE, .retries = 3,
				   .policy = CONF_RESTART_ON_FAILURE };
}

/* The machine as it is in each state; STOPPING stops on a request. */
static struct svc_fsm in(enum svc_state st)
{
	return (struct svc_fsm){ .state = st, .stop = st == G ? SVC_STOP_REQUEST : SVC_STOP_NONE };
}

struct cell {
	int next;             /* a state, SAME or BAD */
	enum fsm_event then;
	unsigned must;        /* actions that must be asked for */
};

/* Rows: states; columns: START SPAWNED SPAWN_FAILED EXEC_DONE EXEC_FAILED
 * READY PROBE_OK PROBE_FAILED TIMER STOP RESTART EXIT REAPED HOLD_BACK. */
#define X { BAD, NONE, 0 }
#define K { SAME, NONE, 0 }
#define SPAWN { SAME, NONE, FSM_A_SPAWN }
#define TO(st) { st, NONE, 0 }
static const struct cell table[_SVC_STATE_MAX][_FSM_EVENT_MAX] = {
	[W] = { SPAWN, { S, NONE, FSM_A_WATCH_STATUS }, { B, NONE, FSM_A_END | FSM_A_BACKOFF }, X, X,
		K, K, K, X, { D, NONE, FSM_A_TIMER_STOP }, K, X, K, TO(F) },
	[S] = { X, X, X, { R, FSM_READY, FSM_A_STATUS_CLOSE }, { SAME, NONE, FSM_A_STATUS_CLOSE },
		K, K, K, X, { G, NONE, FSM_A_KILL_STOP }, { G, NONE, FSM_A_KILL_STOP },
		{ B, NONE, FSM_A_END | FSM_A_BACKOFF_TIMER }, K, X },
	[R] = { X, X, X, X, X, { Y, NONE, FSM_A_TIMER_STOP | FSM_A_BECAME_READY }, { SAME, FSM_READY, 0 },
		{ SAME, NONE, FSM_A_READY_RETRY }, { G, NONE, FSM_A_KILL_STOP }, { G, NONE, FSM_A_KILL_STOP },
		{ G, NONE, FSM_A_KILL_STOP }, { B, NONE, FSM_A_END }, K, X },
	[Y] = { X, X, X, X, X, K, { SAME, NONE, FSM_A_RESET_FAILURES },
		{ SAME, NONE, FSM_A_COUNT_FAILURE | FSM_A_HEALTH_NEXT }, X, { G, NONE, FSM_A_KILL_STOP },
		{ G, NONE, FSM_A_KILL_STOP }, { B, NONE, FSM_A_END }, K, X },
	[G] = { X, { S, NONE, FSM_A_WATCH_STATUS }, { D, NONE, FSM_A_END }, { SAME, NONE, FSM_A_STATUS_CLOSE },
		{ SAME, NONE, FSM_A_STATUS_CLOSE }, K, K, K, { SAME, NONE, FSM_A_KILL_NOW }, K, K,
		{ D, NONE, FSM_A_END }, K, X },
	[D] = { SPAWN, TO(S), TO(B), X, X, K, K, K, X, K, { SAME, FSM_START, FSM_A_RESET_DELAY }, X, K, X },
	[E] = { SPAWN, TO(S), TO(B), X, X, K, K, K, X, K, { SAME, FSM_START, FSM_A_RESET_DELAY }, X, K, X },
	[B] = { SPAWN, TO(S), TO(B), X, X, K, K, K, { SAME, FSM_START, 0 }, { D, NONE, FSM_A_TIMER_STOP },
		{ SAME, FSM_START, FSM_A_RESET_DELAY }, X, K, X },
	[F] = { SPAWN, TO(S), TO(B), X, X, K, K, K, X, K, { SAME, FSM_START, FSM_A_RESET_DELAY }, X, K, X },
	/* enabled = no: down, started by a start only; restart (and so a
	 * reload that changed it) leaves it as it is. */
	[DIS] = { SPAWN, TO(S), TO(B), X, X, K, K, K, X, K, K, X, K, X },
};

START_TEST(test_table)
{
	struct fsm_facts f = facts();
	for (int st = 0; st < _SVC_STATE_MAX; st++)
		for (int ev = 0; ev < _FSM_EVENT_MAX; ev++) {
			const struct cell *c = &table[st][ev];
			struct svc_fsm m = in(st);
			struct fsm_step r = fsm_next(&m, ev, &f);
			char at[64];
			snprintf(at, sizeof(at), "%s x %s", svc_state_name(st), fsm_event_name(ev));
			if (c->next == BAD) {
				ck_assert_msg(!r.valid, "%s: should be refused", at);
				ck_assert_msg(memcmp(&r.next, &m, sizeof(m)) == 0 && r.act == 0 && !r.announce &&
						      r.then == NONE,
					      "%s: refused but changed something", at);
				continue;
			}
			ck_assert_msg(r.valid, "%s: refused", at);
			if (c->next == SAME) {
				ck_assert_msg(!r.announce && r.next.state == (enum svc_state)st, "%s: moved to %s", at,
					      svc_state_name(r.next.state));
			} else {
				ck_assert_msg(r.announce && r.next.state == (enum svc_state)c->next, "%s: %s, not %s", at,
					      svc_state_name(r.next.state), svc_state_name(c->next));
			}
			ck_assert_msg(r.then == c->then, "%s: then %s, not %s", at, fsm_event_name(r.then),
				      fsm_event_name(c->then));
			ck_assert_msg((r.act & c->must) == c->must, "%s: actions %#x lack %#x", at, r.act, c->must);
			/* A fork is asked for by a start only (or a restart's end). */
			ck_assert_msg(!(r.act & FSM_A_SPAWN) || ev == FSM_START, "%s: forks", at);
		}
}
END_TEST

static struct fsm_step step(enum svc_state st, enum fsm_event ev, const struct fsm_facts *f)
{
	struct svc_fsm m = in(st);
	return fsm_next(&m, ev, f);
}

START_TEST(test_start)
{
	struct fsm_facts f = facts();
	struct svc_fsm m = { .state = D, .stop = SVC_STOP_REQUEST, .stay = true, .restart = true,
			     .held_back = true, .succeeded = true };
	struct fsm_step r = fsm_next(&m, FSM_START, &f);
	/* The run's sub-states are forgotten, and it is not held back any
	 * more; succeeded is the last run's. */
	ck_assert(r.valid && !r.announce && r.next.state == D);
	ck_assert(r.next.stop == SVC_STOP_NONE && !r.next.stay && !r.next.restart && !r.next.leader_gone);
	ck_assert(!r.next.held_back && r.next.succeeded);
	ck_assert_uint_eq(r.act, FSM_A_TIMER_STOP | FSM_A_PROBES_STOP | FSM_A_NEW_RUN | FSM_A_SPAWN);

	/* Booting: whoever asks, it waits. */
	f.may_start = false;
	for (enum svc_state st = W; st < _SVC_STATE_MAX; st++) {
		if (fsm_alive(st))
			continue;
		r = step(st, FSM_START, &f);
		ck_assert(r.valid && r.announce && r.next.state == W && !(r.act & FSM_A_SPAWN));
	}
}
END_TEST

START_TEST(test_exec_done)
{
	struct fsm_facts f = facts();
	struct fsm_step r = step(S, FSM_EXEC_DONE, &f);
	ck_assert(r.next.state == R && r.then == FSM_READY && r.note == FSM_N_STARTED);
	ck_assert(!(r.act & (FSM_A_READY_TIMER | FSM_A_READY_PROBE)));

	f.ready = CONF_PROBE_NOTIFY;
	r = step(S, FSM_EXEC_DONE, &f);
	ck_assert(r.next.state == R && r.then == NONE);
	ck_assert((r.act & FSM_A_READY_TIMER) && !(r.act & FSM_A_READY_PROBE));

	f.ready = CONF_PROBE_TCP;
	r = step(S, FSM_EXEC_DONE, &f);
	ck_assert(r.then == NONE && (r.act & FSM_A_READY_TIMER) && (r.act & FSM_A_READY_PROBE));

	/* A oneshot: its exit is what counts, no readiness at all. */
	f.oneshot = true;
	r = step(S, FSM_EXEC_DONE, &f);
	ck_assert(r.next.state == R && r.then == NONE);
	ck_assert(!(r.act & (FSM_A_READY_TIMER | FSM_A_READY_PROBE)));

	/* Stopped before its exec: the stop goes on (it used to become
	 * RUNNING, then READY, with the stop's SIGKILL timer cancelled). */
	r = step(G, FSM_EXEC_DONE, &f);
	ck_assert(r.valid && !r.announce && r.next.state == G);
	ck_assert_uint_eq(r.act, FSM_A_STATUS_CLOSE);
}
END_TEST

START_TEST(test_ready_and_health)
{
	struct fsm_facts f = facts();
	struct fsm_step r = step(R, FSM_READY, &f);
	ck_assert(r.next.state == Y && r.note == FSM_N_READY && !(r.act & FSM_A_HEALTH_NEXT));
	f.health = true;
	r = step(R, FSM_READY, &f);
	ck_assert(r.next.state == Y && (r.act & FSM_A_HEALTH_NEXT));

	/* A ready probe that passes is readiness; one that fails is retried
	 * and is no failure. */
	r = step(R, FSM_PROBE_OK, &f);
	ck_assert(!r.announce && r.then == FSM_READY);
	r = step(R, FSM_PROBE_FAILED, &f);
	ck_assert(!r.announce && r.act == FSM_A_READY_RETRY && r.note == FSM_N_NONE);

	/* Health: failures below health_retries are counted; the last one
	 * stops the service as a failure. */
	f.retries = 3;
	f.failures = 1;
	r = step(Y, FSM_PROBE_FAILED, &f);
	ck_assert(!r.announce && r.note == FSM_N_HEALTH_FAILED);
	ck_assert_uint_eq(r.act, FSM_A_COUNT_FAILURE | FSM_A_HEALTH_NEXT);
	f.failures = 2;
	r = step(Y, FSM_PROBE_FAILED, &f);
	ck_assert(r.announce && r.next.state == G && r.next.stop == SVC_STOP_HEALTH && r.note == FSM_N_HEALTH_GAVE_UP);
	ck_assert((r.act & FSM_A_COUNT_FAILURE) && (r.act & FSM_A_KILL_STOP) && !(r.act & FSM_A_HEALTH_NEXT));
	f.retries = 1;
	f.failures = 0;
	r = step(Y, FSM_PROBE_FAILED, &f);
	ck_assert(r.next.state == G && r.next.stop == SVC_STOP_HEALTH);

	r = step(Y, FSM_PROBE_OK, &f);
	ck_assert_uint_eq(r.act, FSM_A_RESET_FAILURES | FSM_A_HEALTH_NEXT);
}
END_TEST

START_TEST(test_timer)
{
	struct fsm_facts f = facts();
	struct fsm_step r = step(R, FSM_TIMER, &f);
	ck_assert(r.next.state == G && r.next.stop == SVC_STOP_READY_TIMEOUT && r.note == FSM_N_READY_TIMEOUT);
	ck_assert((r.act & FSM_A_KILL_STOP) && (r.act & FSM_A_PROBES_STOP));
	r = step(G, FSM_TIMER, &f);
	ck_assert(!r.announce && r.note == FSM_N_STOP_TIMEOUT && r.act == FSM_A_KILL_NOW);
	r = step(B, FSM_TIMER, &f);
	ck_assert(!r.announce && r.then == FSM_START && r.act == 0);
}
END_TEST

START_TEST(test_stop)
{
	struct fsm_facts f = facts();
	f.stay = true;
	for (enum svc_state st = S; st <= Y; st++) {
		struct fsm_step r = step(st, FSM_STOP, &f);
		ck_assert(r.next.state == G && r.next.stop == SVC_STOP_REQUEST && r.next.stay);
		ck_assert((r.act & FSM_A_KILL_STOP) && !(r.act & FSM_A_KILL_NOW));
	}
	f.now = true;
	struct fsm_step r = step(R, FSM_STOP, &f);
	ck_assert((r.act & FSM_A_KILL_NOW) && !(r.act & FSM_A_KILL_STOP));

	/* Waiting or in backoff: stopped at once, nothing to signal. */
	r = step(B, FSM_STOP, &f);
	ck_assert(r.next.state == D && r.next.stop == SVC_STOP_REQUEST && r.next.stay && r.act == FSM_A_TIMER_STOP);

	/* Stopping already: a stay is added (never taken back), now kills. */
	struct svc_fsm m = { .state = G, .stop = SVC_STOP_HEALTH };
	r = fsm_next(&m, FSM_STOP, &f);
	ck_assert(!r.announce && r.next.stay && r.next.stop == SVC_STOP_HEALTH && r.act == FSM_A_KILL_NOW);
	m.stay = true;
	f.stay = f.now = false;
	r = fsm_next(&m, FSM_STOP, &f);
	ck_assert(r.next.stay && r.act == 0);

	for (enum svc_state st = D; st <= F; st++) {
		if (st == B)
			continue;
		r = step(st, FSM_STOP, &f);
		ck_assert(r.valid && !r.announce && r.act == 0);
	}
}
END_TEST

START_TEST(test_restart)
{
	struct fsm_facts f = facts();
	struct svc_fsm m = { .state = R, .stay = true };
	struct fsm_step r = fsm_next(&m, FSM_RESTART, &f);
	ck_assert(r.next.state == G && r.next.restart && !r.next.stay && r.next.stop == SVC_STOP_REQUEST);

	/* The stop's end starts it again, without a STOPPED in between. */
	m = r.next;
	r = fsm_next(&m, FSM_EXIT, &f);
	ck_assert(!r.announce && r.note == FSM_N_STOPPED && (r.act & FSM_A_END) && (r.act & FSM_A_SPAWN));
	ck_assert(r.next.stop == SVC_STOP_NONE && !r.next.restart);
	/* ... or, while booting, waits. */
	f.may_start = false;
	r = fsm_next(&m, FSM_EXIT, &f);
	ck_assert(r.announce && r.next.state == W && !(r.act & FSM_A_SPAWN));

	/* A restart asked for while a health stop is under way: the flag is
	 * set, but the stop is still the failure it was (restart policy). */
	f.may_start = true;
	m = (struct svc_fsm){ .state = G, .stop = SVC_STOP_HEALTH };
	r = fsm_next(&m, FSM_RESTART, &f);
	ck_assert(!r.announce && r.next.restart && r.act == 0);
	m = r.next;
	r = fsm_next(&m, FSM_EXIT, &f);
	ck_assert(r.next.state == B && r.note == FSM_N_RESTART_IN);

	/* Down: held_back and the backoff delay are cleared, then a start. */
	m = (struct svc_fsm){ .state = F, .held_back = true };
	r = fsm_next(&m, FSM_RESTART, &f);
	ck_assert(!r.next.held_back && r.then == FSM_START && (r.act & FSM_A_RESET_DELAY));
	/* Waiting: a restart does not jump the queue. */
	r = step(W, FSM_RESTART, &f);
	ck_assert(r.valid && !r.announce && r.act == 0 && r.then == NONE);
}
END_TEST

START_TEST(test_exit_and_group)
{
	struct fsm_facts f = facts();
	f.group_alive = true;
	/* Stopping, the leader gone, its group alive: wait for the group. */
	struct fsm_step r = step(G, FSM_EXIT, &f);
	ck_assert(!r.announce && r.next.leader_gone && r.act == FSM_A_KEEP_STATUS);
	struct svc_fsm m = r.next;
	r = fsm_next(&m, FSM_REAPED, &f);
	ck_assert(r.valid && !r.announce && r.act == 0);
	f.group_alive = false;
	r = fsm_next(&m, FSM_REAPED, &f);
	ck_assert(r.announce && r.next.state == D && (r.act & FSM_A_END));
	/* REAPED concerns only a stopping service whose leader is gone. */
	for (enum svc_state st = W; st < _SVC_STATE_MAX; st++) {
		r = step(st, FSM_REAPED, &f);
		ck_assert(r.valid && !r.announce && r.act == 0);
	}

	/* Not stopping: the leader exited by itself and its group lives on.
	 * What is left gets stop_signal (it may clean up), not SIGKILL, and
	 * the run ends with the group (issue #13). */
	f.group_alive = true;
	for (enum svc_state st = S; st <= Y; st++) {
		r = step(st, FSM_EXIT, &f);
		ck_assert_msg(r.announce && r.next.state == G && r.next.leader_gone, "%s", svc_state_name(st));
		ck_assert_uint_eq(r.act, FSM_A_PROBES_STOP | FSM_A_KEEP_STATUS | FSM_A_KILL_STOP);
		ck_assert(r.next.stop == SVC_STOP_EXITED && r.note == FSM_N_LEFT_GROUP);
	}
	/* stop_mode = main: the leader is gone, the group gets the signal. */
	f.stop_leader = true;
	ck_assert_uint_eq(step(R, FSM_EXIT, &f).act, FSM_A_PROBES_STOP | FSM_A_KEEP_STATUS | FSM_A_KILL_STOP);
	f.stop_leader = false;
	m = step(Y, FSM_EXIT, &f).next;
	/* The group lives on: nothing yet; stop_timeout: SIGKILL. */
	r = fsm_next(&m, FSM_REAPED, &f);
	ck_assert(r.valid && !r.announce && r.act == 0);
	r = fsm_next(&m, FSM_TIMER, &f);
	ck_assert(!r.announce && r.note == FSM_N_STOP_TIMEOUT && r.act == FSM_A_KILL_NOW);
	/* The group gone: the end is the leader's exit, by the policy. */
	f.group_alive = false;
	r = fsm_next(&m, FSM_REAPED, &f);
	ck_assert(r.announce && r.next.state == B && r.note == FSM_N_RESTART_IN && !r.success);
	ck_assert((r.act & FSM_A_END) && (r.act & FSM_A_BACKOFF_TIMER) && !(r.act & FSM_A_SPAWN));
	f.exit_ok = true;
	r = fsm_next(&m, FSM_REAPED, &f);
	ck_assert(r.next.state == E && r.note == FSM_N_ENDED && r.success);
	f.sup_stopping = true; /* tend shuts down: no restart */
	f.policy = CONF_RESTART_ALWAYS;
	f.exit_ok = false;
	r = fsm_next(&m, FSM_REAPED, &f);
	ck_assert(r.next.state == F && !(r.act & FSM_A_BACKOFF));
	f.sup_stopping = false;
	/* A stop asked meanwhile: the stop goes on, it ends as asked;
	 * `now` (tend's second SIGTERM) kills at once. */
	f.stay = f.now = true;
	r = fsm_next(&m, FSM_STOP, &f);
	ck_assert(!r.announce && r.next.stop == SVC_STOP_REQUEST && r.next.stay && r.act == FSM_A_KILL_NOW);
	struct svc_fsm m2 = r.next;
	r = fsm_next(&m2, FSM_REAPED, &f);
	ck_assert(r.next.state == D && r.note == FSM_N_STOPPED);
	/* tendctl restart meanwhile: it starts again once the group is gone. */
	f.stay = f.now = false;
	r = fsm_next(&m, FSM_RESTART, &f);
	ck_assert(!r.announce && r.next.restart && r.next.stop == SVC_STOP_REQUEST && r.act == 0);
	m2 = r.next;
	r = fsm_next(&m2, FSM_REAPED, &f);
	ck_assert(r.note == FSM_N_STOPPED && (r.act & FSM_A_SPAWN) && !r.next.leader_gone);
}
END_TEST

/* The end of a run, by the restart policy and the facts. */
struct end_case {
	enum svc_stop stop;
	enum conf_restart policy;
	bool ok, oneshot, sup_stopping, over_limit;
	enum svc_state want;
	enum fsm_note note;
	bool success;
};

START_TEST(test_end)
{
	static const struct end_case cases[] = {
		{ SVC_STOP_NONE, CONF_RESTART_NO, true, false, false, false, E, FSM_N_ENDED, true },
		{ SVC_STOP_NONE, CONF_RESTART_NO, false, false, false, false, F, FSM_N_ENDED, false },
		{ SVC_STOP_NONE, CONF_RESTART_ON_FAILURE, true, false, false, false, E, FSM_N_ENDED, true },
		{ SVC_STOP_NONE, CONF_RESTART_ON_FAILURE, false, false, false, false, B, FSM_N_RESTART_IN, false },
		{ SVC_STOP_NONE, CONF_RESTART_ALWAYS, true, false, false, false, B, FSM_N_RESTART_IN, true },
		{ SVC_STOP_NONE, CONF_RESTART_ALWAYS, false, false, false, false, B, FSM_N_RESTART_IN, false },
		/* a oneshot that succeeded is done, whatever the policy */
		{ SVC_STOP_NONE, CONF_RESTART_ALWAYS, true, true, false, false, E, FSM_N_ENDED, true },
		{ SVC_STOP_NONE, CONF_RESTART_ALWAYS, false, true, false, false, B, FSM_N_RESTART_IN, false },
		/* tend shutting down: no restart */
		{ SVC_STOP_NONE, CONF_RESTART_ALWAYS, true, false, true, false, E, FSM_N_ENDED, true },
		{ SVC_STOP_NONE, CONF_RESTART_ON_FAILURE, false, false, true, false, F, FSM_N_NOT_RESTARTING, false },
		/* restart_limit: the last run names the end */
		{ SVC_STOP_NONE, CONF_RESTART_ALWAYS, true, false, false, true, E, FSM_N_GAVE_UP, true },
		{ SVC_STOP_NONE, CONF_RESTART_ON_FAILURE, false, false, false, true, F, FSM_N_GAVE_UP, false },
		/* the limit counts only when a restart was due */
		{ SVC_STOP_NONE, CONF_RESTART_NO, false, false, false, true, F, FSM_N_ENDED, false },
		/* stopped by tend as a failure: never a success */
		{ SVC_STOP_HEALTH, CONF_RESTART_ON_FAILURE, true, false, false, false, B, FSM_N_RESTART_IN, false },
		{ SVC_STOP_READY_TIMEOUT, CONF_RESTART_NO, true, false, false, false, F, FSM_N_ENDED, false },
		{ SVC_STOP_HEALTH, CONF_RESTART_ALWAYS, true, true, false, false, B, FSM_N_RESTART_IN, false },
		/* the leader exited by itself, its group was stopped after it:
		 * judged by the leader's exit */
		{ SVC_STOP_EXITED, CONF_RESTART_ON_FAILURE, true, false, false, false, E, FSM_N_ENDED, true },
		{ SVC_STOP_EXITED, CONF_RESTART_ON_FAILURE, false, false, false, false, B, FSM_N_RESTART_IN, false },
		{ SVC_STOP_EXITED, CONF_RESTART_ALWAYS, true, false, true, false, E, FSM_N_ENDED, true },
		/* a stop by request ends STOPPED, whatever the exit */
		{ SVC_STOP_REQUEST, CONF_RESTART_ALWAYS, false, false, false, true, D, FSM_N_STOPPED, false },
		{ SVC_STOP_REQUEST, CONF_RESTART_NO, true, true, false, false, D, FSM_N_STOPPED, false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct end_case *c = &cases[i];
		struct fsm_facts f = facts();
		f.policy = c->policy;
		f.exit_ok = c->ok;
		f.oneshot = c->oneshot;
		f.sup_stopping = c->sup_stopping;
		f.over_limit = c->over_limit;
		struct svc_fsm m = { .state = c->stop == SVC_STOP_NONE ? R : G, .stop = c->stop };
		struct fsm_step r = fsm_next(&m, FSM_EXIT, &f);
		ck_assert_msg(r.announce && r.next.state == c->want && r.note == c->note && r.success == c->success,
			      "case %zu: %s note %d success %d", i, svc_state_name(r.next.state), r.note, r.success);
		ck_assert_msg(r.next.succeeded == (c->oneshot && c->ok && c->stop == SVC_STOP_NONE), "case %zu", i);
		ck_assert_msg(!!(r.act & FSM_A_BACKOFF) == (c->want == B), "case %zu", i);
		ck_assert_msg(!!(r.act & FSM_A_BACKOFF_TIMER) == (c->want == B), "case %zu", i);
		ck_assert_msg((r.act & (FSM_A_END | FSM_A_PROBES_STOP | FSM_A_TIMER_STOP)) ==
				      (FSM_A_END | FSM_A_PROBES_STOP | FSM_A_TIMER_STOP),
			      "case %zu", i);
		/* A failed start (fork, notify socket) ends the same way. */
		m.state = B;
		struct fsm_step r2 = fsm_next(&m, FSM_SPAWN_FAILED, &f);
		ck_assert_msg(r2.next.state == r.next.state && r2.note == r.note, "case %zu (spawn)", i);
	}
}
END_TEST

START_TEST(test_hold_back)
{
	struct fsm_facts f = facts();
	struct fsm_step r = step(W, FSM_HOLD_BACK, &f);
	ck_assert(r.announce && r.next.state == F && r.next.held_back);
	/* Started by tendctl start, it is not held back any more: its own
	 * exit decides how it ends (tend's status, the termination log). */
	struct svc_fsm m = r.next;
	r = fsm_next(&m, FSM_START, &f);
	ck_assert(!r.next.held_back);
}
END_TEST

/* A whole life, as service.c would feed it, following `then`. */
static void feed(struct svc_fsm *m, enum fsm_event ev, const struct fsm_facts *f, enum svc_state want)
{
	struct fsm_step r = fsm_next(m, ev, f);
	ck_assert_msg(r.valid, "%s while %s", fsm_event_name(ev), svc_state_name(m->state));
	*m = r.next;
	if (r.then != NONE)
		feed(m, r.then, f, want);
	ck_assert_msg(m->state == want, "%s: %s, not %s", fsm_event_name(ev), svc_state_name(m->state),
		      svc_state_name(want));
}

START_TEST(test_lives)
{
	struct fsm_facts f = facts();
	struct svc_fsm m = { .state = W };

	/* boot, start, ready at once, crash, backoff, again, stop by tendctl */
	f.may_start = false;
	feed(&m, FSM_START, &f, W);
	f.may_start = true;
	feed(&m, FSM_START, &f, W);
	feed(&m, FSM_SPAWNED, &f, S);
	feed(&m, FSM_EXEC_DONE, &f, Y);
	feed(&m, FSM_EXIT, &f, B);
	feed(&m, FSM_TIMER, &f, B); /* then START: forks, still B until SPAWNED */
	feed(&m, FSM_SPAWNED, &f, S);
	feed(&m, FSM_EXEC_DONE, &f, Y);
	f.stay = true;
	feed(&m, FSM_STOP, &f, G);
	f.group_alive = true;
	feed(&m, FSM_EXIT, &f, G);
	ck_assert(m.leader_gone);
	f.group_alive = false;
	feed(&m, FSM_REAPED, &f, D);
	ck_assert(m.stay && m.stop == SVC_STOP_REQUEST);
	feed(&m, FSM_START, &f, D);
	ck_assert(!m.stay && !m.leader_gone);

	/* a probed service: not ready, probes fail, ready timeout, failure */
	f = facts();
	f.ready = CONF_PROBE_HTTP;
	f.policy = CONF_RESTART_NO;
	m = (struct svc_fsm){ .state = W };
	feed(&m, FSM_START, &f, W);
	feed(&m, FSM_SPAWNED, &f, S);
	feed(&m, FSM_EXEC_DONE, &f, R);
	feed(&m, FSM_PROBE_FAILED, &f, R);
	feed(&m, FSM_TIMER, &f, G);
	f.exit_ok = true; /* exits 0 on SIGTERM: still the timeout's failure */
	feed(&m, FSM_EXIT, &f, F);

	/* restart = always: the leader exits, its group lives on and gets
	 * stop_signal; the restart comes once the group is gone. */
	f = facts();
	f.policy = CONF_RESTART_ALWAYS;
	m = (struct svc_fsm){ .state = W };
	feed(&m, FSM_START, &f, W);
	feed(&m, FSM_SPAWNED, &f, S);
	feed(&m, FSM_EXEC_DONE, &f, Y);
	f.group_alive = true;
	feed(&m, FSM_EXIT, &f, G);
	feed(&m, FSM_REAPED, &f, G);
	f.group_alive = false;
	feed(&m, FSM_REAPED, &f, B);
	feed(&m, FSM_TIMER, &f, B);
	feed(&m, FSM_SPAWNED, &f, S);
	ck_assert(!m.leader_gone && m.stop == SVC_STOP_NONE);

	/* a oneshot: runs, exits 0, done; its dependents may go */
	f = facts();
	f.oneshot = true;
	f.exit_ok = true;
	m = (struct svc_fsm){ .state = W };
	feed(&m, FSM_START, &f, W);
	feed(&m, FSM_SPAWNED, &f, S);
	feed(&m, FSM_EXEC_DONE, &f, R);
	feed(&m, FSM_EXIT, &f, E);
	ck_assert(m.succeeded);
}
END_TEST

START_TEST(test_helpers)
{
	ck_assert_int_eq(fsm_wait_code(0), 0);
	ck_assert_int_eq(fsm_wait_code(3 << 8), 3);
	ck_assert_int_eq(fsm_wait_code(255 << 8), 255);
	ck_assert_int_eq(fsm_wait_code(9), 137);  /* killed by SIGKILL */
	ck_assert_int_eq(fsm_wait_code(15), 143); /* SIGTERM */
	for (enum svc_state st = W; st < _SVC_STATE_MAX; st++)
		ck_assert(fsm_alive(st) == (st == S || st == R || st == Y || st == G));
	ck_assert_str_eq(svc_state_name(_SVC_STATE_MAX), "invalid");
	ck_assert_str_eq(fsm_event_name(_FSM_EVENT_MAX), "invalid");
	for (int ev = 0; ev < _FSM_EVENT_MAX; ev++)
		ck_assert_str_ne(fsm_event_name(ev), "invalid");
	/* An event out of range is refused like any impossible pair. */
	struct fsm_facts f = facts();
	struct fsm_step r = step(R, _FSM_EVENT_MAX, &f);
	ck_assert(!r.valid);
}
END_TEST

/* (r2) stop_mode = main: stop_signal to the leader alone, from every
 * stop tend decides; the SIGKILLs (now, stop_timeout) stay the group's. */
START_TEST(test_stop_mode)
{
	struct fsm_facts f = facts();
	const unsigned kills = FSM_A_KILL_STOP | FSM_A_KILL_STOP_LEADER | FSM_A_KILL_NOW;
	struct fsm_step r;
	f.stop_leader = true;
	for (enum svc_state st = S; st <= Y; st++) {
		r = step(st, FSM_STOP, &f);
		ck_assert(r.next.state == G && (r.act & kills) == FSM_A_KILL_STOP_LEADER);
		r = step(st, FSM_RESTART, &f);
		ck_assert(r.next.state == G && (r.act & kills) == FSM_A_KILL_STOP_LEADER);
	}
	r = step(R, FSM_TIMER, &f); /* ready timeout */
	ck_assert(r.next.state == G && (r.act & kills) == FSM_A_KILL_STOP_LEADER);
	f.failures = 2;
	r = step(Y, FSM_PROBE_FAILED, &f); /* health gave up */
	ck_assert(r.next.state == G && (r.act & kills) == FSM_A_KILL_STOP_LEADER);
	r = step(G, FSM_TIMER, &f); /* stop_timeout: the group */
	ck_assert_uint_eq(r.act & kills, FSM_A_KILL_NOW);
	f.now = true;
	r = step(Y, FSM_STOP, &f);
	ck_assert_uint_eq(r.act & kills, FSM_A_KILL_NOW);
	/* group (the default): never the leader alone */
	f = facts();
	for (enum svc_state st = S; st <= Y; st++)
		ck_assert_uint_eq(step(st, FSM_STOP, &f).act & kills, FSM_A_KILL_STOP);
}
END_TEST

/* (r2) enabled = no */
START_TEST(test_disabled)
{
	struct fsm_facts f = facts();
	struct svc_fsm m = fsm_initial(false);
	ck_assert(m.state == DIS && fsm_initial(true).state == W);
	ck_assert_str_eq(svc_state_name(DIS), "disabled");
	ck_assert(!fsm_alive(DIS));
	struct fsm_step r = fsm_next(&m, FSM_START, &f);
	ck_assert(r.valid && (r.act & FSM_A_SPAWN) && !r.announce);
	r = fsm_next(&m, FSM_SPAWNED, &f);
	ck_assert(r.next.state == S);
	/* tendctl start while booting: it waits its turn like the others */
	f.may_start = false;
	r = fsm_next(&m, FSM_START, &f);
	ck_assert(r.announce && r.next.state == W && !(r.act & FSM_A_SPAWN));
	r = fsm_next(&m, FSM_RESTART, &f);
	ck_assert(r.valid && !r.announce && r.act == 0 && r.then == NONE);
}
END_TEST

/* (r2) every: a oneshot whose run ended for good is due again; only a
 * timer (no polling) starts it; stops and shutdown call it off. */
START_TEST(test_every)
{
	struct fsm_facts f = facts();
	struct fsm_step r;
	f.oneshot = f.every = true;
	f.exit_ok = true;
	r = step(R, FSM_EXIT, &f);
	ck_assert(r.next.state == E && r.next.due && (r.act & FSM_A_EVERY_TIMER) && (r.act & FSM_A_TIMER_STOP));
	f.exit_ok = false;
	f.policy = CONF_RESTART_NO;
	r = step(R, FSM_EXIT, &f);
	ck_assert(r.next.state == F && r.next.due && (r.act & FSM_A_EVERY_TIMER));
	f.policy = CONF_RESTART_ON_FAILURE; /* a failure restarts by its policy first */
	r = step(R, FSM_EXIT, &f);
	ck_assert(r.next.state == B && !r.next.due && !(r.act & FSM_A_EVERY_TIMER));
	f.over_limit = true; /* gave up: still due */
	r = step(R, FSM_EXIT, &f);
	ck_assert(r.next.state == F && r.next.due);
	f.over_limit = false;
	r = step(G, FSM_EXIT, &f); /* stopped on request: stays down */
	ck_assert(r.next.state == D && !r.next.due && !(r.act & FSM_A_EVERY_TIMER));
	f.exit_ok = true;
	f.sup_stopping = true;
	r = step(R, FSM_EXIT, &f);
	ck_assert(r.next.state == E && !r.next.due && !(r.act & FSM_A_EVERY_TIMER));
	f.sup_stopping = false;
	f.every = false; /* no every: as before */
	r = step(R, FSM_EXIT, &f);
	ck_assert(r.next.state == E && !r.next.due && !(r.act & FSM_A_EVERY_TIMER));
	f.every = true;

	struct svc_fsm m = { .state = E, .succeeded = true, .due = true };
	r = fsm_next(&m, FSM_TIMER, &f);
	ck_assert(r.valid && !r.announce && r.then == FSM_START);
	r = fsm_next(&m, FSM_START, &f);
	ck_assert(!r.next.due && (r.act & FSM_A_SPAWN) && (r.act & FSM_A_TIMER_STOP));
	f.sup_stopping = true;
	r = fsm_next(&m, FSM_TIMER, &f);
	ck_assert(r.valid && !r.next.due && r.then == NONE && !r.announce);
	f.sup_stopping = false;
	f.stay = true;
	r = fsm_next(&m, FSM_STOP, &f); /* tendctl stop: called off, stays down */
	ck_assert(r.next.state == D && !r.next.due && r.next.stay && (r.act & FSM_A_TIMER_STOP));
	m.state = F;
	r = fsm_next(&m, FSM_STOP, &f);
	ck_assert(r.next.state == D && !r.next.due);
	m.due = false; /* not due: a timer cannot happen, a stop changes nothing */
	ck_assert(!fsm_next(&m, FSM_TIMER, &f).valid);
	r = fsm_next(&m, FSM_STOP, &f);
	ck_assert(r.valid && !r.announce && r.next.state == F && r.act == 0);
}
END_TEST

static Suite *fsm_suite(void)
{
	Suite *s = suite_create("service_fsm");
	TCase *tc = tcase_create("fsm");
	tcase_add_test(tc, test_table);
	tcase_add_test(tc, test_start);
	tcase_add_test(tc, test_exec_done);
	tcase_add_test(tc, test_ready_and_health);
	tcase_add_test(tc, test_timer);
	tcase_add_test(tc, test_stop);
	tcase_add_test(tc, test_restart);
	tcase_add_test(tc, test_exit_and_group);
	tcase_add_test(tc, test_end);
	tcase_add_test(tc, test_hold_back);
	tcase_add_test(tc, test_lives);
	tcase_add_test(tc, test_helpers);
	tcase_add_test(tc, test_stop_mode);
	tcase_add_test(tc, test_disabled);
	tcase_add_test(tc, test_every);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(fsm_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
