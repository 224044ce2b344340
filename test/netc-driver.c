/* netc-driver: run netc_start() on a libev loop, for tests and the bench,
 * with the [network] keys given as options (no INI parser needed):
 *
 *   netc-driver [-i IF] [-w MS] [-n RENAME] [-m MTU] [-a ADDR/P]... [-g GW]
 *               [-r 'DST/P[ via GW][ dev X]']... [-d DNS]... [-s DOMAIN]...
 *               [-H NAME=ADDR]... [-x]
 *
 * Prints "ready US" (microseconds from netc_start to done) on success and
 * then waits for a signal, or exits at once with -x. A failure exits 70, as
 * tend does. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "net/netc.h"

static uint64_t t0;
static int result = -1;

static void die(const char *what)
{
	fprintf(stderr, "netc-driver: bad %s\n", what);
	exit(64);
}

static void parse_addr(const char *s, bool prefix, struct conf_addr *a)
{
	char buf[128];
	char *slash, *end;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	memset(a, 0, sizeof(*a));
	a->family = strchr(buf, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(a->family, buf, a->addr) != 1)
		die(s);
	a->prefix = a->family == AF_INET6 ? 128 : 32;
	if (slash) {
		if (!prefix)
			die(s);
		errno = 0;
		unsigned long p = strtoul(slash + 1, &end, 10);
		if (errno || *end || end == slash + 1 || p > a->prefix)
			die(s);
		a->prefix = (unsigned)p;
	}
}

static void *grow(void *p, size_t n, size_t size)
{
	p = realloc(p, (n + 1) * size);
	if (!p)
		exit(71);
	return p;
}

static void done(int r, void *userdata)
{
	(void)userdata;
	result = r;
	uint64_t us = (now_ns() - t0) / 1000;
	if (r >= 0) {
		printf("ready %llu\n", (unsigned long long)us);
		fflush(stdout);
	}
	ev_break(EV_DEFAULT, EVBREAK_ALL);
}

int main(int argc, char **argv)
{
	struct conf_network net = { .present = true, .wait_ms = 5000 };
	size_t n_search = 0;
	bool exit_at_once = false;
	int c;

	log_setup("netc-driver", LOG_LVL_DEBUG, false);
	while ((c = getopt(argc, argv, "i:w:n:m:a:g:r:d:s:H:x")) != -1) {
		char *end;
		switch (c) {
		case 'i': net.interface = optarg; break;
		case 'n': net.rename = optarg; break;
		case 'w':
		case 'm': {
			errno = 0;
			unsigned long long v = strtoull(optarg, &end, 10);
			if (errno || *end || end == optarg || v > UINT32_MAX)
				die(optarg);
			if (c == 'w')
				net.wait_ms = v;
			else
				net.mtu = (unsigned)v;
			break;
		}
		case 'a':
			net.address = grow(net.address, net.n_address, sizeof(*net.address));
			parse_addr(optarg, true, &net.address[net.n_address++]);
			break;
		case 'g':
			net.has_gateway = true;
			parse_addr(optarg, false, &net.gateway);
			break;
		case 'r': {
			struct conf_route *rt;
			char *save = NULL, *tok = strtok_r(optarg, " ", &save);
			if (!tok)
				die("route");
			net.route = grow(net.route, net.n_route, sizeof(*net.route));
			rt = &net.route[net.n_route++];
			memset(rt, 0, sizeof(*rt));
			parse_addr(tok, true, &rt->dst);
			while ((tok = strtok_r(NULL, " ", &save))) {
				char *v = strtok_r(NULL, " ", &save);
				if (!v)
					die("route");
				if (strcmp(tok, "via") == 0) {
					rt->has_via = true;
					parse_addr(v, false, &rt->via);
				} else if (strcmp(tok, "dev") == 0) {
					rt->dev = v;
				} else {
					die("route");
				}
			}
			break;
		}
		case 'd':
			net.dns = grow(net.dns, net.n_dns, sizeof(*net.dns));
			parse_addr(optarg, false, &net.dns[net.n_dns++]);
			break;
		case 's':
			net.dns_search = grow(net.dns_search, n_search + 1, sizeof(char *));
			net.dns_search[n_search++] = optarg;
			net.dns_search[n_search] = NULL;
			break;
		case 'H': {
			char *eq = strchr(optarg, '=');
			if (!eq)
				die(optarg);
			*eq = '\0';
			net.hosts = grow(net.hosts, net.n_hosts, sizeof(*net.hosts));
			net.hosts[net.n_hosts].name = optarg;
			parse_addr(eq + 1, false, &net.hosts[net.n_hosts++].addr);
			break;
		}
		case 'x': exit_at_once = true; break;
		default: die("option");
		}
	}

	struct ev_loop *loop = EV_DEFAULT;
	struct netc *n = NULL;
	t0 = now_ns();
	if (netc_start(loop, &net, done, NULL, &n) < 0)
		return 70;
	ev_run(loop, 0);
	n = netc_free(n);

	free(net.route);
	free(net.address);
	free(net.dns);
	free(net.dns_search);
	free(net.hosts);
	if (result < 0)
		return 70;
	if (!exit_at_once) {
		sigset_t ss;
		int sig;
		sigemptyset(&ss);
		sigaddset(&ss, SIGTERM);
		sigaddset(&ss, SIGINT);
		sigprocmask(SIG_BLOCK, &ss, NULL);
		sigwait(&ss, &sig);
	}
	return 0;
}
