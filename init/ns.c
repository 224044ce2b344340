/* ns.c: tend's own namespaces. unshare(CLONE_NEWPID) only affects the
 * children of the caller, so tend forks once: the child becomes PID 1 of
 * the new namespace and runs everything; the parent is a thin relay that
 * forwards signals and hands the exit status back, like `unshare --fork`. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/sched.h>

#include "common/log.h"
#include "init/mounts.h"
#include "init/ns.h"

static const struct {
	const char *name;
	int flag;
} ns_names[] = {
	{ "pid", CLONE_NEWPID }, { "mount", CLONE_NEWNS }, { "uts", CLONE_NEWUTS },
	{ "ipc", CLONE_NEWIPC }, { "net", CLONE_NEWNET }, { "cgroup", CLONE_NEWCGROUP },
};

int ns_parse_list(const char *list, int *ret_flags, const char **ret_bad)
{
	static char bad[32];
	const char *p = list;
	int flags = 0;

	for (;;) {
		size_t len = strcspn(p, ",");
		size_t i;

		for (i = 0; i < ELEMENTSOF(ns_names); i++)
			if (strlen(ns_names[i].name) == len && strncmp(p, ns_names[i].name, len) == 0)
				break;
		if (i == ELEMENTSOF(ns_names)) {
			snprintf(bad, sizeof(bad), "%.*s", (int)(len < sizeof(bad) ? len : sizeof(bad) - 1), p);
			if (ret_bad)
				*ret_bad = bad;
			return -EINVAL;
		}
		flags |= ns_names[i].flag;
		if (p[len] == 0)
			break;
		p += len + 1;
	}
	*ret_flags = flags;
	return 0;
}

/* The relay's set: everything the command could be sent, less what must
 * not or cannot be forwarded (as in single-command mode). */
static void relay_sigset(sigset_t *set)
{
	static const int not_forwarded[] = {
		SIGKILL, SIGSTOP, SIGFPE, SIGILL, SIGSEGV, SIGBUS, SIGABRT, SIGTRAP, SIGSYS,
	};

	sigfillset(set);
	for (size_t i = 0; i < ELEMENTSOF(not_forwarded); i++)
		sigdelset(set, not_forwarded[i]);
}

/* The parent outside the PID namespace: forward, wait, report. Not PID 1,
 * one child, no loop library: sigwaitinfo() on blocked signals is enough
 * and takes no wake-up while nothing happens. */
static int relay(pid_t child, int *ret_exit)
{
	sigset_t set;

	relay_sigset(&set);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	for (;;) {
		siginfo_t si;
		int status, sig;
		pid_t p;

		sig = sigwaitinfo(&set, &si);
		if (sig < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (sig == SIGTTIN || sig == SIGTTOU)
			continue;
		if (sig != SIGCHLD) {
			(void)kill(child, sig);
			continue;
		}
		p = waitpid(child, &status, WNOHANG);
		if (p < 0 && errno != EINTR)
			return -errno;
		if (p != child)
			continue;
		if (WIFEXITED(status))
			*ret_exit = WEXITSTATUS(status);
		else
			*ret_exit = 128 + WTERMSIG(status);
		return 0;
	}
}

/* pivot_root(".", ".") stacks the old root on top of the new one at the
 * same place, and umount2(".") then takes it away: no put_old directory
 * is needed in a root that may well be read-only. */
static int enter_root(const char *root)
{
	if (mount(root, root, NULL, MS_BIND | MS_REC, NULL) < 0)
		return log_error_errno(-errno, "cannot bind-mount %s onto itself: %m", root);
	if (chdir(root) < 0)
		return log_error_errno(-errno, "cannot enter %s: %m", root);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return log_error_errno(-errno, "cannot pivot_root into %s: %m", root);
	if (umount2(".", MNT_DETACH) < 0)
		return log_error_errno(-errno, "cannot detach the old root: %m");
	if (chdir("/") < 0)
		return log_error_errno(-errno, "cannot enter the new root: %m");
	return 0;
}

static int setup_mounts(int flags, const char *root)
{
	int r;

	/* Nothing we mount may leak back to the host, nor the host's
	 * later mounts into us. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return log_error_errno(-errno, "cannot make the mounts private: %m");

	if (root) {
		r = enter_root(root);
		if (r < 0)
			return r;
		/* The new root has nothing mounted: every API file system is
		 * required, and /proc is the new PID namespace's. */
		return mnt_setup(CONF_MOUNT_YES, true);
	}

	if (flags & CLONE_NEWPID) {
		r = mnt_fresh_proc();
		if (r < 0)
			return log_error_errno(r, "cannot mount a fresh /proc: %m");
	}
	if (flags & CLONE_NEWNET) {
		r = mnt_fresh_sys();
		if (r < 0)
			return log_error_errno(r, "cannot mount a fresh /sys: %m");
	}
	return 0;
}

/* Fork a child into a new PID namespace, leaving the caller's own children
 * where they were: after unshare(CLONE_NEWPID) every later fork of the
 * parent would land in the child's namespace, and fail with ENOMEM once
 * the child (its init) is gone, which breaks anything forking at exit
 * (LeakSanitizer does). clone3 gives fork semantics with the flag set on
 * the child only. Returns the pid, 0 in the child, or -errno. */
static pid_t fork_newpid(void)
{
	struct clone_args args = {
		.flags = CLONE_NEWPID,
		.exit_signal = SIGCHLD,
	};
	long pid;

	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid >= 0 || errno != ENOSYS)
		return pid < 0 ? -errno : (pid_t)pid;
	/* Kernels before 5.3: the same, at the cost described above. */
	if (unshare(CLONE_NEWPID) < 0)
		return -errno;
	pid = fork();
	return pid < 0 ? -errno : (pid_t)pid;
}

int ns_enter(int flags, const char *root, int *ret_exit)
{
	int r;

	if (root && !(flags & CLONE_NEWNS))
		return log_error_errno(-EINVAL, "-r needs -u mount");

	if (flags & CLONE_NEWPID) {
		pid_t pid;

		pid = fork_newpid();
		if (pid < 0)
			return log_error_errno(pid, "cannot fork into a new PID namespace: %m");
		if (pid > 0) {
			int status = 0;

			/* The relay needs no directory: it must not pin the
			 * one it was started in for as long as the namespace
			 * runs (the child has its own copy of the cwd). */
			if (chdir("/") < 0)
				log_warn_errno(-errno, "cannot leave the working directory for /: %m");
			r = relay(pid, &status);
			if (r < 0) {
				/* Without the relay the namespace would run on
				 * unattended: end it (it is our only child). */
				(void)kill(pid, SIGKILL);
				(void)waitpid(pid, NULL, 0);
				return log_error_errno(r, "cannot wait for the PID namespace: %m");
			}
			*ret_exit = status;
			return 0;
		}
		/* When the relay dies (SIGKILL from outside), so does the
		 * namespace, as with `unshare --kill-child`. */
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	}

	if (flags & ~CLONE_NEWPID) {
		if (unshare(flags & ~CLONE_NEWPID) < 0)
			return log_error_errno(-errno, "cannot create the namespaces: %m");
	}
	if (flags & CLONE_NEWNS) {
		r = setup_mounts(flags, root);
		if (r < 0)
			return r;
	}
	*ret_exit = -1;
	return 0;
}
