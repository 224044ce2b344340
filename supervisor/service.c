/* service.c: the life of one service (see service.h).
 *
 * Events and what each does, by state:
 *   start request   WAITING/BACKOFF/STOPPED/EXITED/FAILED -> STARTING (fork);
 *                   -> WAITING while the supervisor allows no start (boot)
 *   exec done       STARTING -> RUNNING, or READY when there is no `ready`
 *   start failed    STARTING: remembered (127/126); the exit decides
 *   ready passed    RUNNING -> READY (health probes begin)
 *   ready timeout   RUNNING -> STOPPING, counted as a failure
 *   health failed   READY: `health_retries` in a row -> STOPPING, a failure
 *   stop request    any live state -> STOPPING; WAITING/BACKOFF -> STOPPED
 *   exit            -> STOPPED (asked for), BACKOFF (restart), EXITED, FAILED
 *   timer           BACKOFF: start; STOPPING: SIGKILL the group
 * Time-based rules (restart_reset, restart_window) are judged from
 * timestamps when the service exits, never with timers of their own. */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "common/log.h"
#include "supervisor/output.h"
#include "supervisor/probe.h"
#include "supervisor/service.h"
#include "supervisor/spawn.h"
#include "supervisor/supervisor.h"

static const char *const state_names[_SVC_STATE_MAX] = {
	[SVC_WAITING] = "waiting",   [SVC_STARTING] = "starting", [SVC_RUNNING] = "running",
	[SVC_READY] = "ready",       [SVC_STOPPING] = "stopping", [SVC_STOPPED] = "stopped",
	[SVC_EXITED] = "exited",     [SVC_BACKOFF] = "backoff",   [SVC_FAILED] = "failed",
};

const char *svc_state_name(enum svc_state s)
{
	return s >= 0 && s < _SVC_STATE_MAX ? state_names[s] : "invalid";
}

#define NAME(s) ((s)->conf->name)
#define LOOP(s) sup_loop((s)->sup)
/* The least wait before retrying a start that failed in tend itself. */
#define SPAWN_RETRY_MS 1000

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents);
static void probe_timer_cb(struct ev_loop *loop, ev_timer *w, int revents);
static void status_cb(struct ev_loop *loop, ev_io *w, int revents);
static void probe_child_setup(void *userdata);

/* Why the current run is being stopped, when tend decided it. */
enum stop_reason { STOP_NONE, STOP_REQUEST, STOP_READY_TIMEOUT, STOP_HEALTH };
static enum stop_reason stop_reason_of(const struct svc *s);

int svc_new(struct sup *sup, const struct conf_service *conf, struct svc **ret)
{
	struct svc *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->sup = sup;
	s->conf = conf;
	probe_set_exec_setup(probe_child_setup);
	s->status_fd = -1;
	s->last_status = -1;
	ev_init(&s->timer, timer_cb);
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
	ev_io_stop(LOOP(s), &s->status_io);
	safe_close(s->status_fd);
	output_free(s->out);
	free(s->restart_times);
	free(s->notify_path);
	free(s);
	return NULL;
}

void svc_set_state(struct svc *s, enum svc_state st)
{
	enum svc_state old = s->state;
	*(enum svc_state *)&s->state = st;
	if (old != st)
		log_full(LOG_LVL_DEBUG, 0, NAME(s), "%s -> %s", svc_state_name(old), svc_state_name(st));
	sup_service_changed(s->sup, s);
}

bool svc_active(const struct svc *s)
{
	switch (s->state) {
	case SVC_STARTING: case SVC_RUNNING: case SVC_READY: case SVC_STOPPING: case SVC_BACKOFF:
		return true;
	case SVC_WAITING:
		return !s->held_back;
	default:
		return false;
	}
}

int svc_kill(struct svc *s, int sig)
{
	if (s->pid <= 0)
		return -ESRCH;
	/* The group first: the service is a session leader. Right after fork
	 * the child may not have called setsid() yet; then the pid itself. */
	if (kill(-s->pid, sig) == 0 || kill(s->pid, sig) == 0)
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

int svc_exit_code(const struct svc *s)
{
	if (s->start_error)
		return s->start_error;
	if (s->last_status < 0)
		return 0;
	if (WIFSIGNALED(s->last_status))
		return 128 + WTERMSIG(s->last_status);
	return WEXITSTATUS(s->last_status);
}

/* ---- probes ---------------------------------------------------------- */

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
	const struct conf_probe *cp = s->state == SVC_READY ? &s->conf->health : &s->conf->ready;
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

static void become_ready(struct svc *s)
{
	char b[32];
	s->ready_ms = now_ms();
	ev_timer_stop(LOOP(s), &s->timer); /* the ready timeout */
	log_full(LOG_LVL_INFO, 0, NAME(s), "ready after %s", fmt_ms(b, sizeof(b), s->ready_ms - s->start_ms));
	s->probe_failures = 0;
	svc_set_state(s, SVC_READY);
	if (s->state == SVC_READY && s->conf->health.kind != CONF_PROBE_NONE)
		probe_schedule(s, s->conf->health_interval_ms);
}

static void stop_as_failure(struct svc *s, enum stop_reason why);

static void probe_done(struct probe *p, bool ok, const char *why, void *userdata)
{
	struct svc *s = userdata;
	s->probe = NULL;
	snprintf(s->probe_state, sizeof(s->probe_state), "%s", ok ? "ok" : why ? why : "failed");
	if (s->state == SVC_RUNNING) {
		if (ok) {
			become_ready(s);
		} else {
			/* Retry soon, then less often: fast to notice an app that
			 * comes up, cheap while it takes its time. */
			uint64_t since = now_ms() - s->start_ms;
			probe_schedule(s, since < 1000 ? 25 : since < 10000 ? 100 : 500);
		}
	} else if (s->state == SVC_READY) {
		if (ok) {
			s->probe_failures = 0;
		} else if (++s->probe_failures >= s->conf->health_retries) {
			log_full(LOG_LVL_WARN, 0, NAME(s), "health check failed %u times in a row (%s), restarting",
				 s->probe_failures, why ? why : "failed");
			stop_as_failure(s, STOP_HEALTH);
			return;
		} else {
			log_full(LOG_LVL_INFO, 0, NAME(s), "health check failed (%s), %u of %u", why ? why : "failed",
				 s->probe_failures, s->conf->health_retries);
		}
		probe_schedule(s, s->conf->health_interval_ms);
	}
}

void svc_notify_ready(struct svc *s)
{
	if (s->state == SVC_RUNNING && s->conf->ready.kind == CONF_PROBE_NOTIFY)
		become_ready(s);
}

/* ---- start ----------------------------------------------------------- */

static void arm_timer(struct svc *s, uint64_t ms)
{
	ev_timer_stop(LOOP(s), &s->timer);
	ev_timer_set(&s->timer, (double)ms / 1000.0, 0.);
	ev_timer_start(LOOP(s), &s->timer);
}

static void exec_done(struct svc *s)
{
	ev_io_stop(LOOP(s), &s->status_io);
	s->status_fd = safe_close(s->status_fd);
	log_full(LOG_LVL_INFO, 0, NAME(s), "started (pid %d)", (int)s->pid);
	svc_set_state(s, SVC_RUNNING);
	if (s->state != SVC_RUNNING || s->conf->type == CONF_SVC_ONESHOT)
		return;
	switch (s->conf->ready.kind) {
	case CONF_PROBE_NONE:
		become_ready(s);
		return;
	case CONF_PROBE_NOTIFY:
		break;
	default:
		probe_run(s);
		break;
	}
	arm_timer(s, s->conf->ready_timeout_ms);
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
		ev_io_stop(LOOP(s), &s->status_io);
		s->status_fd = safe_close(s->status_fd);
		return true;
	}
	exec_done(s);
	return true;
}

static void status_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	read_status(w->data);
}

static void handle_end(struct svc *s, int status);

/* A start that failed in tend itself, before anything ran (fork, the
 * notify socket): logged once by the caller, then the restart policy
 * decides, like an exec that failed (126). */
static void start_failed(struct svc *s)
{
	s->pid = 0;
	s->start_error = 126;
	handle_end(s, 126 << 8);
	/* tend itself ran short (EMFILE, EAGAIN, ENOMEM): retrying
	 * sooner than once a second cannot help and, with
	 * restart_delay = 0, would spin PID 1 (s6's temporized
	 * failure). */
	if (s->state == SVC_BACKOFF && s->delay_ms < SPAWN_RETRY_MS)
		arm_timer(s, SPAWN_RETRY_MS);
}

void svc_start(struct svc *s)
{
	struct spawn_params p = {
		.conf = s->conf,
		.foreground = sup_single(s->sup),
		.stdout_fd = -1,
	};
	int r;

	ev_timer_stop(LOOP(s), &s->timer);
	stop_probes(s);
	s->stop_requested = s->stop_to_stay = s->restart_requested = s->leader_gone = false;
	s->stop_why = STOP_NONE;
	s->start_error = 0;
	s->status_text[0] = 0;
	s->probe_state[0] = 0;
	if (!sup_may_start(s->sup)) {
		/* tend is booting (or shutting down): whoever asked, the
		 * supervisor starts it when boot is done and its turn comes. */
		svc_set_state(s, SVC_WAITING);
		return;
	}
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
	if (s->conf->out.kind == CONF_OUT_TAGGED) {
		if (!s->out && (r = output_new(LOOP(s), NAME(s), &s->out)) < 0)
			log_full(LOG_LVL_WARN, r, NAME(s), "cannot relay output, inheriting it: %m");
		p.stdout_fd = s->out ? output_fd(s->out) : -1;
	}
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
	ev_io_set(&s->status_io, s->status_fd, EV_READ);
	ev_io_start(LOOP(s), &s->status_io);
	svc_set_state(s, SVC_STARTING);
}

/* ---- stop ------------------------------------------------------------ */

static enum stop_reason stop_reason_of(const struct svc *s)
{
	return s->stop_requested ? (enum stop_reason)s->stop_why : STOP_NONE;
}

static void begin_stop(struct svc *s, bool now)
{
	char b[32];
	stop_probes(s);
	if (now) {
		svc_kill(s, SIGKILL);
		ev_timer_stop(LOOP(s), &s->timer);
	} else {
		svc_kill(s, s->conf->stop_signal);
		if (s->conf->stop_signal != SIGCONT)
			svc_kill(s, SIGCONT); /* a stopped process must wake to die */
		arm_timer(s, s->conf->stop_timeout_ms);
	}
	log_full(LOG_LVL_DEBUG, 0, NAME(s), "stopping, %s", now ? "SIGKILL" : fmt_ms(b, sizeof(b), s->conf->stop_timeout_ms));
	svc_set_state(s, SVC_STOPPING);
}

static void stop_as_failure(struct svc *s, enum stop_reason why)
{
	s->stop_requested = true;
	s->stop_why = why;
	begin_stop(s, false);
}

void svc_stop(struct svc *s, bool stay, bool now)
{
	switch (s->state) {
	case SVC_WAITING: case SVC_BACKOFF:
		ev_timer_stop(LOOP(s), &s->timer);
		s->stop_requested = true;
		s->stop_why = STOP_REQUEST;
		s->stop_to_stay = stay;
		svc_set_state(s, SVC_STOPPED);
		return;
	case SVC_STARTING: case SVC_RUNNING: case SVC_READY:
		s->stop_requested = true;
		s->stop_why = STOP_REQUEST;
		s->stop_to_stay = stay;
		begin_stop(s, now);
		return;
	case SVC_STOPPING:
		s->stop_to_stay = s->stop_to_stay || stay;
		if (now) {
			svc_kill(s, SIGKILL);
			ev_timer_stop(LOOP(s), &s->timer);
		}
		return;
	default:
		return;
	}
}

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct svc *s = w->data;
	char b[32];

	switch (s->state) {
	case SVC_BACKOFF:
		svc_start(s);
		break;
	case SVC_STOPPING:
		log_full(LOG_LVL_WARN, 0, NAME(s), "did not stop within %s, sending SIGKILL",
			 fmt_ms(b, sizeof(b), s->conf->stop_timeout_ms));
		svc_kill(s, SIGKILL);
		break;
	case SVC_RUNNING:
		log_full(LOG_LVL_WARN, 0, NAME(s), "not ready after %s, stopping",
			 fmt_ms(b, sizeof(b), s->conf->ready_timeout_ms));
		stop_as_failure(s, STOP_READY_TIMEOUT);
		break;
	default:
		break;
	}
}

/* ---- exit ------------------------------------------------------------ */

static void describe(int status, char *buf, size_t len)
{
	if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by SIG%s", conf_signal_name(WTERMSIG(status)));
	else
		snprintf(buf, len, "exited with %d", WEXITSTATUS(status));
}

/* restart_limit: N automatic restarts within restart_window are allowed. */
static bool over_limit(struct svc *s, uint64_t now)
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

static void handle_end(struct svc *s, int status)
{
	const struct conf_service *c = s->conf;
	enum stop_reason why = stop_reason_of(s);
	uint64_t now = now_ms();
	char what[64], b[32];

	stop_probes(s);
	ev_timer_stop(LOOP(s), &s->timer);
	s->pid = 0;
	s->last_status = status;
	s->exit_ms = now;
	s->exit_wall = (int64_t)time(NULL);
	describe(status, what, sizeof(what));

	if (why == STOP_REQUEST) {
		log_full(LOG_LVL_INFO, 0, NAME(s), "stopped (%s)", what);
		if (s->restart_requested) {
			svc_start(s);
			return;
		}
		svc_set_state(s, SVC_STOPPED);
		return;
	}

	bool success = why == STOP_NONE && !s->start_error && WIFEXITED(status) &&
		       conf_success_exit(c, WEXITSTATUS(status));
	bool restart;
	if (c->type == CONF_SVC_ONESHOT && success) {
		s->ever_succeeded = true;
		restart = false;
	} else {
		restart = c->restart == CONF_RESTART_ALWAYS || (c->restart == CONF_RESTART_ON_FAILURE && !success);
	}
	if (sup_is_stopping(s->sup))
		restart = false;

	if (restart && over_limit(s, now)) {
		/* The limit ends the restarts; the last run's outcome names the
		 * end state (fine print: a clean last run is `exited`). */
		log_full(success ? LOG_LVL_WARN : LOG_LVL_ERROR, 0, NAME(s), "%s, giving up after %u restarts within %s",
			 what, c->restart_limit, fmt_ms(b, sizeof(b), c->restart_window_ms));
		svc_set_state(s, success ? SVC_EXITED : SVC_FAILED);
		return;
	}
	if (!restart) {
		/* With restart = no an exit is expected: tend's own exit status
		 * (or status) reports it; a failure under a policy is news. */
		if (success || c->restart == CONF_RESTART_NO)
			log_full(LOG_LVL_INFO, 0, NAME(s), "%s", what);
		else
			log_full(LOG_LVL_WARN, 0, NAME(s), "%s, not restarting", what);
		svc_set_state(s, success ? SVC_EXITED : SVC_FAILED);
		return;
	}
	/* Backoff: restart_delay, doubling up to restart_delay_max; a run of
	 * at least restart_reset starts the doubling over. */
	if (s->delay_ms == 0 || (s->start_ms && now - s->start_ms >= c->restart_reset_ms))
		s->delay_ms = c->restart_delay_ms ? c->restart_delay_ms : 0;
	else
		s->delay_ms = s->delay_ms * 2 > c->restart_delay_max_ms ? c->restart_delay_max_ms : s->delay_ms * 2;
	uint64_t delay = s->delay_ms;
	record_restart(s, now);
	s->restarts++;
	log_full(success ? LOG_LVL_INFO : LOG_LVL_WARN, 0, NAME(s), "%s, restart in %s", what, fmt_ms(b, sizeof(b), delay));
	/* Even with no delay the start goes through the loop (a 0 s timer):
	 * a start that fails at once (fork: EAGAIN) must not recurse. */
	svc_set_state(s, SVC_BACKOFF);
	arm_timer(s, delay);
}

void svc_exited(struct svc *s, int status)
{
	/* The child is gone, so its status pipe is complete: read it now,
	 * whatever order the loop delivered the two events in. */
	if (s->status_fd >= 0 && read_status(s) == false) {
		ev_io_stop(LOOP(s), &s->status_io);
		s->status_fd = safe_close(s->status_fd);
	}
	if (s->state == SVC_STOPPING && s->pid > 0 && kill(-s->pid, 0) == 0) {
		/* The leader is gone, but its group lives on: wait for it
		 * (or for stop_timeout) as the whole service. */
		s->last_status = status;
		s->leader_gone = true;
		return;
	}
	if (s->pid > 0 && kill(-s->pid, 0) == 0) {
		log_full(LOG_LVL_DEBUG, 0, NAME(s), "killing what is left of its process group");
		kill(-s->pid, SIGKILL);
	}
	handle_end(s, status);
}

void svc_group_check(struct svc *s)
{
	if (s->state == SVC_STOPPING && s->leader_gone && kill(-s->pid, 0) < 0 && errno == ESRCH)
		handle_end(s, s->last_status);
}

void svc_restart(struct svc *s)
{
	switch (s->state) {
	case SVC_STARTING: case SVC_RUNNING: case SVC_READY:
		svc_stop(s, false, false);
		s->restart_requested = true;
		return;
	case SVC_STOPPING:
		s->restart_requested = true;
		return;
	case SVC_WAITING:
		/* Not started yet: it starts when what it is `after` is ready and
		 * boot is done; a restart does not jump that queue. */
		return;
	default:
		ev_timer_stop(LOOP(s), &s->timer);
		s->held_back = false;
		s->delay_ms = 0;
		svc_start(s);
		return;
	}
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
