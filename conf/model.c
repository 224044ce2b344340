/* model.c: the configuration model's memory: defaults, freeing, look-ups,
 * the single-command model, and fingerprints.
 *
 * Fingerprints are canonical text rendered from the typed model (not from
 * the file's text), so that reload sees "5s" and "5000ms", or a reordered
 * comment, as no change, and sees a changed [tend] stop_timeout inherited
 * by a service as a change of that service. */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strv.h"
#include "common/util.h"
#include "conf/internal.h"

static size_t pow2(size_t x)
{
	size_t p = 1;
	while (p < x)
		p <<= 1;
	return p;
}

int conf_grow(void *arr, size_t used, size_t want, size_t size)
{
	void **a = arr;
	size_t cap = used ? pow2(used) : 0;
	if (want <= cap)
		return 0;
	size_t ncap = pow2(want);
	if (ncap > SIZE_MAX / size)
		return -ENOMEM;
	void *n = realloc(*a, ncap * size);
	if (!n)
		return -ENOMEM;
	*a = n;
	return 0;
}

int conf_strv_append(char ***l, size_t *n, char *s)
{
	int r = conf_grow(l, *n ? *n + 1 : 0, *n + 2, sizeof(char *));
	if (r < 0)
		return r;
	(*l)[(*n)++] = s;
	(*l)[*n] = NULL;
	return 0;
}

struct conf *conf_new(void)
{
	struct conf *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->tend.mount = CONF_MOUNT_AUTO;
	c->tend.stop_timeout_ms = 10000;
	c->tend.drain_ms = 0;
	c->tend.log = CONF_LOG_TEXT;
	c->tend.control = strdup(CONF_DEFAULT_CONTROL);
	c->net.wait_ms = 5000;
	if (!c->tend.control)
		return conf_free(c);
	return c;
}

int conf_service_add(struct conf *c, const char *name, int line, size_t *ret_index)
{
	if (conf_grow(&c->services, c->n_services, c->n_services + 1, sizeof(*c->services)) < 0)
		return -ENOMEM;
	struct conf_service *s = &c->services[c->n_services];
	*s = (struct conf_service){
		.line = line,
		.type = CONF_SVC_SIMPLE,
		.restart = CONF_RESTART_ON_FAILURE,
		.restart_delay_ms = 100,
		.restart_delay_max_ms = 30000,
		.restart_reset_ms = 10000,
		.restart_window_ms = 60000,
		.restart_limit = 0,
		.stop_signal = SIGTERM,
		.stop_timeout_ms = c->tend.stop_timeout_ms,
		.stop_mode = CONF_STOP_GROUP,
		.reload_signal = SIGHUP,
		.enabled = true,
		.no_new_privileges = true,
		.ready_timeout_ms = 60000,
		.health_interval_ms = 10000,
		.health_timeout_ms = 2000,
		.health_retries = 3,
		.log_max_files = 5,
		.log_buffer = 64 * 1024,
	};
	s->success_exit[0] = 1; /* exit code 0 */
	s->name = strdup(name);
	/* directory: NULL is tend's own working directory (spawn.c). */
	if (!s->name) {
		conf_service_done(s);
		return -ENOMEM;
	}
	*ret_index = c->n_services++;
	return 0;
}

void conf_probe_done(struct conf_probe *p)
{
	free(p->host);
	free(p->path);
	strv_free(p->argv);
	*p = (struct conf_probe){ .kind = CONF_PROBE_NONE };
}

void conf_service_done(struct conf_service *s)
{
	free(s->name);
	strv_free(s->argv);
	free(s->directory);
	free(s->user);
	free(s->group);
	strv_free(s->env);
	free(s->env_file);
	strv_free(s->after);
	conf_probe_done(&s->ready);
	conf_probe_done(&s->health);
	free(s->out.path);
	free(s->err.path);
	free(s->limits);
	free(s->fingerprint);
	memset(s, 0, sizeof(*s));
}

struct conf *conf_free(struct conf *c)
{
	if (!c)
		return NULL;
	free(c->path);
	free(c->tend.hostname);
	free(c->tend.main);
	free(c->tend.control);
	free(c->tend.http);
	struct conf_network *n = &c->net;
	free(n->interface);
	free(n->rename);
	free(n->address);
	for (size_t i = 0; i < n->n_route; i++)
		free(n->route[i].dev);
	free(n->route);
	free(n->dns);
	strv_free(n->dns_search);
	for (size_t i = 0; i < n->n_hosts; i++)
		free(n->hosts[i].name);
	free(n->hosts);
	free(n->bridge);
	free(n->host_interface);
	free(n->publish);
	for (size_t i = 0; i < c->n_services; i++)
		conf_service_done(&c->services[i]);
	free(c->services);
	free(c->tend_fingerprint);
	free(c->net_fingerprint);
	free(c);
	return NULL;
}

const struct conf_service *conf_service_find(const struct conf *c, const char *name)
{
	for (size_t i = 0; c && name && i < c->n_services; i++)
		if (strcmp(c->services[i].name, name) == 0)
			return &c->services[i];
	return NULL;
}

int conf_from_command(char *const *cmdline, struct conf **ret)
{
	if (!cmdline || !cmdline[0])
		return -EINVAL;
	struct conf *c = conf_new();
	if (!c)
		return -ENOMEM;
	size_t i;
	int r = conf_service_add(c, "main", 0, &i);
	if (r >= 0) {
		/* tini's model: the command runs once, its exit is tend's. */
		c->services[i].restart = CONF_RESTART_NO;
		c->services[i].argv = strv_copy(cmdline);
		c->tend.main = strdup("main");
		r = c->services[i].argv && c->tend.main ? conf_fingerprint(c) : -ENOMEM;
	}
	if (r < 0) {
		conf_free(c);
		return r;
	}
	*ret = c;
	return 0;
}

/* Fingerprint rendering: one "key=value" a line, strings quoted so that
 * no value can pass for another key. */
static void put_str(FILE *f, const char *key, const char *v)
{
	fprintf(f, "%s=", key);
	if (!v) {
		fputs("-\n", f);
		return;
	}
	fputc('\'', f);
	for (const char *p = v; *p; p++) {
		if (*p == '\'' || *p == '\\')
			fputc('\\', f);
		fputc(*p, f);
	}
	fputs("'\n", f);
}

static void put_strv(FILE *f, const char *key, char *const *l)
{
	fprintf(f, "%s=[\n", key);
	for (size_t i = 0; l && l[i]; i++)
		put_str(f, " ", l[i]);
	fputs("]\n", f);
}

static void put_u64(FILE *f, const char *key, uint64_t v)
{
	fprintf(f, "%s=%llu\n", key, (unsigned long long)v);
}

static void put_addr(FILE *f, const char *key, const struct conf_addr *a)
{
	char buf[64];
	fprintf(f, "%s=%s\n", key, conf_addr_to_string(a, true, buf, sizeof(buf)));
}

static void put_probe(FILE *f, const char *key, const struct conf_probe *p)
{
	fprintf(f, "%s=%d\n", key, (int)p->kind);
	put_str(f, " host", p->host);
	put_u64(f, " port", p->port);
	put_str(f, " path", p->path);
	put_strv(f, " argv", p->argv);
}

static void put_service(FILE *f, const void *arg)
{
	const struct conf_service *s = arg;
	put_str(f, "name", s->name);
	put_strv(f, "command", s->argv);
	put_u64(f, "type", s->type);
	put_str(f, "directory", s->directory);
	put_str(f, "user", s->user);
	put_str(f, "group", s->group);
	put_strv(f, "env", s->env);
	put_str(f, "env_file", s->env_file);
	put_strv(f, "after", s->after);
	put_u64(f, "restart", s->restart);
	fputs("success_exit=", f);
	for (size_t i = 0; i < sizeof(s->success_exit); i++)
		fprintf(f, "%02x", s->success_exit[i]);
	fputc('\n', f);
	put_u64(f, "restart_delay", s->restart_delay_ms);
	put_u64(f, "restart_delay_max", s->restart_delay_max_ms);
	put_u64(f, "restart_reset", s->restart_reset_ms);
	put_u64(f, "restart_window", s->restart_window_ms);
	put_u64(f, "restart_limit", s->restart_limit);
	put_u64(f, "stop_signal", (uint64_t)s->stop_signal);
	put_u64(f, "stop_timeout", s->stop_timeout_ms);
	put_u64(f, "stop_mode", s->stop_mode);
	put_u64(f, "reload_signal", (uint64_t)s->reload_signal);
	put_u64(f, "enabled", s->enabled);
	put_u64(f, "every", s->every_ms);
	put_u64(f, "capabilities", s->capabilities);
	put_u64(f, "no_new_privileges", s->no_new_privileges);
	put_probe(f, "ready", &s->ready);
	put_u64(f, "ready_timeout", s->ready_timeout_ms);
	put_probe(f, "health", &s->health);
	put_u64(f, "health_interval", s->health_interval_ms);
	put_u64(f, "health_timeout", s->health_timeout_ms);
	put_u64(f, "health_retries", s->health_retries);
	put_u64(f, "stdout", s->out.kind);
	put_str(f, " path", s->out.path);
	put_u64(f, "stderr", s->err.kind);
	put_str(f, " path", s->err.path);
	put_u64(f, "log_max_size", s->log_max_size);
	put_u64(f, "log_max_files", s->log_max_files);
	put_u64(f, "log_buffer", s->log_buffer);
	if (s->has_umask)
		fprintf(f, "umask=%04o\n", (unsigned)s->umask);
	for (size_t i = 0; i < s->n_limits; i++)
		fprintf(f, "%s=%llu:%llu\n", conf_limit_name(s->limits[i].resource),
			(unsigned long long)s->limits[i].soft, (unsigned long long)s->limits[i].hard);
}

static void put_tend(FILE *f, const void *arg)
{
	const struct conf_tend *t = arg;
	put_str(f, "hostname", t->hostname);
	put_u64(f, "mount", t->mount);
	put_str(f, "main", t->main);
	/* stop_timeout is left out: it is only the services' default, and
	 * shows in their own fingerprints. */
	put_str(f, "control", t->control);
	put_str(f, "http", t->http);
	put_u64(f, "drain", t->drain_ms);
	put_u64(f, "log", t->log);
}

static void put_net(FILE *f, const void *arg)
{
	const struct conf_network *n = arg;
	char buf[64];
	put_u64(f, "present", n->present);
	put_str(f, "interface", n->interface);
	put_u64(f, "wait", n->wait_ms);
	put_str(f, "rename", n->rename);
	for (size_t i = 0; i < n->n_address; i++)
		put_addr(f, "address", &n->address[i]);
	if (n->has_gateway)
		put_addr(f, "gateway", &n->gateway);
	for (size_t i = 0; i < n->n_route; i++) {
		put_addr(f, "route", &n->route[i].dst);
		if (n->route[i].has_via)
			put_addr(f, " via", &n->route[i].via);
		put_str(f, " dev", n->route[i].dev);
	}
	put_u64(f, "mtu", n->mtu);
	for (size_t i = 0; i < n->n_dns; i++)
		put_addr(f, "dns", &n->dns[i]);
	put_strv(f, "dns_search", n->dns_search);
	for (size_t i = 0; i < n->n_hosts; i++)
		fprintf(f, "hosts=%s=%s\n", n->hosts[i].name,
			conf_addr_to_string(&n->hosts[i].addr, false, buf, sizeof(buf)));
	put_str(f, "bridge", n->bridge);
	put_str(f, "host_interface", n->host_interface);
	if (n->has_host_address)
		put_addr(f, "host_address", &n->host_address);
	if (n->has_host_address2)
		put_addr(f, "host_address", &n->host_address2);
	put_u64(f, "nat", n->nat);
	for (size_t i = 0; i < n->n_publish; i++) {
		fprintf(f, "publish=%u:%u/%d\n", n->publish[i].host_port, n->publish[i].container_port,
			n->publish[i].proto);
		if (n->publish[i].has_host_ip)
			put_addr(f, " on", &n->publish[i].host_ip);
	}
}

/* Render with `put` into a new string, replacing *ret. */
static int render(char **ret, void (*put)(FILE *, const void *), const void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return -ENOMEM;
	put(f, arg);
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	free(*ret);
	*ret = buf;
	return 0;
}

int conf_fingerprint(struct conf *c)
{
	for (size_t i = 0; i < c->n_services; i++)
		if (render(&c->services[i].fingerprint, put_service, &c->services[i]) < 0)
			return -ENOMEM;
	if (render(&c->tend_fingerprint, put_tend, &c->tend) < 0 ||
	    render(&c->net_fingerprint, put_net, &c->net) < 0)
		return -ENOMEM;
	return 0;
}
