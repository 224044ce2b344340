/* netload.c: see netload.h. Implements net/netc.h for tend by calling into
 * the loaded module, so that main.c does not know the difference.
 * tend-static (TEND_STATIC) has net/netc.c linked in: nothing to load. */
#include "config.h"

#ifdef TEND_STATIC
#include "net/netload.h"

int netload(void)
{
	return 0;
}
#else

#include <dlfcn.h>
#include <limits.h>
#include <string.h>

#include "common/log.h"
#include "net/netc.h"
#include "net/netload.h"

#define MODULE "tend-netc.so"

static int (*mod_start)(struct ev_loop *, const struct conf_network *, netc_done_fn, void *, struct netc **);
static struct netc *(*mod_free)(struct netc *);
static void (*mod_log_setup)(const char *, int, bool);

static void *try_open(const char *dir, char *tried, size_t len)
{
	char path[PATH_MAX];
	size_t used = strlen(tried);

	if (snprintf(path, sizeof(path), "%s/" MODULE, dir) >= (int)sizeof(path))
		return NULL;
	snprintf(tried + used, len - used, "%s%s", used ? ", " : "", path);
	return access(path, F_OK) == 0 ? dlopen(path, RTLD_NOW | RTLD_LOCAL) : NULL;
}

int netload(void)
{
	char self[PATH_MAX], tried[1024] = "";
	void *h = NULL;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (mod_start)
		return 0;
	if (n > 0) {
		self[n] = 0;
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = 0;
			h = try_open(self, tried, sizeof(tried));
		}
	}
	const char *dirs[] = { TEND_PKGLIBDIR, "/usr/lib/tend", "/usr/local/lib/tend" };
	for (size_t i = 0; !h && i < ELEMENTSOF(dirs); i++)
		if (!strstr(tried, dirs[i]))
			h = try_open(dirs[i], tried, sizeof(tried));
	if (!h) {
		const char *e = dlerror();
		return log_error_errno(-ENOENT, "cannot load the network module " MODULE " (looked in %s)%s%s", tried,
				       e ? ": " : "", e ? e : "");
	}
	mod_start = (__typeof__(mod_start))dlsym(h, "netc_start");
	mod_free = (__typeof__(mod_free))dlsym(h, "netc_free");
	mod_log_setup = (__typeof__(mod_log_setup))dlsym(h, "log_setup");
	if (!mod_start || !mod_free || !mod_log_setup) {
		mod_start = NULL;
		dlclose(h);
		return log_error_errno(-ENOEXEC, "the network module " MODULE " is not tend's (no netc_start)");
	}
	return 0;
}

int netc_start(struct ev_loop *loop, const struct conf_network *net, netc_done_fn done, void *userdata,
	       struct netc **ret)
{
	int r = netload();
	if (r < 0)
		return r;
	/* The module has its own copy of the logger: give it tend's settings. */
	mod_log_setup("tend", log_get_max_level(), log_get_json());
	return mod_start(loop, net, done, userdata, ret);
}

struct netc *netc_free(struct netc *n)
{
	return n && mod_free ? mod_free(n) : NULL;
}
#endif
