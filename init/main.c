/* main.c: tend's boot sequence. Each stage is one call; the order is the
 * contract's ("PID-1 duties"):
 *
 *   block signals -> arguments -> configuration -> namespaces (-u/-r)
 *   -> subreaper / chdir -> mounts -> hostname -> event loop
 *   -> network (when [network]) -> services -> loop -> exit status
 *
 * Who owns what while the loop runs: the supervisor owns the configuration
 * (a reload replaces and frees it), except [network], which is taken out of
 * it here and owned by main() until the end, so that the network set-up,
 * which runs on the loop, never reads what a reload freed. The supervisor
 * starts out booting and starts no service until net_done() ends its boot
 * (sup_boot_done), whatever arrives meanwhile.
 *
 * Two phases, as catatonit states them: until the loop runs, a failure
 * exits with the contract's status and a named reason (64 usage, 78
 * configuration, 70 tend cannot go on). Once the loop runs, tend never
 * exit()s or abort()s on an error: it logs, temporizes and goes on, because
 * a PID 1 that dies takes the whole container with it. */
#include "config.h"

#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sched.h>
#include <time.h>

#include "common/log.h"
#include "conf/conf.h"
#include "init/mounts.h"
#include "init/ns.h"
#include "init/signals.h"
#include "init/termlog.h"
#include "net/netc.h"
#include "net/netload.h"
#include "supervisor/control.h"
#include "supervisor/http.h"
#include "supervisor/output.h"
#include "supervisor/peer.h"
#include "supervisor/resolve.h"
#include "supervisor/spawn.h"
#include "supervisor/supervisor.h"

#define EXIT_USAGE 64
#define EXIT_SOFTWARE 70
#define EXIT_CONFIG 78

static const char usage_text[] =
	"Usage: tend [-c FILE] [-u NS[,NS...]] [-r DIR] [-R POLICY] [-v|-q] [-- COMMAND [ARG...]]\n"
	"       tend --check [-c FILE] [-- COMMAND...]\n"
	"       tend --version | --help\n"
	"\n"
	"A PID-1 init and service supervisor for containers.\n"
	"\n"
	"  -c, --config FILE    the INI file (default " CONF_DEFAULT_PATH ")\n"
	"      --check          parse and validate only; errors as FILE:LINE: message\n"
	"  -u, --unshare LIST   create namespaces first: pid,mount,uts,ipc,net,cgroup\n"
	"  -r, --root DIR       with mount: pivot_root into DIR\n"
	"  -R, --restart POLICY single-command mode: restart the command on-failure\n"
	"                       or always, with the services' default backoff\n"
	"  -v, --verbose        more logging\n"
	"  -q, --quiet          less logging\n"
	"  -h, --help           this text\n"
	"  -V, --version        the version\n"
	"\n"
	"Exit status: the main service's, 128+N when signal N ended it, 64 usage,\n"
	"78 invalid configuration, 70 when tend itself cannot go on. See tend(8).\n";

struct args {
	const char *config;
	bool config_given;
	bool check;
	const char *unshare;
	const char *root;
	int verbosity;
	const char *restart; /* -R, or NULL */
	char **cmdline; /* after --, NULL-terminated, or NULL */
};

static int usage_error(const char *fmt, ...) _printf_(1, 2);
static int usage_error(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "tend: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'tend --help'.\n");
	return EXIT_USAGE;
}

/* Returns -1 to go on, or an exit status. */
static int parse_args(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'C' },
		{ "unshare", required_argument, NULL, 'u' },
		{ "root", required_argument, NULL, 'r' },
		{ "restart", required_argument, NULL, 'R' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{}
	};
	int c;

	a->config = CONF_DEFAULT_PATH;
	a->verbosity = LOG_LVL_INFO;
	opterr = 0;
	/* '+': stop at the first non-option, so COMMAND's own flags are its. */
	while ((c = getopt_long(argc, argv, "+c:u:r:R:vqhV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': a->config = optarg; a->config_given = true; break;
		case 'C': a->check = true; break;
		case 'u': a->unshare = optarg; break;
		case 'r': a->root = optarg; break;
		case 'R': a->restart = optarg; break;
		case 'v': a->verbosity = LOG_LVL_DEBUG; break;
		case 'q': a->verbosity = LOG_LVL_WARN; break;
		case 'h': fputs(usage_text, stdout); return 0;
		case 'V': printf("%s\n", PACKAGE_STRING); return 0;
		default:
			if (optopt && strchr("curR", optopt))
				return usage_error("option '-%c' needs an argument", optopt);
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc) {
		/* A command must come after "--", like tini's; a bare word is
		 * more likely a mistake than a command. */
		if (strcmp(argv[optind - 1], "--") != 0)
			return usage_error("unexpected argument '%s' (a command goes after '--')", argv[optind]);
		a->cmdline = argv + optind;
	}
	if (a->root && !a->unshare)
		return usage_error("%s", "-r needs -u with mount");
	if (a->restart) {
		if (strcmp(a->restart, "on-failure") != 0 && strcmp(a->restart, "always") != 0)
			return usage_error("unknown restart policy '%s' (on-failure or always)", a->restart);
		/* A file has its own `restart =` for each service. */
		if (a->config_given || !a->cmdline)
			return usage_error("%s", "-R is for single-command mode: a command after '--' and no -c");
	}
	return -1;
}

/* Errors, then warnings (e.g. an `after` naming no service: ignored). */
static void print_diag(const struct conf_diag *d)
{
	for (size_t i = 0; i < d->n; i++)
		fprintf(stderr, "%s\n", d->lines[i]);
	for (size_t i = 0; i < d->n_warnings; i++)
		fprintf(stderr, "%s\n", d->warnings[i]);
}

/* Load the configuration as the contract's `-c`/`--` rules say. Returns
 * -1 to go on with *ret, or an exit status. */
static int load_config(const struct args *a, struct conf **ret, bool *ret_single)
{
	struct conf_diag diag = {};
	int r;

	*ret_single = false;
	if (!a->config_given && access(a->config, F_OK) < 0) {
		if (!a->cmdline) {
			fprintf(stderr, "tend: nothing to run: no %s and no command after '--'\nTry 'tend --help'.\n",
				a->config);
			return EXIT_USAGE;
		}
		*ret_single = true;
		r = conf_from_command(a->cmdline, ret);
		if (r < 0) {
			log_error_errno(r, "cannot set up the command: %m");
			return EXIT_SOFTWARE;
		}
		/* -R: the one service gets the policy; every other key (the
		 * backoff, restart_limit = 0: never give up) keeps its default.
		 * There is no reload in this mode, so the fingerprint the
		 * configuration carries for reloads does not matter. */
		if (a->restart)
			(*ret)->services[0].restart = strcmp(a->restart, "always") == 0 ? CONF_RESTART_ALWAYS
										   : CONF_RESTART_ON_FAILURE;
		return -1;
	}
	if (a->restart) {
		/* The default file exists: this is not single-command mode. */
		fprintf(stderr, "tend: -R is for single-command mode, but %s exists (give its services `restart =`)\nTry 'tend --help'.\n",
			a->config);
		return EXIT_USAGE;
	}
	r = conf_load(a->config, a->cmdline, ret, &diag);
	print_diag(&diag);
	conf_diag_clear(&diag);
	return r < 0 ? EXIT_CONFIG : -1;
}

/* ---- libev: PID 1 must not abort ------------------------------------- */

/* libev calls this on a failed system call it will retry (epoll_wait...).
 * Its default is perror() and abort(): for PID 1 that would end the
 * container. Log (rate-limited) and pause briefly so that a persistent
 * error cannot spin the CPU. */
static void ev_syserr(const char *msg)
{
	static uint64_t last;
	uint64_t now = now_ms();
	if (now - last > 1000) {
		log_error_errno(errno, "%s: %m (retrying)", msg);
		last = now;
	}
	nanosleep(&(struct timespec){ .tv_nsec = 100 * 1000 * 1000 }, NULL);
}

/* libev's allocator: the default aborts when memory runs out. Wait for
 * memory instead (the kernel's OOM killer will choose someone). */
static void *ev_alloc(void *ptr, long size)
{
	if (size == 0) {
		free(ptr);
		return NULL;
	}
	for (unsigned tries = 0;; tries++) {
		void *p = realloc(ptr, (size_t)size);
		if (p)
			return p;
		if (tries % 10 == 0)
			log_error("out of memory (%ld bytes for the event loop), waiting", size);
		nanosleep(&(struct timespec){ .tv_nsec = 100 * 1000 * 1000 }, NULL);
	}
}

/* ---- signals ----------------------------------------------------------- */

/* Every signal tend acts on comes through one signalfd read by one ev_io
 * watcher. (libev's own ev_signal with EVFLAG_SIGNALFD re-creates its
 * signalfd and the mask for each watcher started: ~55 watchers in
 * single-command mode cost ~200 system calls at start.) SIGCHLD stays
 * libev's: it reaps through its own child watchers. */
static ev_io sig_io;

static void signal_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct signalfd_siginfo si;

	/* One signal a wake-up: the watcher is level-triggered, so another
	 * pending one brings us back, and a lone signal costs no extra
	 * read() that would only say EAGAIN. */
	if (read(w->fd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return;
	/* A reload asked for by a service's process could start what it
	 * wrote into tend.ini (section 6 of the contract): ignored. The
	 * kernel's and the host's SIGHUP have a sender outside (pid 0). */
	if (si.ssi_signo == SIGHUP && !sup_single(w->data) && !peer_may_reload((pid_t)si.ssi_pid))
		return;
	sup_signal(w->data, (int)si.ssi_signo);
}

static int watch_signals(struct ev_loop *loop, struct sup *sup, bool single)
{
	/* SIGPWR and SIGRTMIN+3: the halt signals of LXC and systemd. */
	static const int config_signals[] = { SIGTERM, SIGINT, SIGPWR, SIGHUP, SIGUSR1, SIGUSR2, SIGQUIT, SIGWINCH };
	sigset_t set;

	sigemptyset(&set);
	if (single) {
		for (int s = 1; s < NSIG; s++)
			if (sig_forwardable(s))
				sigaddset(&set, s);
	} else {
		for (size_t i = 0; i < ELEMENTSOF(config_signals); i++)
			sigaddset(&set, config_signals[i]);
		sigaddset(&set, SIGRTMIN + 3); /* not a constant */
	}
	int fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0)
		return log_error_errno(errno, "cannot create a signalfd: %m");
	ev_io_init(&sig_io, signal_cb, fd, EV_READ);
	sig_io.data = sup;
	ev_io_start(loop, &sig_io);
	return 0;
}

static void never_cb(struct ev_loop *loop, ev_periodic *w, int revents) {}

/* ---- stages ------------------------------------------------------------- */

static int set_hostname(const char *name, bool own_uts, bool own_etc)
{
	char now[256] = "";

	if (!own_uts) {
		log_warn("no UTS namespace of its own (not a container's PID 1, no -u uts): hostname '%s' not set", name);
		return 0;
	}
	/* runc sets config.json's hostname itself; sethostname needs
	 * CAP_SYS_ADMIN, which a bundle rarely grants: skip it when there is
	 * nothing to change. */
	if (gethostname(now, sizeof(now) - 1) < 0 || strcmp(now, name) != 0) {
		if (sethostname(name, strlen(name)) < 0)
			return log_error_errno(errno, "cannot set the hostname to '%s': %m%s", name,
					       errno == EPERM ? " (tend needs CAP_SYS_ADMIN, or set it in config.json)" : "");
	}
	if (own_etc) {
		char buf[256];
		int n = snprintf(buf, sizeof(buf), "%s\n", name);
		int r = write_file_atomic("/etc/hostname", buf, (size_t)n, 0644);
		if (r < 0)
			log_warn_errno(r, "cannot write /etc/hostname: %m");
	}
	return 0;
}

/* What reload re-reads: the same file and the same `-- COMMAND`. The
 * path is absolute (see keep_config_path). */
static char *reload_path;
static char **reload_cmdline;

static int reload(struct sup *sup, char **ret_msg)
{
	struct conf_diag diag = {};
	struct conf *c = NULL;
	char *msg = NULL;
	size_t len = 0;
	int r = conf_load(reload_path, reload_cmdline, &c, &diag);

	if (r < 0) {
		/* Invalid: nothing changes; the errors go to the log and back
		 * to whoever asked. */
		for (size_t i = 0; i < diag.n; i++) {
			log_error("reload: %s", diag.lines[i]);
			size_t l = strlen(diag.lines[i]);
			char *m = realloc(msg, len + l + 2);
			if (!m)
				break;
			msg = m;
			memcpy(msg + len, diag.lines[i], l);
			len += l;
			msg[len++] = '\n';
			msg[len] = 0;
		}
		if (len)
			msg[--len] = 0;
		conf_diag_clear(&diag);
		*ret_msg = msg;
		return -EINVAL;
	}
	for (size_t i = 0; i < diag.n_warnings; i++)
		log_warn("reload: %s", diag.warnings[i]);
	conf_diag_clear(&diag);
	return sup_reload(sup, c, ret_msg);
}

/* The end of boot: services may start, or tend ends with 70. */
static void net_done(int r, void *userdata)
{
	sup_boot_done(userdata, r < 0 ? EXIT_SOFTWARE : 0);
}

/* tend's working directory (tend(8), WORKING DIRECTORY): where the command
 * and every service without `directory` run, as with tini: the directory
 * tend was started in (a bundle's process.cwd, an image's WORKDIR). After
 * -r's pivot_root, the same path inside the new root when it is a directory
 * there, else "/". Kept as a path: tend itself moves to "/", in every mode,
 * so that it pins no mount. */
static char workdir[PATH_MAX] = "/";

static int workdir_start(void)
{
	if (!getcwd(workdir, sizeof(workdir))) {
		int r = log_warn_errno(errno, "cannot read the working directory, services run in /: %m");
		strcpy(workdir, "/");
		return r;
	}
	return 0;
}

/* The -c path reload will re-read, made absolute from the start directory,
 * because tend leaves that directory (it must pin no mount). Only prefixed,
 * never resolved: a symbolic link on the way that the operator swaps is
 * followed at each reload, as the relative path would have been. With -r,
 * like an absolute -c, it is then that path inside the new root. cwd_r is
 * workdir_start()'s result: a relative path with no known start directory
 * could only be re-read from the wrong place, so tend does not start. */
static int keep_config_path(const char *config, int cwd_r, char **ret)
{
	int n;

	if (config[0] == '/')
		n = asprintf(ret, "%s", config);
	else if (cwd_r < 0)
		return log_error_errno(cwd_r, "cannot keep the relative -c '%s' for reload without the working directory (give an absolute path): %m",
				       config);
	else
		n = asprintf(ret, "%s%s%s", workdir, strcmp(workdir, "/") == 0 ? "" : "/", config);
	return n < 0 ? log_error_errno(-ENOMEM, "cannot keep the -c path: %m") : 0;
}

static void workdir_in_root(void)
{
	struct stat st;
	if (stat(workdir, &st) == 0 && S_ISDIR(st.st_mode))
		return;
	log_debug("working directory %s: not a directory in the new root, using /", workdir);
	strcpy(workdir, "/");
}

/* [network] moved out of c into a configuration of its own (see the top):
 * c keeps every other section. NULL when there is none, or no memory. */
static struct conf *take_network(struct conf *c)
{
	if (!c->net.present)
		return NULL;
	struct conf *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->net = c->net;
	c->net = (struct conf_network){};
	return n;
}

int main(int argc, char **argv)
{
	struct args a = {};
	struct conf *conf = NULL;
	struct sup *sup = NULL;
	struct netc *netc = NULL;
	struct conf *netconf = NULL;
	bool single;
	int ns_flags = 0, r;

	/* Before anything else: a signal that arrives early is kept for the
	 * loop, not acted on by a default handler. */
	sig_block_all();
	log_setup("tend", LOG_LVL_INFO, false);

	r = parse_args(argc, argv, &a);
	if (r >= 0)
		return r;
	log_setup("tend", a.verbosity, false);
	if (a.unshare) {
		const char *bad = NULL;
		if (ns_parse_list(a.unshare, &ns_flags, &bad) < 0)
			return usage_error("unknown namespace '%s' (pid, mount, uts, ipc, net, cgroup)", bad ? bad : "");
		if (a.root && !(ns_flags & CLONE_NEWNS))
			return usage_error("%s", "-r needs -u with mount");
	}

	/* --check judges what a run would load, by the same rules. */
	r = load_config(&a, &conf, &single);
	if (a.check || r >= 0) {
		conf_free(conf);
		return r >= 0 ? r : 0;
	}
	log_set_json(conf->tend.log == CONF_LOG_JSON);
	/* A drop-in for tini says nothing unless something goes wrong. */
	if (single && a.verbosity == LOG_LVL_INFO)
		log_setup("tend", LOG_LVL_WARN, false);

	/* The network module is loaded now, while its file is reachable:
	 * before namespaces and before -r's pivot_root. */
	if (conf->net.present && netload() < 0) {
		conf_free(conf);
		return EXIT_SOFTWARE;
	}

	r = workdir_start();
	if (!single && keep_config_path(a.config, r, &reload_path) < 0) {
		conf_free(conf);
		return EXIT_SOFTWARE;
	}
	if (ns_flags) {
		int exit_status = -1;
		if (ns_enter(ns_flags, a.root, &exit_status) < 0) {
			conf_free(conf);
			return EXIT_SOFTWARE;
		}
		if (exit_status >= 0) { /* the parent outside: the child has ended */
			conf_free(conf);
			free(reload_path);
			return exit_status;
		}
		if (a.root)
			workdir_in_root();
	}
	spawn_set_workdir(workdir);

	/* "Namespaces of its own": PID 1 of a namespace runc (or anyone) made
	 * for us, or the ones we made with -u. PID 1 of a PID namespace that we
	 * made ourselves shares the host's mount and UTS namespaces unless -u
	 * also named them: never remount or rename the host. */
	bool pid1 = getpid() == 1;
	bool borrowed = ns_flags & CLONE_NEWPID;
	bool own_mnt = (pid1 && !borrowed) || (ns_flags & CLONE_NEWNS);
	bool own_uts = (pid1 && !borrowed) || (ns_flags & CLONE_NEWUTS);
	/* A mount namespace of our own does not make /etc ours: only a root
	 * of our own (-r) or a container's PID 1 may write /etc/hostname. */
	bool own_etc = (pid1 && !borrowed) || a.root;
	/* In every mode, not only as PID 1: tend must not pin the file system
	 * it was started from (a umount of it would fail with EBUSY while tend
	 * runs). Services still run there (workdir), and every path kept for
	 * later is absolute by now (reload_path; the file's paths must be).
	 * -r's relative DIR was entered above, and -u pid's relay left in
	 * ns_enter(). */
	if (chdir("/") < 0)
		log_warn_errno(errno, "cannot leave the working directory for /: %m");
	if (!pid1 && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		log_warn_errno(errno, "cannot become a subreaper, orphans will not be reaped: %m");

	if (mnt_setup(conf->tend.mount, own_mnt) < 0) {
		conf_free(conf);
		return EXIT_SOFTWARE;
	}
	if (conf->tend.hostname &&
	    set_hostname(conf->tend.hostname, own_uts, own_etc) < 0) {
		conf_free(conf);
		return EXIT_SOFTWARE;
	}

	/* From here on the loop runs the show (see the comment at the top). */
	ev_set_allocator(ev_alloc);
	ev_set_syserr_cb(ev_syserr);
	struct ev_loop *loop = ev_default_loop(EVFLAG_SIGNALFD | EVFLAG_NOENV);
	if (!loop) {
		log_error("cannot create the event loop");
		conf_free(conf);
		return EXIT_SOFTWARE;
	}
	/* From here on a stderr nobody reads never blocks tend. */
	output_watch_log(loop);

	/* tend's own NOTIFY_SOCKET is for tend alone: kept here, and taken
	 * out of the environment every child inherits (services, probes). */
	char *notify_upward = getenv("NOTIFY_SOCKET") ? strdup(getenv("NOTIFY_SOCKET")) : NULL;
	unsetenv("NOTIFY_SOCKET");
	/* libev caps one wait at 59.7 s (MAX_BLOCKTIME) unless a periodic
	 * watcher exists; with one far in the future it sleeps until
	 * something happens: "idle is idle". */
	ev_periodic never;
	ev_periodic_init(&never, never_cb, ev_time() + 3.0e9, 0., NULL);
	ev_periodic_start(loop, &never);

	/* Probes by name: the resolver is made now, before any service runs
	 * (see resolve.h); a tini-style tend has no probes. */
	if (!single)
		(void)resolve_init(loop);

	struct sup_options so = {
		.single = single,
		.pid1 = pid1,
		.notify_upward = notify_upward,
		.reload = single ? NULL : reload,
	};
	reload_cmdline = a.cmdline;
	if (conf->net.present && !(netconf = take_network(conf))) {
		log_error_errno(-ENOMEM, "cannot set up the network: %m");
		conf_free(conf);
		return EXIT_SOFTWARE;
	}
	r = sup_new(loop, conf, &so, &sup);
	if (r < 0) {
		log_error_errno(r, "cannot set up the services: %m");
		conf_free(conf);
		conf_free(netconf);
		return EXIT_SOFTWARE;
	}
	conf = NULL; /* the supervisor owns it now */
	if (watch_signals(loop, sup, single) < 0) {
		sup_free(sup);
		conf_free(netconf);
		free(notify_upward);
		ev_loop_destroy(loop);
		return EXIT_SOFTWARE;
	}

	/* The control socket and the HTTP status endpoint are for a
	 * configuration's services; a tini-style tend makes no socket. Each
	 * logs its own failure, and tend goes on without it. */
	struct ctl *ctl = NULL;
	struct http *http = NULL;
	if (!single) {
		(void)ctl_open(loop, sup, sup_conf(sup)->tend.control, &ctl);
		(void)http_open(loop, sup, sup_conf(sup)->tend.http, &http);
	}

	if (netconf) {
		r = netc_start(loop, &netconf->net, net_done, sup, &netc);
		if (r < 0)
			sup_boot_done(sup, EXIT_SOFTWARE);
	} else {
		sup_boot_done(sup, 0);
	}

	ev_run(loop, 0);

	r = sup_exit_status(sup);
	if (sup_end_reason(sup)) {
		termlog_write(sup_end_reason(sup));
	} else {
		char why[32];
		snprintf(why, sizeof(why), "tend exited with %d", r);
		termlog_write(why);
	}
	ctl_close(ctl);
	http_close(http);
	netc_free(netc);
	conf_free(netconf);
	sup_free(sup);
	resolve_done();
	output_finish(loop);
	ev_io_stop(loop, &sig_io);
	safe_close(sig_io.fd);
	ev_periodic_stop(loop, &never);
	ev_loop_destroy(loop);
	free(notify_upward);
	free(reload_path);
	return r;
}
