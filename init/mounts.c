/* mounts.c: the API file systems, as one table applied row by row.
 *
 * Every row is mounted only where its target is not a mount point yet, so
 * that under runc (which mounted them all) tend does nothing, and so that a
 * second call is harmless. What is mounted is read once from
 * /proc/self/mountinfo: a stat()-based test cannot see a bind mount of a
 * directory onto a directory of the same file system. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/log.h"
#include "init/mounts.h"

struct mnt_row {
	const char *what, *where, *type, *options;
	unsigned long flags;
	bool fatal;                       /* an error even with mount = auto */
	const struct mnt_row *fallback;   /* tried when this one cannot be mounted */
	int (*populate)(void);            /* run after a successful mount */
};

enum { MNT_PROC, MNT_SYS, MNT_DEV, MNT_PTS, MNT_SHM, MNT_MAX_ };

static int populate_dev(void);

/* devtmpfs is refused outside the initial user namespace and may be
 * missing from the kernel: then a tmpfs with the few nodes every program
 * expects, as runc makes it. */
static const struct mnt_row dev_tmpfs = {
	"tmpfs", "/dev", "tmpfs", "mode=0755", MS_NOSUID | MS_STRICTATIME, false, NULL, populate_dev,
};

static const struct mnt_row mnt_table[MNT_MAX_] = {
	[MNT_PROC] = { "proc", "/proc", "proc", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC, true, NULL, NULL },
	[MNT_SYS] = { "sysfs", "/sys", "sysfs", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC, false, NULL, NULL },
	/* devtmpfs is one instance shared with the host: no options, or a
	 * mount here would reconfigure the host's /dev. */
	[MNT_DEV] = { "devtmpfs", "/dev", "devtmpfs", NULL, MS_NOSUID | MS_STRICTATIME, false, &dev_tmpfs, NULL },
	/* A new devpts instance: the ptys of the host stay out of sight, and
	 * ptmxmode lets non-root users open /dev/pts/ptmx. */
	[MNT_PTS] = { "devpts", "/dev/pts", "devpts", "newinstance,ptmxmode=0666,mode=0620",
		      MS_NOSUID | MS_NOEXEC, false, NULL, NULL },
	[MNT_SHM] = { "shm", "/dev/shm", "tmpfs", "mode=1777", MS_NOSUID | MS_NODEV | MS_STRICTATIME, false, NULL, NULL },
};

static int populate_dev(void)
{
	static const struct { const char *name; unsigned major, minor; } nodes[] = {
		{ "/dev/null", 1, 3 }, { "/dev/zero", 1, 5 }, { "/dev/full", 1, 7 },
		{ "/dev/random", 1, 8 }, { "/dev/urandom", 1, 9 }, { "/dev/tty", 5, 0 },
	};
	static const struct { const char *name, *target; } links[] = {
		{ "/dev/fd", "/proc/self/fd" }, { "/dev/stdin", "/proc/self/fd/0" },
		{ "/dev/stdout", "/proc/self/fd/1" }, { "/dev/stderr", "/proc/self/fd/2" },
		{ "/dev/ptmx", "pts/ptmx" }, { "/dev/core", "/proc/kcore" },
	};

	for (size_t i = 0; i < ELEMENTSOF(nodes); i++) {
		if (mknod(nodes[i].name, S_IFCHR | 0666, makedev(nodes[i].major, nodes[i].minor)) < 0 &&
		    errno != EEXIST)
			return -errno;
		/* mknod honours the umask; these must be 0666 whatever it is. */
		if (chmod(nodes[i].name, 0666) < 0)
			return -errno;
	}
	for (size_t i = 0; i < ELEMENTSOF(links); i++)
		if (symlink(links[i].target, links[i].name) < 0 && errno != EEXIST)
			return -errno;
	return 0;
}

/* Mount one row (its fallback if it fails); no test of what is there. */
static int mnt_one(const struct mnt_row *row, const struct mnt_row **ret_used)
{
	int r;

	if (mkdir(row->where, 0755) < 0 && errno != EEXIST)
		return -errno;
	r = RET_NERRNO(mount(row->what, row->where, row->type, row->flags, row->options));
	if (r < 0 && row->fallback)
		return mnt_one(row->fallback, ret_used);
	if (r < 0)
		return r;
	if (row->populate) {
		r = row->populate();
		if (r < 0) {
			(void)umount2(row->where, MNT_DETACH);
			return r;
		}
	}
	if (ret_used)
		*ret_used = row;
	return 0;
}

/* Mark the rows whose target is a mount point. Field 5 of a mountinfo line
 * is the mount point, with spaces escaped as \040: none of our targets has
 * one, so the raw field is compared. */
static int mnt_read_mounted(bool mounted[MNT_MAX_])
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	_cleanup_free_ char *line = NULL;
	size_t size = 0;

	if (!f)
		return -errno;
	while (getline(&line, &size, f) > 0) {
		char *p = line;
		size_t len;

		for (int i = 0; i < 4 && p; i++) {
			p = strchr(p, ' ');
			if (p)
				p++;
		}
		if (!p)
			continue;
		len = strcspn(p, " \n");
		for (int i = 0; i < MNT_MAX_; i++)
			if (strlen(mnt_table[i].where) == len && memcmp(p, mnt_table[i].where, len) == 0)
				mounted[i] = true;
	}
	if (ferror(f))
		return -EIO;
	return 0;
}

static int mnt_failed(enum conf_mount mode, const struct mnt_row *row, int r)
{
	if (mode == CONF_MOUNT_YES || row->fatal)
		return log_error_errno(r, "cannot mount %s on %s: %m", row->type, row->where);
	log_warn_errno(r, "cannot mount %s on %s, going on without it: %m", row->type, row->where);
	return 0;
}

int mnt_setup(enum conf_mount mode, bool own_ns)
{
	bool mounted[MNT_MAX_] = { false };
	int r;

	if (mode == CONF_MOUNT_NO)
		return 0;

	if (!own_ns) {
		char missing[128] = "";

		if (mode == CONF_MOUNT_YES)
			return log_error_errno(-EPERM, "mount = yes needs tend's own namespaces "
					       "(run it as PID 1, or with -u mount)");
		/* No /proc to read: it is the one missing, and we cannot
		 * tell about the others. */
		(void)mnt_read_mounted(mounted);
		for (int i = 0; i < MNT_MAX_; i++)
			if (!mounted[i]) {
				if (missing[0])
					strcat(missing, ", ");
				strcat(missing, mnt_table[i].where);
			}
		if (missing[0])
			log_warn("not PID 1 and no mount namespace of its own: leaving %s unmounted", missing);
		return 0;
	}

	r = mnt_read_mounted(mounted);
	if (r == -ENOENT) {
		/* No /proc: mount it first, then mountinfo tells the rest. */
		r = mnt_one(&mnt_table[MNT_PROC], NULL);
		if (r < 0)
			return mnt_failed(mode, &mnt_table[MNT_PROC], r);
		r = mnt_read_mounted(mounted);
	}
	if (r < 0)
		return log_error_errno(r, "cannot read /proc/self/mountinfo: %m");

	for (int i = 0; i < MNT_MAX_; i++) {
		const struct mnt_row *used = NULL;

		if (mounted[i])
			continue;
		r = mnt_one(&mnt_table[i], &used);
		if (r < 0) {
			r = mnt_failed(mode, &mnt_table[i], r);
			if (r < 0)
				return r;
			continue;
		}
		log_debug("mounted %s on %s", used->type, used->where);
		/* A fresh /dev hides whatever was mounted below the old one. */
		if (i == MNT_DEV)
			mounted[MNT_PTS] = mounted[MNT_SHM] = false;
	}
	return 0;
}

int mnt_fresh_proc(void)
{
	return mnt_one(&mnt_table[MNT_PROC], NULL);
}

int mnt_fresh_sys(void)
{
	return mnt_one(&mnt_table[MNT_SYS], NULL);
}
