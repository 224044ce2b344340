/* service.c: the life of one service (see service.h): the effects of
 * supervisor/fsm.c's decisions. Each event goes through feed(): the
 * facts measured (clock, kernel, configuration), fsm_next(), then the
 * effects in fsm.h's order, the new state announced (logged, and the
 * supervisor told), and what comes after it only while that state holds
 * (the supervisor may have changed it on being told).
 * Time-based rules (restart_reset, restart_window) are judged from
 * timestamps when the service exits, never with timers of their own. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "common/log.h"
#include "common/procstat.h"
#include "common/utf8.h"
#include "supervisor/output.h"
#include "supervisor/probe.h"
#include "supervisor/service.h"
#include "supervisor/spawn.h"
#include "supervisor/supervisor.h"

#define NAME(s) ((s)->conf->name)
#define LOOP(s) sup_loop((s)->sup)
/* The least wait before retrying a start that failed in tend itself. */
#define SPAWN_RETRY_MS 1000
/* Single-command mode: what is left of the command's group gets the
 * contract's 2 s between SIGTERM and SIGKILL, as in the final sweep (no
 * file sets a stop_timeout there; [tend]'s default would be 10 s). */
#define SINGLE_STOP_MS 2000
/* After a SIGKILL, how often to look whether the group is gone (s). */
#define GROUP_POLL 0.2

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents);
static void group_poll_cb(struct ev_loop *loop, ev_timer *w, int revents);
static void probe_timer_cb(struct ev_loop *loop, ev_timer *w, int revents);
static void status_cb(struct ev_loop *loop, ev_io *w, int revents);
static void probe_child_setup(void *userdata);

/* One event and what came with it. */
struct input {
	enum fsm_event ev;
	int status;      /* EXIT, SPAWN_FAILED: the wait status */
	const char *why; /* PROBE_FAILED: the probe's reason */
	bool stay, now;  /* STOP */
};

static void feed(struct svc *s, const struct input *in);

static void event(struct svc *s, enum fsm_event ev)
{
	struct input in = { .ev = ev };
	feed(s, &in);
}

int svc_new(struct sup *sup, const struct conf_service *conf, struct svc **ret)
{
	struct svc *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->sup = sup;
	s->conf = conf;
	*(struct svc_fsm *)&s->fsm = fsm_initial(conf->enabled);
	probe_set_exec_setup(probe_child_setup);
	s->status_fd = -1;
	s->last_status = -1;
	ev_init(&s->timer, timer_cb);
	ev_init(&s->group_poll, group_poll_cb);
	s->group_poll.repeat = GROUP_POLL;
	s->group_poll.data = s;
	s->timer.data = s;
	ev_init(&s->probe_timer, probe_timer_cb);
	s->probe_timer.data = s;
	ev_init(&s->status_io, status_cb);
	s->status_io.data = s;
	if (conf->restart_limit) {
		s->restart_times = calloc(conf->restart_limit, sizeof(uint64_t));
		if (!s->restart_times) {
			free(s);
			return -ENOMEM;
		}
	}
	*ret = s;
	return 0;
}

static void stop_probes(struct svc *s)
{
	s->probe = probe_cancel(s->probe);
	ev_timer_stop(LOOP(s), &s->probe_timer);
}

struct svc *svc_free(struct svc *s)
{
	if (!s)
		return NULL;
	stop_probes(s);
	ev_timer_stop(LOOP(s), &s->timer);
	ev_timer_stop(LOOP(s), &s->group_poll);
	ev_io_stop(LOOP(s), &s->status_io);
	safe_close(s->status_fd);
	output_free(s->out);
	free(s->restart_times);
	free(s->notify_path);
	free(s);
	return NULL;
}

/* ---- reading ---------------------------------------------------------- */

enum svc_state svc_state(const struct svc *s) { return s->fsm.state; }
bool svc_alive(const struct svc *s) { return fsm_alive(s->fsm.state); }
bool svc_held_back(const struct svc *s) { return s->fsm.held_back; }
bool svc_due(const struct svc *s) { return s->fsm.due; }
bool svc_stays_down(const struct svc *s) { return s->fsm.stay; }
pid_t svc_leader(const struct svc *s) { return s->fsm.leader_gone ? 0 : s->pid; }

bool svc_active(const struct svc *s)
{
	switch (s->fsm.state) {
	case SVC_STARTING: case SVC_RUNNING: case SVC_READY: case SVC_STOPPING: case SVC_BACKOFF:
		return true;
	case SVC_WAITING:
		return !s->fsm.held_back;
	case SVC_EXITED: case SVC_FAILED:
		return s->fsm.due; /* `every`: its next run is on the way */
	default:
		return false;
	}
}

bool svc_ready_or_done(const struct svc *s)
{
	return s->fsm.state == SVC_READY ||
	       (s->fsm.state == SVC_EXITED && s->conf->type == CONF_SVC_ONESHOT && s->fsm.succeeded);
}

int svc_forward(struct svc *s, int sig)
{
	if (s->pid <= 0)
		return -ESRCH;
	/* Its pid is still the group's id: the kernel does not hand out a
	 * pid again while a live group is named by it. */
	pid_t to = s->fsm.leader_gone ? -s->pid : s->pid;
	return kill(to, sig) < 0 ? -errno : 0;
}

int svc_kill(struct svc *s, int sig)
{
	if (s->pid <= 0)
		return -ESRCH;
	/* The group first: the service is a session leader. Right after fork
	 * the child may not have called setsid() yet; then the pid itself,
	 * our child. A leader that exited was reaped: its pid may be someone
	 * else's by now (the group ended unseen), only the group is ours. */
	if (kill(-s->pid, sig) == 0 || (!s->fsm.leader_gone && kill(s->pid, sig) == 0))
		return 0;
	return -errno;
}

const char *svc_last_exit(const struct svc *s, char *buf, size_t len)
{
	int st = s->last_status;
	if (st < 0)
		snprintf(buf, len, "-");
	else if (WIFSIGNALED(st))
		snprintf(buf, len, "killed %s", conf_signal_name(WTERMSIG(st)));
	else
		snprintf(buf, len, "exited %d", WEXITSTATUS(st));
	return buf;
}

int svc_last_exit_code(const struct svc *s)
{
	return s->last_status < 0 ? -1 : fsm_wait_code(s->last_status);
}

int svc_exit_code(const struct svc *s)
{
	if (s->start_error)
		return s->start_error;
	return s->last_status < 0 ? 0 : fsm_wait_code(s->last_status);
}

/* ---- probes and timers ----------------------------------------------- */

static void probe_done(struct probe *p, bool ok, const char *why, void *userdata);

/* An exec: probe runs as its service: same user, groups, capabilities,
 * directory (a tini-style command keeps tend's, as the command does). */
static void probe_child_setup(void *userdata)
{
	struct svc *s = userdata;
	if (!sup_single(s->sup))
		spawn_identity(s->conf);
}

static void probe_run(struct svc *s)
{
	const struct conf_probe *cp = s->fsm.state == SVC_READY ? &s->conf->health : &s->conf->ready;
	uint64_t timeout = s->conf->health_timeout_ms;
	int r = probe_start(LOOP(s), cp, timeout, NULL, probe_done, s, &s->probe);
	if (r < 0) {
		/* Once per run: a probe that cannot even start fails each retry
		 * the same way. */
		if (strcmp(s->probe_state, "cannot run probe") != 0)
			log_full(LOG_LVL_WARN, r, NAME(s), "cannot run probe: %m");
		probe_done(NULL, false, "cannot run probe", s);
	}
}

static void probe_schedule(struct svc *s, uint64_t ms)
{
	ev_timer_stop(LOOP(s), &s->probe_timer);
	ev_timer_set(&s->probe_timer, (double)ms / 1000.0, 0.);
	ev_timer_start(LOOP(s), &s->probe_timer);
}

static void probe_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	probe_run(w->data);
}

static void probe_done(struct probe *p, bool ok, const char *why, void *userdata)
{
	struct svc *s = userdata;
	struct input in = { .ev = ok ? FSM_PROBE_OK : FSM_PROBE_FAILED, .why = why ? why : "failed" };
	s->probe = NULL;
	snprintf(s->probe_state, sizeof(s->probe_state), "%s", ok ? "ok" : in.why);
	feed(s, &in);
}

static void arm_timer(struct svc *s, uint64_t ms)
{
	ev_timer_stop(LOOP(s), &s->timer);
	ev_timer_set(&s->timer, (double)ms / 1000.0, 0.);
	ev_timer_start(LOOP(s), &s->timer);
}

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	event(w->data, FSM_TIMER);
}

/* How long a stop waits before its SIGKILL. */
static uint64_t stop_timeout_ms(const struct svc *s)
{
	uint64_t t = s->conf->stop_timeout_ms;
	return sup_single(s->sup) && t > SINGLE_STOP_MS ? SINGLE_STOP_MS : t;
}

/* ---- facts and effects ------------------------------------------------- */

/* Groups that have just been sent their stop_signal and may hold stopped
 * processes, woken in one pass over /proc once the loop has run this
 * turn's callbacks: a shutdown stops hundreds of services at once, and a
 * walk each made stopping 1,000 services take 7 s instead of 1.8. */
static struct {
	ev_prepare w;
	pid_t *pgids;
	size_t n, cap;
} waking;

static int cmp_pgid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return (x > y) - (x < y);
}

static int wake_one(const struct proc_stat *st, void *ud)
{
	if (st->state == 'T' && bsearch(&st->pgrp, waking.pgids, waking.n, sizeof(pid_t), cmp_pgid))
		kill(st->pid, SIGCONT);
	return 0;
}

static void waking_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	ev_prepare_stop(loop, w);
	qsort(waking.pgids, waking.n, sizeof(pid_t), cmp_pgid);
	if (proc_each(wake_one, NULL) < 0)
		for (size_t i = 0; i < waking.n; i++)
			kill(-waking.pgids[i], SIGCONT); /* no /proc: all of them */
	free(waking.pgids);
	waking.pgids = NULL;
	waking.n = waking.cap = 0;
}

/* After stop_signal: a stopped process must wake to see it, so the stopped
 * ones (of the group, or the leader alone) get SIGCONT, and no other: a
 * running process that catches SIGCONT would see a signal nobody meant
 * (dumb-init sends what its command left SIGTERM alone). The group's are
 * woken in this turn's pass (waking); without /proc or memory, SIGCONT to
 * all of them. */
static void wake_stopped(struct svc *s, bool group)
{
	struct proc_stat st;
	if (!group) {
		if (proc_stat(s->pid, &st) < 0 || st.state == 'T') /* not known, or stopped */
			kill(s->pid, SIGCONT);
		return;
	}
	if (waking.n == waking.cap) {
		size_t nc = waking.cap ? waking.cap * 2 : 16;
		pid_t *np = realloc(waking.pgids, nc * sizeof(pid_t));
		if (!np) {
			svc_kill(s, SIGCONT);
			return;
		}
		waking.pgids = np;
		waking.cap = nc;
	}
	waking.pgids[waking.n++] = s->pid;
	if (!ev_is_active(&waking.w)) {
		ev_prepare_init(&waking.w, waking_cb);
		ev_prepare_start(LOOP(s), &waking.w);
	}
}

static void describe(int status, char *buf, size_t len)
{
	if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by SIG%s", conf_signal_name(WTERMSIG(status)));
	else
		snprintf(buf, len, "exited with %d", WEXITSTATUS(status));
}

/* restart_limit: N automatic restarts within restart_window are allowed. */
static bool over_limit(const struct svc *s, uint64_t now)
{
	unsigned lim = s->conf->restart_limit, n = 0;
	if (!lim)
		return false;
	for (unsigned i = 0; i < lim; i++)
		if (s->restart_times[i] && now - s->restart_times[i] < s->conf->restart_window_ms)
			n++;
	return n >= lim;
}

static void record_restart(struct svc *s, uint64_t now)
{
	if (!s->conf->restart_limit)
		return;
	s->restart_times[s->n_restart_times % s->conf->restart_limit] = now;
	s->n_restart_times++;
}

/* Backoff: restart_delay, doubling up to restart_delay_max; a run of at
 * least restart_reset starts the doubling over. */
static void next_delay(struct svc *s, uint64_t now)
{
	const struct conf_service *c = s->conf;
	if (s->delay_ms == 0 || (s->start_ms && now - s->start_ms >= c->restart_reset_ms))
		s->delay_ms = c->restart_delay_ms ? c->restart_delay_ms : 0;
	else
		s->delay_ms = s->delay_ms * 2 > c->restart_delay_max_ms ? c->restart_delay_max_ms : s->delay_ms * 2;
	record_restart(s, now);
	s->restarts++;
}

struct member_search {
	pid_t pgid, found;
};

static int runs_in(const struct proc_stat *st, void *ud)
{
	struct member_search *m = ud;
	if (st->pgrp != m->pgid || st->state == 'Z')
		return 0;
	m->found = st->pid;
	return 1;
}

/* Whether the service's process group still has a process that may run: a
 * member that is only a zombie waits for a parent of its own (one outside
 * the group, which tend never hears of) and counts as gone, or a service
 * could hold its own stop, and tend's shutdown with it, for ever. This is
 * asked at each orphan reaped: the member found last is looked at first,
 * or a group making orphans would have tend walk all of /proc (a host's,
 * as a subreaper) for two forks of its own. A pid reused in the group is
 * a member too. */
static bool group_lives(struct svc *s)
{
	pid_t pgid = s->pid;
	struct proc_stat st;

	if (kill(-pgid, 0) < 0 && errno == ESRCH)
		return false;
	if (s->group_member > 0 && proc_stat(s->group_member, &st) == 0 && st.pgrp == pgid && st.state != 'Z')
		return true;
	struct member_search m = { .pgid = pgid };
	int r = proc_each(runs_in, &m);
	s->group_member = m.found;
	/* Cannot tell (no /proc): as kill() says. */
	return r != 0;
}

/* After the SIGKILL nothing more is sent, but what is left of the group
 * may end without tend hearing of it (reaped by a parent of its own
 * outside the group): look again every GROUP_POLL seconds until the run
 * is over. */
static void group_poll_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct svc *s = w->data;
	if (s->fsm.state != SVC_STOPPING || s->pid <= 0) {
		ev_timer_stop(loop, w);
		return;
	}
	if (s->fsm.leader_gone)
		event(s, FSM_REAPED);
}

/* What the machine may need to know, measured now. */
static struct fsm_facts measure(struct svc *s, const struct input *in, uint64_t now)
{
	const struct conf_service *c = s->conf;
	int status = in->ev == FSM_REAPED ? s->last_status : in->status;
	struct fsm_facts f = {
		.may_start = sup_may_start(s->sup),
		.oneshot = c->type == CONF_SVC_ONESHOT,
		.ready = c->ready.kind,
		.health = c->health.kind != CONF_PROBE_NONE,
		.failures = s->probe_failures,
		.retries = c->health_retries,
		.stay = in->stay,
		.now = in->now,
		.stop_leader = c->stop_mode == CONF_STOP_MAIN,
		.every = c->type == CONF_SVC_ONESHOT && c->every_ms > 0,
		.policy = c->restart,
		.sup_stopping = sup_is_stopping(s->sup),
	};
	if (s->pid > 0 && (in->ev == FSM_EXIT || (in->ev == FSM_REAPED && s->fsm.leader_gone)))
		f.group_alive = group_lives(s);
	if (in->ev == FSM_EXIT || in->ev == FSM_REAPED || in->ev == FSM_SPAWN_FAILED) {
		f.exit_ok = !s->start_error && WIFEXITED(status) && conf_success_exit(c, WEXITSTATUS(status));
		f.over_limit = over_limit(s, now);
	}
	return f;
}

/* Logged before the state is announced, as each happens. */
static void say(struct svc *s, const struct fsm_step *r, const struct input *in, uint64_t now)
{
	const struct conf_service *c = s->conf;
	char what[64], b[32];
	enum log_level ok_or_warn = r->success ? LOG_LVL_INFO : LOG_LVL_WARN;

	if (r->act & FSM_A_END)
		describe(s->last_status, what, sizeof(what));
	else if (r->note == FSM_N_LEFT_GROUP)
		describe(in->status, what, sizeof(what));
	switch (r->note) {
	case FSM_N_NONE:
		return;
	case FSM_N_STARTED:
		log_full(LOG_LVL_INFO, 0, NAME(s), "started (pid %d)", (int)s->pid);
		return;
	case FSM_N_READY:
		log_full(LOG_LVL_INFO, 0, NAME(s), "ready after %s", fmt_ms(b, sizeof(b), now - s->start_ms));
		return;
	case FSM_N_HEALTH_FAILED:
		log_full(LOG_LVL_INFO, 0, NAME(s), "health check failed (%s), %u of %u", in->why, s->probe_failures,
			 c->health_retries);
		return;
	case FSM_N_HEALTH_GAVE_UP:
		log_full(LOG_LVL_WARN, 0, NAME(s), "health check failed %u times in a row (%s), restarting",
			 s->probe_failures, in->why);
		return;
	case FSM_N_READY_TIMEOUT:
		/* Why, when the ready probe said (its reason is sanitized where
		 * the probe made it, as for health checks). */
		if (s->probe_state[0] && strcmp(s->probe_state, "ok") != 0)
			log_full(LOG_LVL_WARN, 0, NAME(s), "not ready after %s (ready probe: %s), stopping",
				 fmt_ms(b, sizeof(b), c->ready_timeout_ms), s->probe_state);
		else
			log_full(LOG_LVL_WARN, 0, NAME(s), "not ready after %s, stopping",
				 fmt_ms(b, sizeof(b), c->ready_timeout_ms));
		return;
	case FSM_N_STOP_TIMEOUT:
		log_full(LOG_LVL_WARN, 0, NAME(s), "did not stop within %s, sending SIGKILL",
			 fmt_ms(b, sizeof(b), stop_timeout_ms(s)));
		return;
	case FSM_N_LEFT_GROUP:
		log_full(LOG_LVL_INFO, 0, NAME(s), "%s, stopping what is left of its process group (SIG%s)", what,
			 conf_signal_name(c->stop_signal));
		return;
	case FSM_N_STOPPED:
		log_full(LOG_LVL_INFO, 0, NAME(s), "stopped (%s)", what);
		return;
	case FSM_N_GAVE_UP:
		/* The limit ends the restarts; the last run's outcome names the
		 * end state (fine print: a clean last run is `exited`). */
		log_full(r->success ? LOG_LVL_WARN : LOG_LVL_ERROR, 0, NAME(s), "%s, giving up after %u restarts within %s",
			 what, c->restart_limit, fmt_ms(b, sizeof(b), c->restart_window_ms));
		return;
	case FSM_N_ENDED:
		/* With restart = no an exit is expected: tend's own exit status
		 * (or status) reports it; a failure under a policy is news. */
		log_full(LOG_LVL_INFO, 0, NAME(s), "%s", what);
		return;
	case FSM_N_NOT_RESTARTING:
		log_full(LOG_LVL_WARN, 0, NAME(s), "%s, not restarting", what);
		return;
	case FSM_N_RESTART_IN:
		log_full(ok_or_warn, 0, NAME(s), "%s, restart in %s", what, fmt_ms(b, sizeof(b), s->delay_ms));
		return;
	}
}

static void spawn(struct svc *s);

/* One event: the machine decides; its effects follow in fsm.h's order. */
static void feed(struct svc *s, const struct input *in)
{
	uint64_t now = now_ms();
	struct fsm_facts f = measure(s, in, now);
	struct fsm_step r = fsm_next(&s->fsm, in->ev, &f);
	enum svc_state old = s->fsm.state;
	unsigned a = r.act;
	char b[32];

	if (!r.valid) {
		log_full(LOG_LVL_DEBUG, 0, NAME(s), "%s while %s: ignored", fsm_event_name(in->ev), svc_state_name(old));
		return;
	}
	*(struct svc_fsm *)&s->fsm = r.next;

	if (a & FSM_A_TIMER_STOP)
		ev_timer_stop(LOOP(s), &s->timer);
	if (a & FSM_A_PROBES_STOP)
		stop_probes(s);
	if (a & FSM_A_NEW_RUN) {
		s->start_error = 0;
		s->status_text[0] = 0;
		s->probe_state[0] = 0;
	}
	if (a & FSM_A_RESET_DELAY)
		s->delay_ms = 0;
	if (a & FSM_A_STATUS_CLOSE) {
		ev_io_stop(LOOP(s), &s->status_io);
		s->status_fd = safe_close(s->status_fd);
	}
	if (a & FSM_A_WATCH_STATUS) {
		ev_io_set(&s->status_io, s->status_fd, EV_READ);
		ev_io_start(LOOP(s), &s->status_io);
	}
	if (a & FSM_A_COUNT_FAILURE)
		s->probe_failures++;
	if (a & FSM_A_RESET_FAILURES)
		s->probe_failures = 0;
	if (a & FSM_A_KILL_NOW) {
		svc_kill(s, SIGKILL);
		ev_timer_stop(LOOP(s), &s->timer);
		ev_timer_again(LOOP(s), &s->group_poll);
	}
	if (a & FSM_A_KILL_STOP) {
		svc_kill(s, s->conf->stop_signal);
		if (s->conf->stop_signal != SIGCONT)
			wake_stopped(s, true);
		arm_timer(s, stop_timeout_ms(s));
	}
	if (a & FSM_A_KILL_STOP_LEADER) {
		/* stop_mode = main: a master (gunicorn, uWSGI, nginx) stops
		 * its workers itself, and must see the signal first. */
		if (s->pid > 0) {
			kill(s->pid, s->conf->stop_signal);
			if (s->conf->stop_signal != SIGCONT)
				wake_stopped(s, false);
		}
		arm_timer(s, stop_timeout_ms(s));
	}
	if (a & FSM_A_KEEP_STATUS)
		s->last_status = in->status;
	if (a & FSM_A_END) {
		s->pid = 0;
		if (in->ev != FSM_REAPED)
			s->last_status = in->status;
		s->exit_ms = now;
		s->exit_wall = (int64_t)time(NULL);
	}
	if (a & FSM_A_BACKOFF)
		next_delay(s, now);
	if (a & FSM_A_BECAME_READY) {
		s->ready_ms = now;
		s->probe_failures = 0;
	}
	say(s, &r, in, now);
	if (r.announce && r.next.state == SVC_STOPPING)
		log_full(LOG_LVL_DEBUG, 0, NAME(s), "stopping%s, %s", a & FSM_A_KILL_STOP_LEADER ? " (leader)" : "",
			 a & FSM_A_KILL_NOW ? "SIGKILL" : fmt_ms(b, sizeof(b), stop_timeout_ms(s)));
	if (r.announce) {
		if (old != r.next.state)
			log_full(LOG_LVL_DEBUG, 0, NAME(s), "%s -> %s", svc_state_name(old), svc_state_name(r.next.state));
		sup_service_changed(s->sup, s);
	}

	/* Told, the supervisor may have moved the service on (a shutdown
	 * stops it): what follows belongs to the state decided here only. */
	if (s->fsm.state != r.next.state)
		return;
	if (a & FSM_A_READY_PROBE)
		probe_run(s);
	if (a & FSM_A_READY_TIMER)
		arm_timer(s, s->conf->ready_timeout_ms);
	if (a & FSM_A_READY_RETRY) {
		/* Retry soon, then less often: fast to notice an app that comes
		 * up, cheap while it takes its time. */
		uint64_t since = now - s->start_ms;
		probe_schedule(s, since < 1000 ? 25 : since < 10000 ? 100 : 500);
	}
	if (a & FSM_A_HEALTH_NEXT)
		probe_schedule(s, s->conf->health_interval_ms);
	if (a & FSM_A_BACKOFF_TIMER) {
		/* A start that failed in tend itself (EMFILE, EAGAIN, ENOMEM):
		 * retrying sooner than once a second cannot help and, with
		 * restart_delay = 0, would spin PID 1 (s6's temporized
		 * failure). */
		uint64_t d = s->delay_ms;
		if (in->ev == FSM_SPAWN_FAILED && d < SPAWN_RETRY_MS)
			d = SPAWN_RETRY_MS;
		arm_timer(s, d);
	}
	if (a & FSM_A_EVERY_TIMER) {
		/* `every` counts from the start: a run as long as the period
		 * starts the next one at once, never two at a time. */
		uint64_t next = s->start_ms + s->conf->every_ms;
		uint64_t d = next > now ? next - now : 0;
		log_full(LOG_LVL_DEBUG, 0, NAME(s), "next run in %s", fmt_ms(b, sizeof(b), d));
		arm_timer(s, d);
	}
	if (a & FSM_A_SPAWN)
		spawn(s);
	else if (r.then != _FSM_EVENT_MAX)
		event(s, r.then);
}

/* ---- start ----------------------------------------------------------- */

/* A start that failed in tend itself, before anything ran (fork, the
 * notify socket): logged once by the caller, then the restart policy
 * decides, like an exec that failed (126). */
static void start_failed(struct svc *s)
{
	struct input in = { .ev = FSM_SPAWN_FAILED, .status = 126 << 8 };
	s->pid = 0;
	s->start_error = 126;
	feed(s, &in);
}

static void spawn(struct svc *s)
{
	struct spawn_params p = {
		.conf = s->conf,
		.foreground = sup_single(s->sup),
		.stdout_fd = -1,
		.stderr_fd = -1,
	};
	int r;

	if (s->conf->ready.kind == CONF_PROBE_NOTIFY) {
		/* Without its socket the service could never say READY=1: a
		 * failed start now, with the reason, not a ready timeout later. */
		r = sup_notify_path(s->sup, &p.notify_socket);
		if (r < 0) {
			log_full(LOG_LVL_ERROR, r, NAME(s), "cannot start: cannot open the notify socket: %m");
			start_failed(s);
			return;
		}
	}
	/* Relayed output (tagged, a FILE tend rotates); a FILE tend may
	 * not rotate is a failed start, told by the child (spawn.h). */
	char why[400];
	if (output_prepare(LOOP(s), s->conf, &s->out, &p.stdout_fd, &p.stderr_fd, why, sizeof(why)) < 0)
		p.refuse = why;
	s->start_ms = now_ms();
	s->start_wall = (int64_t)time(NULL);
	s->ready_ms = 0;
	r = spawn_service(&p, &s->pid, &s->status_fd);
	if (r < 0) {
		/* fork failing (EAGAIN under a pids limit, ENOMEM) is an event
		 * like any failed start: logged, then the restart policy. */
		log_full(LOG_LVL_ERROR, r, NAME(s), "cannot start: fork: %m");
		start_failed(s);
		return;
	}
	event(s, FSM_SPAWNED);
}

/* Read the spawn status pipe; returns true when the outcome is known. */
static bool read_status(struct svc *s)
{
	struct spawn_error e;
	int r = spawn_read_status(s->status_fd, &e);
	if (r == -EAGAIN)
		return false;
	if (r == 1) {
		s->start_error = e.exit_code;
		log_full(LOG_LVL_ERROR, 0, NAME(s), "cannot start: %s", e.msg);
		event(s, FSM_EXEC_FAILED);
	} else {
		event(s, FSM_EXEC_DONE);
	}
	/* The outcome is read: the pipe has nothing more to say. */
	if (s->status_fd >= 0) {
		ev_io_stop(LOOP(s), &s->status_io);
		s->status_fd = safe_close(s->status_fd);
	}
	return true;
}

static void status_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	read_status(w->data);
}

/* ---- requests and events --------------------------------------------- */

void svc_start(struct svc *s)
{
	event(s, FSM_START);
}

void svc_stop(struct svc *s, bool stay, bool now)
{
	struct input in = { .ev = FSM_STOP, .stay = stay, .now = now };
	feed(s, &in);
}

void svc_restart(struct svc *s)
{
	event(s, FSM_RESTART);
}

void svc_hold_back(struct svc *s)
{
	event(s, FSM_HOLD_BACK);
}

void svc_notify_ready(struct svc *s)
{
	if (s->conf->ready.kind == CONF_PROBE_NOTIFY)
		event(s, FSM_READY);
}

void svc_notify_status(struct svc *s, const char *value)
{
	/* Untrusted bytes, kept as valid UTF-8 cut between characters. */
	utf8_sanitize(s->status_text, sizeof(s->status_text), value, strlen(value));
}

void svc_exited(struct svc *s, int status)
{
	struct input in = { .ev = FSM_EXIT, .status = status };
	/* Its last line, without newline, is complete now. */
	output_service_ended(s->out);
	/* The child is gone, so its status pipe is complete: read it now,
	 * whatever order the loop delivered the two events in. */
	if (s->status_fd >= 0 && read_status(s) == false) {
		ev_io_stop(LOOP(s), &s->status_io);
		s->status_fd = safe_close(s->status_fd);
	}
	feed(s, &in);
}

void svc_group_check(struct svc *s)
{
	/* Only one whose leader ended waits for its group: no event (nor a
	 * debug line) for every service at each orphan reaped. */
	if (s->fsm.leader_gone)
		event(s, FSM_REAPED);
}

int svc_replace_conf(struct svc *s, const struct conf_service *conf)
{
	uint64_t *times = NULL;
	if (conf->restart_limit && !(times = calloc(conf->restart_limit, sizeof(uint64_t))))
		return -ENOMEM;
	free(s->restart_times);
	s->restart_times = times;
	s->n_restart_times = 0;
	s->conf = conf;
	return 0;
}
