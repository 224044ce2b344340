/* supervisor.c: see supervisor.h.
 *
 * tend's life runs in phases, each entered once, in this order; `phase` is
 * the one fact that says whether a service may start (sup_may_start):
 *   BOOT      init sets itself up (the network, which owns its own copy of
 *             [network]); requests are answered and reloads applied, but
 *             nothing starts. sup_boot_done() ends it: RUN, or a shutdown.
 *   RUN       services start as their dependencies allow
 * Shutdown (from BOOT or RUN):
 *   DRAIN     not ready any more (STOPPING=1 upward), wait `drain` (not
 *             after a boot that never ended: nothing was ever ready)
 *   SERVICES  stop each service once nothing that is `after` it still runs;
 *             as PID 1, then wait for a tendctl that asked for the shutdown
 *             to end (2 s at most), since the sweep would kill it
 *   LEFTOVERS SIGTERM to every process left (the namespace as PID 1, our
 *             descendants as a subreaper), SIGKILL after 2 s at most
 *   DONE      ev_break: main() exits with sup_exit_status()
 * A second SIGTERM/SIGINT skips every remaining wait. */
#include "config.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "common/log.h"
#include "common/procstat.h"
#include "common/strv.h"
#include "supervisor/notify.h"
#include "supervisor/service.h"
#include "supervisor/supervisor.h"

#define LEFTOVER_GRACE 2.0 /* seconds between SIGTERM and SIGKILL for leftovers */

enum phase { PHASE_BOOT, PHASE_RUN, PHASE_DRAIN, PHASE_SERVICES, PHASE_LEFTOVERS, PHASE_DONE };

struct retired { /* a configuration still referenced by a service being removed */
	struct conf *conf;
	struct retired *next;
};

struct sup {
	struct ev_loop *loop;
	struct conf *conf;
	struct sup_options o;
	struct svc **svcs;
	size_t n;
	struct svc **gone;       /* removed by reload, still stopping */
	size_t n_gone;
	struct retired *retired;
	struct svc *main;
	enum phase phase;
	bool immediate;
	bool ready_sent;
	bool stop_asked;         /* -R: a stop signal was forwarded to the command */
	int status;              /* decided exit status, or -1 */
	char why[160];           /* why tend ends, the first cause (termination log) */
	unsigned left;           /* leftovers signalled and not reaped yet */
	ev_child child_w;
	ev_idle collect;         /* frees removed services once they are down */
	ev_timer phase_timer;
	pid_t client;            /* tendctl that asked for the shutdown, or 0 */
	ev_io client_io;         /* its pidfd, while the sweep waits for it */
	struct notify_server *notify;
};

static void next_phase(struct sup *s);

struct ev_loop *sup_loop(const struct sup *s) { return s->loop; }
const struct conf *sup_conf(const struct sup *s) { return s->conf; }
size_t sup_n_services(const struct sup *s) { return s->n; }
struct svc *sup_service(const struct sup *s, size_t i) { return i < s->n ? s->svcs[i] : NULL; }
bool sup_single(const struct sup *s) { return s->o.single; }
/* stop_asked: with -R, the command's end after a forwarded stop signal is
 * not restarted (the restart policy is off while tend stops). */
bool sup_is_stopping(const struct sup *s) { return s->phase > PHASE_RUN || s->stop_asked; }
bool sup_may_start(const struct sup *s) { return s->phase == PHASE_RUN; }

struct svc *sup_find(const struct sup *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->svcs[i]->conf->name, name) == 0)
			return s->svcs[i];
	return NULL;
}

bool sup_is_ready(const struct sup *s)
{
	if (s->phase != PHASE_RUN)
		return false;
	if (s->main)
		return svc_ready_or_done(s->main);
	/* With no main: every service ready, or ended well, or stopped on
	 * request. */
	for (size_t i = 0; i < s->n; i++) {
		enum svc_state st = svc_state(s->svcs[i]);
		if (st != SVC_READY && st != SVC_EXITED && st != SVC_STOPPED && st != SVC_DISABLED)
			return false;
	}
	return s->n > 0;
}

/* ---- children -------------------------------------------------------- */

static struct svc *find_pid(struct sup *s, pid_t pid)
{
	for (size_t i = 0; i < s->n; i++)
		if (svc_leader(s->svcs[i]) == pid)
			return s->svcs[i];
	for (size_t i = 0; i < s->n_gone; i++)
		if (svc_leader(s->gone[i]) == pid)
			return s->gone[i];
	return NULL;
}

/* Our children from /proc/self/task/TID/children (one read; tend has one
 * thread). Returns how many, or -1 when the kernel does not offer it. */
static int children_file(int sig)
{
	char path[64], buf[8192];
	snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	size_t len = fread(buf, 1, sizeof(buf) - 1, f);
	bool whole = feof(f);
	fclose(f);
	if (!whole)
		return -1; /* more children than the buffer: walk /proc instead */
	buf[len] = 0;
	int n = 0;
	for (char *t = strtok(buf, " \n"); t; t = strtok(NULL, " \n")) {
		n++;
		if (sig)
			kill((pid_t)strtol(t, NULL, 10), sig);
	}
	return n;
}

struct proc_pp {
	pid_t pid, ppid;
	bool ours;
};

struct proc_list {
	struct proc_pp *v;
	size_t n, cap;
};

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = ((const struct proc_pp *)a)->pid, y = ((const struct proc_pp *)b)->pid;
	return (x > y) - (x < y);
}

static int add_proc(const struct proc_stat *st, void *ud)
{
	struct proc_list *l = ud;
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 256;
		struct proc_pp *nv = realloc(l->v, nc * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		l->v = nv;
		l->cap = nc;
	}
	l->v[l->n++] = (struct proc_pp){ .pid = st->pid, .ppid = st->ppid };
	return 0;
}

/* Every descendant of ours, as the contract says of a subreaper's sweep,
 * not only our children: a child's own children would otherwise get the
 * SIGTERM only after their parent ended and they came to us, which is
 * after the sweep. One pass over /proc, then the set grows from our pid
 * until it stops growing. Signals them (sig 0: none) and returns how
 * many of them are our children, or < 0 (no /proc, no memory). */
static int signal_descendants(int sig)
{
	struct proc_list l = { 0 };
	pid_t self = getpid();
	int r = proc_each(add_proc, &l);

	if (r < 0) {
		free(l.v);
		return r;
	}
	qsort(l.v, l.n, sizeof(*l.v), cmp_pid);
	for (bool grew = true; grew;) {
		grew = false;
		for (size_t i = 0; i < l.n; i++) {
			if (l.v[i].ours)
				continue;
			struct proc_pp key = { .pid = l.v[i].ppid };
			struct proc_pp *parent = bsearch(&key, l.v, l.n, sizeof(*l.v), cmp_pid);
			if (l.v[i].ppid == self || (parent && parent->ours))
				l.v[i].ours = grew = true;
		}
	}
	int children = 0;
	for (size_t i = 0; i < l.n; i++) {
		if (!l.v[i].ours)
			continue;
		if (l.v[i].ppid == self)
			children++;
		if (sig)
			kill(l.v[i].pid, sig);
	}
	free(l.v);
	return children;
}

/* Signal (sig 0: only count) every child of ours, reparented orphans
 * included, and every descendant of theirs. Returns how many children
 * there were. */
static unsigned signal_children(int sig)
{
	int r = sig ? signal_descendants(sig) : children_file(0);
	if (r < 0)
		r = signal_descendants(sig); /* counted from /proc */
	if (r < 0 && sig)
		r = children_file(sig); /* no memory: our children at least */
	return r < 0 ? 0 : (unsigned)r;
}

/* The processes of ours left, signalled with sig (0: only counted). As
 * PID 1: everything in the namespace (1 when there is any, kill(-1) does
 * not count). As a subreaper: our descendants (counted: our children). */
static unsigned leftovers(const struct sup *s, int sig)
{
	if (s->o.pid1)
		return kill(-1, sig) == 0;
	return signal_children(sig);
}

/* libev reaps every child (waitpid(-1) in its SIGCHLD handling); this
 * catch-all watcher sees each one: a service's pid goes to its service,
 * anything else was an orphan that came to us. */
static void child_cb(struct ev_loop *loop, ev_child *w, int revents)
{
	struct sup *s = w->data;
	struct svc *v = find_pid(s, w->rpid);

	if (v) {
		svc_exited(v, w->rstatus);
	} else {
		for (size_t i = 0; i < s->n; i++)
			svc_group_check(s->svcs[i]);
		for (size_t i = 0; i < s->n_gone; i++)
			svc_group_check(s->gone[i]);
	}
	/* As a subreaper, counting leftovers reads /proc: do it once the
	 * children signalled are all reaped, not after every one. */
	if (s->phase == PHASE_LEFTOVERS) {
		if (!s->o.pid1 && s->left > 1) {
			s->left--;
			return;
		}
		s->left = leftovers(s, 0);
		if (!s->left)
			next_phase(s);
	}
}

/* ---- dependencies ---------------------------------------------------- */

static bool depends_on(const struct svc *v, const char *name)
{
	return strv_contains(v->conf->after, name);
}

/* Start v if everything it is after is ready; hold it back for good when
 * something it needs has failed. */
static void try_start(struct sup *s, struct svc *v)
{
	if (svc_state(v) != SVC_WAITING || svc_held_back(v) || svc_stays_down(v) || !sup_may_start(s))
		return;
	for (char **a = v->conf->after; a && *a; a++) {
		struct svc *d = sup_find(s, *a);
		if (!d)
			continue; /* validated away; a reload may race: ignore */
		enum svc_state ds = svc_state(d);
		if (ds == SVC_FAILED || svc_held_back(d) || (ds == SVC_EXITED && !svc_ready_or_done(d))) {
			log_full(LOG_LVL_ERROR, 0, v->conf->name, "not started: '%s' %s", d->conf->name,
				 ds == SVC_FAILED ? "failed" : "ended");
			svc_hold_back(v);
			return;
		}
		if (!svc_ready_or_done(d))
			return;
	}
	svc_start(v);
}

static void start_due(struct sup *s)
{
	for (size_t i = 0; i < s->n; i++)
		try_start(s, s->svcs[i]);
}

/* ---- the end --------------------------------------------------------- */

int sup_exit_status(const struct sup *s)
{
	if (s->status >= 0)
		return s->status;
	if (s->main)
		return svc_exit_code(s->main);
	return 0;
}

/* Why tend ends, for the termination log: the first cause wins (the ends
 * seen during the shutdown it caused change nothing). */
static void set_why(struct sup *s, const char *fmt, ...) _printf_(2, 3);
static void set_why(struct sup *s, const char *fmt, ...)
{
	va_list ap;
	if (s->why[0])
		return;
	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
}

/* The end of the main service. Ended under a restart policy that covers
 * that end, it gave up at restart_limit (it would restart otherwise). */
static void set_why_service(struct sup *s, const struct svc *v)
{
	const struct conf_service *c = v->conf;
	bool gave_up = c->restart_limit && !svc_held_back(v) &&
		       (c->restart == CONF_RESTART_ALWAYS ||
			(c->restart == CONF_RESTART_ON_FAILURE && svc_state(v) == SVC_FAILED));
	char b[32];

	if (svc_held_back(v))
		set_why(s, "%s not started: a service it is after failed", c->name);
	else if (gave_up && c->restart_window_ms % 1000 == 0)
		set_why(s, "%s failed: %u restarts in %llus", c->name, c->restart_limit,
			(unsigned long long)(c->restart_window_ms / 1000));
	else if (gave_up)
		set_why(s, "%s failed: %u restarts in %s", c->name, c->restart_limit,
			fmt_ms(b, sizeof(b), c->restart_window_ms));
	else if (v->start_error || v->last_status < 0)
		set_why(s, "%s could not start (%d)", c->name, svc_exit_code(v));
	else if (WIFSIGNALED(v->last_status))
		set_why(s, "%s killed by %s", c->name, conf_signal_name(WTERMSIG(v->last_status)));
	else
		set_why(s, "%s exited with %d", c->name, WEXITSTATUS(v->last_status));
}

const char *sup_end_reason(const struct sup *s)
{
	return s->why[0] ? s->why : NULL;
}

static void sup_fail(struct sup *s, int status)
{
	set_why(s, "tend could not set itself up (exit %d)", status);
	s->status = status;
	sup_shutdown(s);
}

void sup_boot_done(struct sup *s, int status)
{
	if (s->phase != PHASE_BOOT)
		return; /* a shutdown came first: it goes on as it began */
	if (status) {
		sup_fail(s, status);
		return;
	}
	s->phase = PHASE_RUN;
	start_due(s);
}

static void client_wait_end(struct sup *s)
{
	if (!ev_is_active(&s->client_io))
		return;
	ev_io_stop(s->loop, &s->client_io);
	safe_close(s->client_io.fd);
}

static void client_gone_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct sup *s = w->data;
	client_wait_end(s);
	next_phase(s);
}

/* As PID 1 the sweep reaches every process of the namespace, the `runc
 * exec tendctl shutdown` that asked for it included: its answer is written
 * already; give it LEFTOVER_GRACE to read it and end by itself (a pidfd
 * says when, no polling). Returns true while waiting. */
static bool wait_for_client(struct sup *s)
{
	pid_t pid = s->client;
	s->client = 0;
	if (pid <= 1 || !s->o.pid1 || s->immediate)
		return false;
#ifdef SYS_pidfd_open
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		return false; /* gone already, or a kernel without pidfds */
	ev_io_set(&s->client_io, fd, EV_READ);
	ev_io_start(s->loop, &s->client_io);
	ev_timer_set(&s->phase_timer, LEFTOVER_GRACE, 0.);
	ev_timer_start(s->loop, &s->phase_timer);
	return true;
#else
	return false;
#endif
}

static void phase_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct sup *s = w->data;
	client_wait_end(s); /* waited long enough for the client */
	if (s->phase == PHASE_LEFTOVERS) {
		log_warn("processes left after %.0fs, sending SIGKILL", LEFTOVER_GRACE);
		leftovers(s, SIGKILL);
		/* What is left now dies; its reaping ends the phase, or the
		 * kernel had nothing to reap and we are done. */
		if (!leftovers(s, 0))
			next_phase(s);
		return;
	}
	next_phase(s);
}

/* Stop every service that nothing live depends on; enter the next phase
 * when none is left. */
static void stop_services(struct sup *s)
{
	bool any = false;
	for (size_t i = 0; i < s->n; i++) {
		struct svc *v = s->svcs[i];
		if (svc_state(v) == SVC_WAITING || svc_state(v) == SVC_BACKOFF || svc_due(v)) {
			svc_stop(v, false, false);
			continue;
		}
		if (!svc_alive(v))
			continue;
		any = true;
		/* Already on its way: nothing to decide. Asked first, as this
		 * runs at every end during the shutdown, and the scan of who
		 * still needs v made stopping 1,000 services cubic (1.8 s). */
		if (svc_state(v) == SVC_STOPPING && !s->immediate)
			continue;
		bool blocked = false;
		for (size_t j = 0; j < s->n && !blocked; j++)
			blocked = svc_alive(s->svcs[j]) && depends_on(s->svcs[j], v->conf->name);
		if (!blocked)
			svc_stop(v, false, s->immediate);
	}
	for (size_t i = 0; i < s->n_gone; i++)
		if (svc_alive(s->gone[i])) {
			any = true;
			if (s->immediate)
				svc_stop(s->gone[i], true, true);
		}
	if (!any)
		next_phase(s);
}

static void next_phase(struct sup *s)
{
	/* Waiting for a client (wait_for_client): only its end, the grace
	 * or a second SIGTERM goes on, not a late service event. */
	if (ev_is_active(&s->client_io) && !s->immediate)
		return;
	client_wait_end(s);
	ev_timer_stop(s->loop, &s->phase_timer);
	switch (s->phase) {
	case PHASE_BOOT:
	case PHASE_RUN: {
		bool booted = s->phase == PHASE_RUN;
		s->phase = PHASE_DRAIN;
		if (notify_send(s->o.notify_upward, "STOPPING=1") < 0)
			log_debug("cannot send STOPPING=1 upward");
		if (s->conf->tend.drain_ms && !s->immediate && booted) {
			char b[32];
			log_info("draining for %s", fmt_ms(b, sizeof(b), s->conf->tend.drain_ms));
			ev_timer_set(&s->phase_timer, (double)s->conf->tend.drain_ms / 1000.0, 0.);
			ev_timer_start(s->loop, &s->phase_timer);
			return;
		}
		next_phase(s);
		return;
	}
	case PHASE_DRAIN:
		s->phase = PHASE_SERVICES;
		stop_services(s);
		return;
	case PHASE_SERVICES:
		if (wait_for_client(s))
			return;
		s->phase = PHASE_LEFTOVERS;
		if (!leftovers(s, 0)) {
			next_phase(s);
			return;
		}
		s->left = leftovers(s, s->immediate ? SIGKILL : SIGTERM);
		leftovers(s, SIGCONT);
		ev_timer_set(&s->phase_timer, s->immediate ? 0.1 : LEFTOVER_GRACE, 0.);
		ev_timer_start(s->loop, &s->phase_timer);
		return;
	case PHASE_LEFTOVERS:
		s->phase = PHASE_DONE;
		ev_break(s->loop, EVBREAK_ALL);
		return;
	case PHASE_DONE:
		return;
	}
}

void sup_shutdown(struct sup *s)
{
	if (s->phase <= PHASE_RUN) {
		next_phase(s);
		return;
	}
	/* A second request: skip every wait. */
	s->immediate = true;
	switch (s->phase) {
	case PHASE_DRAIN:
		next_phase(s);
		break;
	case PHASE_SERVICES:
		stop_services(s);
		break;
	case PHASE_LEFTOVERS:
		leftovers(s, SIGKILL);
		break;
	default:
		break;
	}
}

void sup_shutdown_for(struct sup *s, pid_t client)
{
	set_why(s, "shutdown by tendctl");
	if (s->phase <= PHASE_RUN)
		s->client = client;
	sup_shutdown(s);
}

/* Nothing running and nothing due to restart: tend is done. */
static void check_all_ended(struct sup *s)
{
	bool success = true;
	if (s->phase != PHASE_RUN)
		return; /* decided already */
	for (size_t i = 0; i < s->n; i++) {
		struct svc *v = s->svcs[i];
		if (svc_active(v) || svc_stays_down(v))
			return;
		/* enabled = no and never started: nothing went wrong */
		if (svc_state(v) != SVC_EXITED && svc_state(v) != SVC_DISABLED)
			success = false;
	}
	if (s->n == 0)
		return;
	log_info("no service left running, shutting down");
	s->status = success ? 0 : 1;
	set_why(s, success ? "all services ended" : "all services ended, not all well");
	sup_shutdown(s);
}

void sup_service_changed(struct sup *s, struct svc *v)
{
	enum svc_state st = svc_state(v);

	/* A removed service that finished stopping is freed after this event,
	 * never inside it (service.c still holds it). */
	for (size_t i = 0; i < s->n_gone; i++)
		if (s->gone[i] == v) {
			if (!svc_alive(v))
				ev_idle_start(s->loop, &s->collect);
			if (s->phase == PHASE_SERVICES && !svc_alive(v))
				stop_services(s);
			return;
		}

	if (s->phase == PHASE_RUN) {
		if (st == SVC_READY || st == SVC_EXITED || st == SVC_FAILED)
			for (size_t i = 0; i < s->n; i++)
				if (s->svcs[i] != v && depends_on(s->svcs[i], v->conf->name))
					try_start(s, s->svcs[i]);
		/* A dependent held back just now may have ended tend already
		 * (its own event ran inside try_start): decide nothing twice. */
		if (s->phase != PHASE_RUN)
			return;
		if (!s->ready_sent && sup_is_ready(s)) {
			s->ready_sent = true;
			log_debug("ready");
			if (notify_send(s->o.notify_upward, "READY=1") < 0)
				log_debug("cannot send READY=1 upward");
		}
		/* A main service with `every` ends tend only when no run is due. */
		if (v == s->main && (st == SVC_EXITED || st == SVC_FAILED) && !svc_due(v)) {
			set_why_service(s, v);
			s->status = svc_exit_code(v);
			if (svc_held_back(v))
				s->status = 1;
			sup_shutdown(s);
			return;
		}
		if (!s->main && (st == SVC_EXITED || st == SVC_FAILED || st == SVC_STOPPED))
			check_all_ended(s);
		return;
	}
	if (s->phase == PHASE_SERVICES && !svc_alive(v))
		stop_services(s);
}

/* ---- signals --------------------------------------------------------- */

void sup_signal(struct sup *s, int sig)
{
	if (s->o.single) {
		/* -R: a stop signal (the set that stops a configuration's tend)
		 * is the operator stopping the container: forwarded as always,
		 * and the end it brings is asked for, not restarted, as a stop
		 * tend sends itself. Between two runs there is no one to
		 * forward it to: tend stops at once. */
		bool stop = sig == SIGTERM || sig == SIGINT || sig == SIGPWR || sig == SIGRTMIN + 3;
		if (stop && s->main && s->main->conf->restart != CONF_RESTART_NO) {
			s->stop_asked = true;
			if (s->main->pid <= 0) {
				set_why(s, "shutdown on SIG%s", conf_signal_name(sig));
				sup_shutdown(s);
				return;
			}
		}
		/* tini's behaviour: everything forwardable goes to the command
		 * (or to what it left in its group, while that is ending). */
		if (s->main)
			(void)svc_forward(s->main, sig);
		return;
	}
	/* The halt signals of LXC (SIGPWR) and systemd (SIGRTMIN+3) mean
	 * what SIGTERM means; SIGRTMIN is no constant for a case label. */
	if (sig == SIGRTMIN + 3)
		goto halt;
	switch (sig) {
	case SIGHUP: {
		char *msg = NULL;
		/* Each change, or each error, was logged where it was found. */
		if (sup_request_reload(s, &msg) == 0)
			log_info("configuration reloaded");
		free(msg);
		break;
	}
	case SIGTERM: case SIGINT: case SIGPWR:
	halt:
		set_why(s, "shutdown on SIG%s", conf_signal_name(sig));
		log_info("SIG%s: %s", conf_signal_name(sig), sup_is_stopping(s) ? "stopping at once" : "shutting down");
		sup_shutdown(s);
		break;
	case SIGUSR1: case SIGUSR2: case SIGQUIT: case SIGWINCH:
		for (size_t i = 0; i < s->n; i++)
			if (!s->main || s->svcs[i] == s->main)
				svc_kill(s->svcs[i], sig);
		break;
	default:
		log_debug("ignoring SIG%s", conf_signal_name(sig));
		break;
	}
}

/* ---- sd_notify -------------------------------------------------------- */

static void notify_cb(pid_t sender, const char *key, const char *value, void *userdata)
{
	struct sup *s = userdata;
	for (size_t i = 0; i < s->n; i++) {
		struct svc *v = s->svcs[i];
		if (v->pid <= 0 || v->conf->ready.kind != CONF_PROBE_NOTIFY || !notify_pid_in_group(sender, v->pid))
			continue;
		if (strcmp(key, "READY") == 0 && strcmp(value, "1") == 0)
			svc_notify_ready(v);
		else if (strcmp(key, "STATUS") == 0)
			svc_notify_status(v, value);
		return;
	}
	log_debug("notify message from pid %d, not of a notify service: ignored", (int)sender);
}

int sup_notify_path(struct sup *s, const char **ret)
{
	if (!s->notify) {
		/* An abstract socket: nothing to clean up in the file system, and
		 * it lives in tend's network namespace only. Its name is the
		 * kernel's choice (NULL): a name nobody can take first. */
		int r = notify_server_open(s->loop, NULL, notify_cb, s, &s->notify);
		if (r < 0)
			return r;
	}
	*ret = notify_server_path(s->notify);
	return 0;
}

/* ---- reload ----------------------------------------------------------- */

static void free_retired(struct sup *s)
{
	if (s->n_gone)
		return; /* a removed service still points into an old conf */
	while (s->retired) {
		struct retired *r = s->retired;
		s->retired = r->next;
		conf_free(r->conf);
		free(r);
	}
}

static void collect_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
	struct sup *s = w->data;
	size_t k = 0;
	ev_idle_stop(loop, w);
	for (size_t i = 0; i < s->n_gone; i++) {
		if (svc_alive(s->gone[i]))
			s->gone[k++] = s->gone[i];
		else
			svc_free(s->gone[i]);
	}
	s->n_gone = k;
	free_retired(s);
}

static bool fp_equal(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

static int append_msg(char **msg, const char *line)
{
	size_t old = *msg ? strlen(*msg) : 0;
	char *m = realloc(*msg, old + strlen(line) + 2);
	if (!m)
		return -ENOMEM;
	if (old)
		m[old++] = '\n';
	strcpy(m + old, line);
	*msg = m;
	return 0;
}

int sup_reload(struct sup *s, struct conf *c, char **ret_msg)
{
	struct svc **svcs = calloc(c->n_services ? c->n_services : 1, sizeof(*svcs));
	struct svc **gone = realloc(s->gone, (s->n_gone + s->n + 1) * sizeof(*gone));
	struct retired *ret = calloc(1, sizeof(*ret));
	char line[512];
	char *msg = NULL;
	int r = -ENOMEM;

	if (gone)
		s->gone = gone;
	if (!svcs || !gone || !ret)
		goto fail;
	/* While booting the new set is applied like any other: start_due()
	 * below starts nothing until sup_boot_done(). */
	/* First everything that can fail, so that a failure changes nothing. */
	for (size_t i = 0; i < c->n_services; i++) {
		if (sup_find(s, c->services[i].name))
			continue;
		r = svc_new(s, &c->services[i], &svcs[i]);
		if (r < 0)
			goto fail;
	}
	if (sup_is_stopping(s)) {
		r = -EBUSY;
		goto fail;
	}
	for (size_t i = 0; i < c->n_services; i++) {
		const struct conf_service *nc = &c->services[i];
		struct svc *old = sup_find(s, nc->name);
		if (!old) {
			snprintf(line, sizeof(line), "'%s' added", nc->name);
			append_msg(&msg, line);
			continue;
		}
		svcs[i] = old;
		if (fp_equal(old->conf->fingerprint, nc->fingerprint)) {
			old->conf = nc; /* the same service: untouched */
			continue;
		}
		if (svc_replace_conf(old, nc) < 0) {
			old->conf = nc;
			log_full(LOG_LVL_WARN, -ENOMEM, nc->name, "restart limit not updated: %m");
		}
		snprintf(line, sizeof(line), "'%s' changed, restarting", nc->name);
		append_msg(&msg, line);
		/* A waiting one starts with the new keys when its turn comes; one
		 * stopped by tendctl stays stopped. */
		if (svc_state(old) != SVC_WAITING && !svc_stays_down(old))
			svc_restart(old);
	}
	for (size_t i = 0; i < s->n; i++) {
		struct svc *old = s->svcs[i];
		if (conf_service_find(c, old->conf->name))
			continue;
		snprintf(line, sizeof(line), "'%s' removed", old->conf->name);
		append_msg(&msg, line);
		svc_stop(old, true, false);
		s->gone[s->n_gone++] = old;
		ev_idle_start(s->loop, &s->collect);
	}
	if (!fp_equal(s->conf->tend_fingerprint, c->tend_fingerprint))
		append_msg(&msg, "changes to [tend] need a restart of tend");
	if (!fp_equal(s->conf->net_fingerprint, c->net_fingerprint))
		append_msg(&msg, "changes to [network] need a restart of tend");

	/* The old configuration lives on while removed services still stop. */
	ret->conf = s->conf;
	ret->next = s->retired;
	s->retired = ret;
	free(s->svcs);
	s->svcs = svcs;
	s->n = c->n_services;
	/* [tend] keys that apply live: main and log stay as they were when they
	 * need a restart; keep tend's own view consistent with what runs. */
	/* [tend] changes wait for a restart of tend (reported above): the
	 * main service stays the one tend started with. */
	const char *main_name = s->main ? s->main->conf->name : NULL;
	s->conf = c;
	s->main = main_name ? sup_find(s, main_name) : NULL;
	free_retired(s);
	for (const char *l = msg; l && *l;) {
		const char *e = strchrnul(l, '\n');
		log_info("reload: %.*s", (int)(e - l), l);
		l = *e ? e + 1 : e;
	}
	start_due(s);
	*ret_msg = msg;
	return 0;
fail:
	for (size_t i = 0; svcs && i < c->n_services; i++)
		if (svcs[i] && !sup_find(s, c->services[i].name))
			svc_free(svcs[i]);
	free(svcs);
	free(ret);
	free(msg);
	conf_free(c);
	return r;
}

int sup_request_reload(struct sup *s, char **ret_msg)
{
	if (!s->o.reload) {
		*ret_msg = strdup("no configuration file to reload (single-command mode)");
		return -EINVAL;
	}
	return s->o.reload(s, ret_msg);
}

/* ---- life ------------------------------------------------------------- */

static int add_services(struct sup *s, struct conf *c)
{
	s->svcs = calloc(c->n_services ? c->n_services : 1, sizeof(*s->svcs));
	if (!s->svcs)
		return -ENOMEM;
	for (size_t i = 0; i < c->n_services; i++) {
		int r = svc_new(s, &c->services[i], &s->svcs[s->n]);
		if (r < 0)
			return r;
		s->n++;
	}
	return 0;
}

int sup_new(struct ev_loop *loop, struct conf *conf, const struct sup_options *o, struct sup **ret)
{
	struct sup *s = calloc(1, sizeof(*s));
	int r;
	if (!s)
		return -ENOMEM;
	s->loop = loop;
	s->conf = conf;
	s->o = *o;
	s->status = -1;
	s->phase = PHASE_BOOT;
	ev_init(&s->phase_timer, phase_timer_cb);
	s->phase_timer.data = s;
	ev_init(&s->client_io, client_gone_cb);
	s->client_io.data = s;
	r = add_services(s, conf);
	if (r < 0) {
		s->conf = NULL; /* the caller still owns it on failure */
		sup_free(s);
		return r;
	}
	if (conf->tend.main)
		s->main = sup_find(s, conf->tend.main);
	ev_idle_init(&s->collect, collect_cb);
	s->collect.data = s;
	ev_child_init(&s->child_w, child_cb, 0, 0);
	s->child_w.data = s;
	ev_child_start(loop, &s->child_w);
	*ret = s;
	return 0;
}

struct sup *sup_free(struct sup *s)
{
	if (!s)
		return NULL;
	ev_child_stop(s->loop, &s->child_w);
	ev_idle_stop(s->loop, &s->collect);
	ev_timer_stop(s->loop, &s->phase_timer);
	client_wait_end(s);
	for (size_t i = 0; i < s->n; i++)
		svc_free(s->svcs[i]);
	for (size_t i = 0; i < s->n_gone; i++)
		svc_free(s->gone[i]);
	free(s->svcs);
	free(s->gone);
	while (s->retired) {
		struct retired *r = s->retired;
		s->retired = r->next;
		conf_free(r->conf);
		free(r);
	}
	notify_server_close(s->notify);
	conf_free(s->conf);
	free(s);
	return NULL;
}
