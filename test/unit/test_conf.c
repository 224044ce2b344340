/* test_conf.c: unit tests of conf/ (Check): every value parser, the
 * defaults, the syntax rules, whole-model checks, and the corpus in
 * test/corpus: each file of test/corpus/invalid/ starts with
 * "# expect: LINE: MESSAGE" and must give exactly that one error; each
 * file of test/corpus/valid/ must load. Adding a file adds a case. */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

#include "common/strv.h"
#include "common/util.h"
#include "conf/conf.h"
#include "conf/internal.h"

#ifndef TOP_SRCDIR
#define TOP_SRCDIR "."
#endif

static const char *srcdir(void)
{
	const char *s = getenv("TOP_SRCDIR");
	return s && *s ? s : TOP_SRCDIR;
}

/* Load `text`; returns the model or NULL, with the messages in *d. */
static struct conf *load(const char *text, struct conf_diag *d)
{
	struct conf *c = NULL;
	int r = conf_load_string("t.ini", text, strlen(text), NULL, &c, d);
	ck_assert_int_eq(r == 0, c != NULL);
	return c;
}

static struct conf *load_ok(const char *text)
{
	struct conf_diag d = { 0 };
	struct conf *c = load(text, &d);
	for (size_t i = 0; i < d.n; i++)
		fprintf(stderr, "unexpected: %s\n", d.lines[i]);
	ck_assert_ptr_nonnull(c);
	conf_diag_clear(&d);
	return c;
}

/* The text must give exactly one error, "t.ini:LINE: ...MSG...". */
static void load_bad(const char *text, int line, const char *msg)
{
	struct conf_diag d = { 0 };
	struct conf *c = load(text, &d);
	ck_assert_ptr_null(c);
	for (size_t i = 0; i < d.n; i++)
		fprintf(stderr, "got: %s\n", d.lines[i]);
	ck_assert_uint_eq(d.n, 1);
	char prefix[64];
	snprintf(prefix, sizeof(prefix), line ? "t.ini:%d: " : "t.ini: ", line);
	ck_assert_msg(strncmp(d.lines[0], prefix, strlen(prefix)) == 0, "'%s' does not start with '%s'",
		      d.lines[0], prefix);
	ck_assert_msg(strstr(d.lines[0], msg), "'%s' does not contain '%s'", d.lines[0], msg);
	conf_diag_clear(&d);
}

#define SVC "[service:web]\ncommand = /bin/true\n"

/* Durations */
START_TEST(test_duration)
{
	static const struct { const char *s; uint64_t ms; } good[] = {
		{ "0", 0 },	     { "10", 10000 },	  { "250ms", 250 },  { "10s", 10000 },
		{ "5m", 300000 },    { "1h", 3600000 },	  { "1m30s", 90000 }, { "1.5s", 1500 },
		{ "0.25s", 250 },    { "2h5m", 7500000 }, { "0s", 0 },	      { "1h1m1s1ms", 3661001 },
	};
	static const char *const bad[] = {
		"", "ten", "-1", "-1s", "10 s", " 10s", "10s ", "1d", "10sec", "s", "1.s", ".5s",
		"99999999999999999999", "18446744073709551615h", "5m10", "10ms5", "1e3", "0x10", "+5s",
	};
	for (size_t i = 0; i < ELEMENTSOF(good); i++) {
		uint64_t ms = 42;
		ck_assert_msg(conf_parse_duration(good[i].s, &ms) == 0, "'%s' refused", good[i].s);
		ck_assert_uint_eq(ms, good[i].ms);
	}
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		uint64_t ms = 42;
		ck_assert_msg(conf_parse_duration(bad[i], &ms) == -EINVAL, "'%s' accepted", bad[i]);
		ck_assert_uint_eq(ms, 42); /* untouched */
	}
}
END_TEST

START_TEST(test_signal)
{
	int sig = 0;
	ck_assert_int_eq(conf_parse_signal("TERM", &sig), 0);
	ck_assert_int_eq(sig, SIGTERM);
	ck_assert_int_eq(conf_parse_signal("sigterm", &sig), 0);
	ck_assert_int_eq(sig, SIGTERM);
	ck_assert_int_eq(conf_parse_signal("SIGQUIT", &sig), 0);
	ck_assert_int_eq(sig, SIGQUIT);
	ck_assert_int_eq(conf_parse_signal("hup", &sig), 0);
	ck_assert_int_eq(sig, SIGHUP);
	ck_assert_int_eq(conf_parse_signal("9", &sig), 0);
	ck_assert_int_eq(sig, 9);
	ck_assert_int_eq(conf_parse_signal("RTMIN", &sig), 0);
	ck_assert_int_eq(sig, SIGRTMIN);
	ck_assert_int_eq(conf_parse_signal("rtmin+3", &sig), 0);
	ck_assert_int_eq(sig, SIGRTMIN + 3);
	ck_assert_int_eq(conf_parse_signal("SIGRTMAX-1", &sig), 0);
	ck_assert_int_eq(sig, SIGRTMAX - 1);
	sig = 42;
	static const char *const bad[] = { "", "TERMINATE", "0", "-15", "65", "32", "RTMIN+99", "RTMIN-1",
					   "RTMAX+1", "SIG", "15x", " TERM" };
	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		ck_assert_msg(conf_parse_signal(bad[i], &sig) == -EINVAL && sig == 42, "'%s' accepted", bad[i]);
	ck_assert_str_eq(conf_signal_name(SIGTERM), "TERM");
	ck_assert_str_eq(conf_signal_name(SIGKILL), "KILL");
	ck_assert_str_eq(conf_signal_name(SIGRTMIN + 3), "RTMIN+3");
	/* name and parser agree, both ways */
	for (int s = 1; s <= SIGRTMAX; s++) {
		if (s > 31 && s < SIGRTMIN)
			continue;
		int back = 0;
		ck_assert_int_eq(conf_parse_signal(conf_signal_name(s), &back), 0);
		ck_assert_int_eq(back, s);
	}
}
END_TEST

START_TEST(test_caps)
{
	uint64_t m = 0;
	ck_assert_int_eq(conf_parse_caps("NET_BIND_SERVICE", &m), 0);
	ck_assert_uint_eq(m, UINT64_C(1) << CAP_NET_BIND_SERVICE);
	ck_assert_int_eq(conf_parse_caps("cap_net_bind_service, CAP_CHOWN,net_raw", &m), 0);
	ck_assert_uint_eq(m, (UINT64_C(1) << CAP_NET_BIND_SERVICE) | (UINT64_C(1) << CAP_CHOWN) |
				     (UINT64_C(1) << CAP_NET_RAW));
	ck_assert_int_eq(conf_parse_caps("", &m), 0);
	ck_assert_uint_eq(m, 0);
	m = 7;
	static const char *const bad[] = { "NET_BIND_SERVIC", "CAP_", "net bind service", "a,,b", "NET_RAW,",
					   "cap_cap_chown", "99" };
	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		ck_assert_msg(conf_parse_caps(bad[i], &m) == -EINVAL && m == 7, "'%s' accepted", bad[i]);
}
END_TEST

START_TEST(test_addr)
{
	struct conf_addr a;
	char buf[64];
	ck_assert_int_eq(conf_parse_addr("172.20.0.5/24", true, &a), 0);
	ck_assert_int_eq(a.family, AF_INET);
	ck_assert_uint_eq(a.prefix, 24);
	ck_assert_str_eq(conf_addr_to_string(&a, true, buf, sizeof(buf)), "172.20.0.5/24");
	ck_assert_int_eq(conf_parse_addr("fd00::5/64", true, &a), 0);
	ck_assert_int_eq(a.family, AF_INET6);
	ck_assert_uint_eq(a.prefix, 64);
	ck_assert_int_eq(conf_parse_addr("10.0.0.1", false, &a), 0);
	ck_assert_uint_eq(a.prefix, 32);
	ck_assert_int_eq(conf_parse_addr("::1", false, &a), 0);
	ck_assert_uint_eq(a.prefix, 128);
	ck_assert_int_eq(conf_parse_addr("0.0.0.0/0", true, &a), 0);
	static const struct { const char *s; bool prefix; } bad[] = {
		{ "10.0.0.1", true }, { "10.0.0.1/24", false }, { "10.0.0.1/33", true }, { "::1/129", true },
		{ "10.0.0/24", true }, { "", false }, { "host", false }, { "10.0.0.1/", true },
		{ "10.0.0.1/-1", true }, { "10.0.0.1/ 24", true }, { "1.2.3.4/0024", true },
	};
	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		ck_assert_msg(conf_parse_addr(bad[i].s, bad[i].prefix, &a) == -EINVAL, "'%s' accepted", bad[i].s);
}
END_TEST

START_TEST(test_route_hosts_publish)
{
	struct conf_route rt;
	ck_assert_int_eq(conf_parse_route("10.8.0.0/16 via 172.20.0.254", &rt), 0);
	ck_assert(rt.has_via);
	ck_assert_ptr_null(rt.dev);
	ck_assert_int_eq(conf_parse_route("default via fd00::1 dev eth0", &rt), 0);
	ck_assert_int_eq(rt.dst.family, AF_INET6);
	ck_assert_uint_eq(rt.dst.prefix, 0);
	ck_assert_str_eq(rt.dev, "eth0");
	free(rt.dev);
	ck_assert_int_eq(conf_parse_route("10.9.0.0/16 dev eth1", &rt), 0);
	ck_assert(!rt.has_via);
	free(rt.dev);
	static const char *const bad_routes[] = { "10.8.0.0/16", "10.8.0.0 via 1.2.3.4", "10.8.0.0/16 via",
						  "default", "10.8.0.0/16 via fd00::1", "10.0.0.0/8 via 1.2.3.4 via 1.2.3.5",
						  "10.0.0.0/8 gw 1.2.3.4", "" };
	for (size_t i = 0; i < ELEMENTSOF(bad_routes); i++)
		ck_assert_msg(conf_parse_route(bad_routes[i], &rt) == -EINVAL, "'%s' accepted", bad_routes[i]);

	struct conf_hostent h;
	ck_assert_int_eq(conf_parse_hostent("db=172.20.0.10", &h), 0);
	ck_assert_str_eq(h.name, "db");
	free(h.name);
	ck_assert_int_eq(conf_parse_hostent("db.local = fd00::10", &h), 0);
	free(h.name);
	ck_assert_int_eq(conf_parse_hostent("db", &h), -EINVAL);
	ck_assert_int_eq(conf_parse_hostent("=1.2.3.4", &h), -EINVAL);
	ck_assert_int_eq(conf_parse_hostent("db=1.2.3.4/24", &h), -EINVAL);

	struct conf_publish p;
	ck_assert_int_eq(conf_parse_publish("8090:5000/tcp", &p), 0);
	ck_assert_uint_eq(p.host_port, 8090);
	ck_assert_uint_eq(p.container_port, 5000);
	ck_assert_int_eq(p.proto, IPPROTO_TCP);
	ck_assert_int_eq(conf_parse_publish("53:5353/udp", &p), 0);
	ck_assert_int_eq(p.proto, IPPROTO_UDP);
	ck_assert_int_eq(conf_parse_publish("80:8080", &p), 0);
	ck_assert_int_eq(p.proto, IPPROTO_TCP);
	static const char *const bad_pub[] = { "8090", "0:80", "80:0", "70000:80", "80:80/sctp", ":80", "a:b", "80:80/" };
	for (size_t i = 0; i < ELEMENTSOF(bad_pub); i++)
		ck_assert_msg(conf_parse_publish(bad_pub[i], &p) == -EINVAL, "'%s' accepted", bad_pub[i]);
}
END_TEST

START_TEST(test_split_command)
{
	char **argv = NULL;
	ck_assert_int_eq(conf_split_command("sh -c 'a; b'", &argv), 0);
	ck_assert_uint_eq(strv_length(argv), 3);
	ck_assert_str_eq(argv[2], "a; b");
	strv_free(argv);
	ck_assert_int_eq(conf_split_command("  a\\ b \"c \\\"d\\\" $x\" 'e\\f' \"\" g''h  ", &argv), 0);
	ck_assert_uint_eq(strv_length(argv), 5);
	ck_assert_str_eq(argv[0], "a b");
	ck_assert_str_eq(argv[1], "c \"d\" $x");
	ck_assert_str_eq(argv[2], "e\\f");
	ck_assert_str_eq(argv[3], "");
	ck_assert_str_eq(argv[4], "gh");
	strv_free(argv);
	argv = NULL;
	static const char *const bad[] = { "", "   ", "sh -c 'a", "echo \"x", "trailing\\" };
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		ck_assert_msg(conf_split_command(bad[i], &argv) == -EINVAL, "'%s' accepted", bad[i]);
		ck_assert_ptr_null(argv);
	}
}
END_TEST

START_TEST(test_small_values)
{
	bool b = false;
	static const char *const yes[] = { "yes", "true", "on", "1", "YES", "True" };
	static const char *const no[] = { "no", "false", "off", "0", "NO" };
	for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
		b = false;
		ck_assert(conf_parse_bool(yes[i], &b) == 0 && b);
	}
	for (size_t i = 0; i < ELEMENTSOF(no); i++) {
		b = true;
		ck_assert(conf_parse_bool(no[i], &b) == 0 && !b);
	}
	ck_assert_int_eq(conf_parse_bool("maybe", &b), -EINVAL);
	ck_assert_int_eq(conf_parse_bool("", &b), -EINVAL);

	mode_t m = 0;
	ck_assert(conf_parse_umask("022", &m) == 0 && m == 022);
	ck_assert(conf_parse_umask("0077", &m) == 0 && m == 077);
	ck_assert_int_eq(conf_parse_umask("8", &m), -EINVAL);
	ck_assert_int_eq(conf_parse_umask("01777", &m), -EINVAL);
	ck_assert_int_eq(conf_parse_umask("", &m), -EINVAL);

	rlim_t soft, hard;
	ck_assert(conf_parse_limit("65536", &soft, &hard) == 0 && soft == 65536 && hard == 65536);
	ck_assert(conf_parse_limit("1024:4096", &soft, &hard) == 0 && soft == 1024 && hard == 4096);
	ck_assert(conf_parse_limit("infinity", &soft, &hard) == 0 && soft == RLIM_INFINITY && hard == RLIM_INFINITY);
	ck_assert(conf_parse_limit("10:unlimited", &soft, &hard) == 0 && soft == 10 && hard == RLIM_INFINITY);
	ck_assert_int_eq(conf_parse_limit("unlimited:10", &soft, &hard), -EINVAL);
	ck_assert_int_eq(conf_parse_limit("100:50", &soft, &hard), -EINVAL);
	ck_assert_int_eq(conf_parse_limit("-1", &soft, &hard), -EINVAL);
	ck_assert_int_eq(conf_parse_limit("1:", &soft, &hard), -EINVAL);
	ck_assert_int_eq(conf_limit_resource("limit_nofile"), RLIMIT_NOFILE);
	ck_assert_int_eq(conf_limit_resource("limit_locks"), RLIMIT_LOCKS);
	ck_assert_int_eq(conf_limit_resource("limit_files"), -ENOENT);

	uint8_t se[32];
	ck_assert_int_eq(conf_parse_success_exit("0, 143,255", se), 0);
	ck_assert(se[0] == 1 && (se[143 / 8] >> (143 % 8) & 1) && (se[31] & 0x80));
	ck_assert_int_eq(conf_parse_success_exit("256", se), -EINVAL);
	ck_assert_int_eq(conf_parse_success_exit("1,,2", se), -EINVAL);
	ck_assert_int_eq(conf_parse_success_exit("-1", se), -EINVAL);

	ck_assert(conf_valid_name("web-1.a_b"));
	ck_assert(!conf_valid_name("my web"));
	ck_assert(!conf_valid_name(""));
	ck_assert(!conf_valid_name("a/b"));
	ck_assert(conf_valid_ifname("veth-web12345ab"));   /* 15 */
	ck_assert(!conf_valid_ifname("veth-web12345abc")); /* 16 */
	ck_assert(!conf_valid_ifname("."));
	ck_assert(!conf_valid_ifname(".."));
	ck_assert(!conf_valid_ifname("a:b"));
	ck_assert(!conf_valid_ifname("a b"));
	ck_assert(!conf_valid_ifname("a/b"));

	ck_assert(conf_valid_hostname("db.example.internal"));
	ck_assert(conf_valid_hostname("a_b-c"));
	ck_assert(!conf_valid_hostname("-a"));
	ck_assert(!conf_valid_hostname(".a"));
	ck_assert(!conf_valid_hostname("a b"));
	ck_assert(!conf_valid_hostname(""));

	ck_assert_int_eq(conf_parse_http("127.0.0.1:9000"), 0);
	ck_assert_int_eq(conf_parse_http("[::1]:9000"), 0);
	ck_assert_int_eq(conf_parse_http("0.0.0.0:1"), 0);
	ck_assert_int_eq(conf_parse_http("127.0.0.1"), -EINVAL);
	ck_assert_int_eq(conf_parse_http("::1:9000"), -EINVAL);
	ck_assert_int_eq(conf_parse_http("localhost:9000"), -EINVAL);
	ck_assert_int_eq(conf_parse_http("127.0.0.1:0"), -EINVAL);
	ck_assert_int_eq(conf_parse_http("127.0.0.1:65536"), -EINVAL);
}
END_TEST

START_TEST(test_probe_output)
{
	struct conf_probe p;
	ck_assert_int_eq(conf_parse_probe("none", false, &p), 0);
	ck_assert_int_eq(p.kind, CONF_PROBE_NONE);
	ck_assert_int_eq(conf_parse_probe("tcp://127.0.0.1:5000", false, &p), 0);
	ck_assert_int_eq(p.kind, CONF_PROBE_TCP);
	ck_assert_str_eq(p.host, "127.0.0.1");
	ck_assert_uint_eq(p.port, 5000);
	conf_probe_done(&p);
	ck_assert_int_eq(conf_parse_probe("http://localhost", false, &p), 0);
	ck_assert_int_eq(p.kind, CONF_PROBE_HTTP);
	ck_assert_uint_eq(p.port, 80);
	ck_assert_str_eq(p.path, "/");
	conf_probe_done(&p);
	ck_assert_int_eq(conf_parse_probe("http://[::1]:8080/health?x=1", false, &p), 0);
	ck_assert_str_eq(p.host, "::1");
	ck_assert_uint_eq(p.port, 8080);
	ck_assert_str_eq(p.path, "/health?x=1");
	conf_probe_done(&p);
	ck_assert_int_eq(conf_parse_probe("exec:/bin/sh -c 'test -e /tmp/ok'", false, &p), 0);
	ck_assert_int_eq(p.kind, CONF_PROBE_EXEC);
	ck_assert_uint_eq(strv_length(p.argv), 3);
	ck_assert_str_eq(p.argv[2], "test -e /tmp/ok");
	conf_probe_done(&p);
	ck_assert_int_eq(conf_parse_probe("notify", true, &p), 0);
	ck_assert_int_eq(p.kind, CONF_PROBE_NOTIFY);
	ck_assert_int_eq(conf_parse_probe("notify", false, &p), -EPROTO);
	static const char *const bad[] = { "", "tcp://127.0.0.1", "tcp://:80", "http://", "http://a b/",
					   "http://h:0/", "exec:", "ftp://x", "NONE", "http://[::1/" };
	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		ck_assert_msg(conf_parse_probe(bad[i], true, &p) == -EINVAL, "'%s' accepted", bad[i]);

	struct conf_output o;
	ck_assert(conf_parse_output("inherit", false, &o) == 0 && o.kind == CONF_OUT_INHERIT);
	ck_assert(conf_parse_output("tagged", false, &o) == 0 && o.kind == CONF_OUT_TAGGED);
	ck_assert(conf_parse_output("null", true, &o) == 0 && o.kind == CONF_OUT_NULL);
	ck_assert(conf_parse_output("stdout", true, &o) == 0 && o.kind == CONF_OUT_STDOUT);
	ck_assert(conf_parse_output("/var/log/x", true, &o) == 0 && o.kind == CONF_OUT_FILE);
	ck_assert_str_eq(o.path, "/var/log/x");
	free(o.path);
	ck_assert_int_eq(conf_parse_output("stdout", false, &o), -EPROTO);
	ck_assert_int_eq(conf_parse_output("tagged", true, &o), -EPROTO);
	ck_assert_int_eq(conf_parse_output("x.log", false, &o), -EDOM);
	ck_assert_int_eq(conf_parse_output("", false, &o), -EINVAL);
}
END_TEST

START_TEST(test_defaults)
{
	struct conf *c = load_ok("[service:web]\ncommand = /bin/true\n");
	ck_assert_int_eq(c->tend.mount, CONF_MOUNT_AUTO);
	ck_assert_ptr_null(c->tend.hostname);
	ck_assert_ptr_null(c->tend.main);
	ck_assert_ptr_null(c->tend.http);
	ck_assert_uint_eq(c->tend.stop_timeout_ms, 10000);
	ck_assert_str_eq(c->tend.control, CONF_DEFAULT_CONTROL);
	ck_assert_str_eq(c->tend.control, "/run/tend.sock");
	ck_assert_uint_eq(c->tend.drain_ms, 0);
	ck_assert_int_eq(c->tend.log, CONF_LOG_TEXT);
	ck_assert(!c->net.present);
	ck_assert_ptr_null(c->net.interface);
	ck_assert_uint_eq(c->net.wait_ms, 5000);
	ck_assert(!c->net.nat);
	ck_assert_uint_eq(c->net.n_address + c->net.n_route + c->net.n_dns + c->net.n_hosts + c->net.n_publish, 0);
	ck_assert_uint_eq(c->n_services, 1);
	const struct conf_service *s = conf_service_find(c, "web");
	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_null(conf_service_find(c, "nope"));
	ck_assert_str_eq(s->argv[0], "/bin/true");
	ck_assert_int_eq(s->line, 1);
	ck_assert_int_eq(s->type, CONF_SVC_SIMPLE);
	ck_assert_int_eq(s->restart, CONF_RESTART_ON_FAILURE);
	ck_assert(conf_success_exit(s, 0));
	for (int i = 1; i < 256; i++)
		ck_assert(!conf_success_exit(s, i));
	ck_assert(!conf_success_exit(s, -1) && !conf_success_exit(s, 256));
	ck_assert_uint_eq(s->restart_delay_ms, 100);
	ck_assert_uint_eq(s->restart_delay_max_ms, 30000);
	ck_assert_uint_eq(s->restart_reset_ms, 10000);
	ck_assert_uint_eq(s->restart_limit, 0);
	ck_assert_uint_eq(s->restart_window_ms, 60000);
	ck_assert_int_eq(s->stop_signal, SIGTERM);
	ck_assert_uint_eq(s->stop_timeout_ms, 10000);
	ck_assert_ptr_null(s->directory); /* tend's working directory */
	ck_assert_ptr_null(s->user);
	ck_assert_ptr_null(s->group);
	ck_assert_ptr_null(s->env);
	ck_assert_ptr_null(s->env_file);
	ck_assert_ptr_null(s->after);
	ck_assert_uint_eq(s->capabilities, 0);
	ck_assert(s->no_new_privileges);
	ck_assert_int_eq(s->ready.kind, CONF_PROBE_NONE);
	ck_assert_uint_eq(s->ready_timeout_ms, 60000);
	ck_assert_int_eq(s->health.kind, CONF_PROBE_NONE);
	ck_assert_uint_eq(s->health_interval_ms, 10000);
	ck_assert_uint_eq(s->health_timeout_ms, 2000);
	ck_assert_uint_eq(s->health_retries, 3);
	ck_assert_int_eq(s->out.kind, CONF_OUT_INHERIT);
	ck_assert_int_eq(s->err.kind, CONF_OUT_INHERIT);
	ck_assert(!s->has_umask);
	ck_assert_uint_eq(s->n_limits, 0);
	ck_assert_ptr_nonnull(s->fingerprint);
	ck_assert_ptr_nonnull(c->tend_fingerprint);
	ck_assert_ptr_nonnull(c->net_fingerprint);
	ck_assert_str_eq(c->path, "t.ini");
	conf_free(c);
	ck_assert_ptr_null(conf_free(NULL));
}
END_TEST

/* The service's stop_timeout is [tend]'s, even when [tend] comes later;
 * its own wins. */
START_TEST(test_stop_timeout_inherited)
{
	struct conf *c = load_ok("[service:a]\ncommand = x\n[service:b]\ncommand = y\nstop_timeout = 1s\n"
				 "[tend]\nstop_timeout = 3s\n");
	ck_assert_uint_eq(conf_service_find(c, "a")->stop_timeout_ms, 3000);
	ck_assert_uint_eq(conf_service_find(c, "b")->stop_timeout_ms, 1000);
	conf_free(c);
}
END_TEST

START_TEST(test_contract_example)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/test/corpus/valid/contract-example.ini", srcdir());
	struct conf_diag d = { 0 };
	struct conf *c = NULL;
	int r = conf_load(path, NULL, &c, &d);
	for (size_t i = 0; i < d.n; i++)
		fprintf(stderr, "%s\n", d.lines[i]);
	ck_assert_int_eq(r, 0);
	/* (r2) the example defines db and migrate: no warning, no error */
	ck_assert_uint_eq(d.n_warnings, 0);
	const struct conf_service *cl = conf_service_find(c, "cleanup");
	ck_assert_ptr_nonnull(cl);
	ck_assert_uint_eq(cl->every_ms, 3600000);
	ck_assert(conf_service_find(c, "web")->enabled);
	ck_assert_int_eq(conf_service_find(c, "web")->stop_mode, CONF_STOP_GROUP);
	ck_assert_str_eq(c->tend.hostname, "web");
	ck_assert_str_eq(c->tend.main, "web");
	ck_assert_str_eq(c->tend.http, "127.0.0.1:9000");
	ck_assert_str_eq(c->net.interface, "ceth0");
	ck_assert_str_eq(c->net.rename, "eth0");
	ck_assert_uint_eq(c->net.n_address, 1);
	ck_assert_uint_eq(c->net.address[0].prefix, 24);
	ck_assert(c->net.has_gateway);
	ck_assert_uint_eq(c->net.n_route, 1);
	ck_assert_uint_eq(c->net.mtu, 1500);
	ck_assert_uint_eq(c->net.n_dns, 2);
	ck_assert_str_eq(c->net.dns_search[0], "example.internal");
	ck_assert_uint_eq(c->net.n_hosts, 1);
	ck_assert_str_eq(c->net.bridge, "tend0");
	ck_assert_str_eq(c->net.host_interface, "veth-web");
	ck_assert(c->net.has_host_address && c->net.nat);
	ck_assert_uint_eq(c->net.n_publish, 1);
	const struct conf_service *s = conf_service_find(c, "web");
	ck_assert_uint_eq(strv_length(s->argv), 6);
	ck_assert_str_eq(s->directory, "/app");
	ck_assert_str_eq(s->user, "app");
	ck_assert_str_eq(s->env[0], "DB_HOST=172.20.0.10");
	ck_assert_str_eq(s->env_file, "/etc/tend/web.env");
	ck_assert_uint_eq(strv_length(s->after), 2); /* db, migrate */
	ck_assert_uint_eq(s->capabilities, UINT64_C(1) << CAP_NET_BIND_SERVICE);
	ck_assert_int_eq(s->ready.kind, CONF_PROBE_HTTP);
	ck_assert_str_eq(s->ready.path, "/health");
	ck_assert(s->has_umask && s->umask == 022);
	ck_assert_uint_eq(s->n_limits, 1);
	ck_assert_int_eq(s->limits[0].resource, RLIMIT_NOFILE);
	ck_assert_uint_eq(s->limits[0].soft, 65536);
	conf_free(c);
	conf_diag_clear(&d);
}
END_TEST

/* Debian's inih would cut at 200 characters and see "; b'" as a comment. */
START_TEST(test_long_command_and_semicolons)
{
	char text[4096], arg[2001];
	memset(arg, 'x', 2000);
	arg[2000] = 0;
	arg[0] = '/';
	snprintf(text, sizeof(text), "[service:long]\ncommand = %s end\n[service:sh]\ncommand = sh -c 'a; b' # c\n", arg);
	struct conf *c = load_ok(text);
	const struct conf_service *s = conf_service_find(c, "long");
	ck_assert_uint_eq(strv_length(s->argv), 2);
	ck_assert_uint_eq(strlen(s->argv[0]), 2000);
	ck_assert_str_eq(s->argv[1], "end");
	s = conf_service_find(c, "sh");
	ck_assert_uint_eq(strv_length(s->argv), 5);
	ck_assert_str_eq(s->argv[2], "a; b");
	ck_assert_str_eq(s->argv[3], "#");
	conf_free(c);
}
END_TEST

/* A line of CONF_MAX_LINE bytes is fine; one more byte is an error at
 * that line, and later lines keep their numbers. */
START_TEST(test_max_line)
{
	size_t n = CONF_MAX_LINE + 200;
	char *text = malloc(n), *line = malloc(CONF_MAX_LINE + 2);
	const char *key = "env = A=";
	size_t fill = CONF_MAX_LINE - strlen(key);
	memset(line, 'v', fill);
	line[fill] = 0;
	snprintf(text, n, SVC "%s%s\n", key, line);
	struct conf *c = load_ok(text);
	ck_assert_uint_eq(strlen(c->services[0].env[0]), CONF_MAX_LINE - strlen("env = "));
	conf_free(c);
	snprintf(text, n, SVC "%s%sv\nbad = 1\n", key, line);
	struct conf_diag d = { 0 };
	ck_assert_ptr_null(load(text, &d));
	ck_assert_uint_eq(d.n, 2);
	ck_assert_str_eq(d.lines[0], "t.ini:3: line too long (65537 bytes, at most 65536)");
	ck_assert_str_eq(d.lines[1], "t.ini:4: unknown key 'bad' in [service:web]");
	conf_diag_clear(&d);
	free(text);
	free(line);
}
END_TEST

START_TEST(test_repeatable)
{
	struct conf *c = load_ok("[network]\ninterface = eth0\nroute = 10.1.0.0/16 via 10.0.0.1\n"
				 "route = 10.2.0.0/16 via 10.0.0.2\nhosts = a=1.1.1.1\nhosts = b=2.2.2.2\n"
				 "publish = 80:8080\npublish = 53:53/udp\n"
				 "[service:web]\ncommand = x\nenv = A=1\nenv = B=2\nenv = A=3\n");
	ck_assert_uint_eq(c->net.n_route, 2);
	ck_assert_uint_eq(c->net.route[1].dst.addr[1], 2);
	ck_assert_uint_eq(c->net.n_hosts, 2);
	ck_assert_str_eq(c->net.hosts[1].name, "b");
	ck_assert_uint_eq(c->net.n_publish, 2);
	ck_assert_int_eq(c->net.publish[1].proto, IPPROTO_UDP);
	char **env = c->services[0].env;
	ck_assert_uint_eq(strv_length(env), 3);
	ck_assert_str_eq(env[0], "A=1");
	ck_assert_str_eq(env[2], "A=3");
	conf_free(c);
	/* every other key, twice: an error naming the first line */
	load_bad(SVC "user = a\n\nuser = b\n", 5, "'user' already set at line 3");
	load_bad("[network]\ndns = 1.1.1.1\ndns = 8.8.8.8\n" SVC, 3, "'dns' already set at line 2");
	load_bad(SVC "limit_nofile = 1\nlimit_nofile = 2\n", 4, "'limit_nofile' already set at line 3");
}
END_TEST

START_TEST(test_variables)
{
	setenv("TEND_T_HOST", "db.local", 1);
	setenv("TEND_T_EMPTY", "", 1);
	unsetenv("TEND_T_UNSET");
	struct conf *c = load_ok(SVC "env = A=${TEND_T_HOST}\nenv = B=${TEND_T_UNSET:-fall back}\n"
				 "env = C=$$HOME $HOME ${TEND_T_EMPTY:-x}\nenv = D=${TEND_T_HOST:-no}:$${X}\n"
				 "directory = /srv/${TEND_T_HOST}\n");
	char **env = c->services[0].env;
	ck_assert_str_eq(env[0], "A=db.local");
	ck_assert_str_eq(env[1], "B=fall back");
	ck_assert_str_eq(env[2], "C=$HOME $HOME "); /* set but empty: no default */
	ck_assert_str_eq(env[3], "D=db.local:${X}");
	ck_assert_str_eq(c->services[0].directory, "/srv/db.local");
	conf_free(c);
	load_bad(SVC "env = A=${TEND_T_UNSET}\n", 3, "variable 'TEND_T_UNSET' is not set");
	load_bad(SVC "env = A=${TEND_T_HOST\n", 3, "unterminated '${'");
	load_bad(SVC "env = A=${}\n", 3, "bad variable name ''");
	/* expansion comes before splitting and checking */
	setenv("TEND_T_CMD", "/bin/echo 'a b'", 1);
	c = load_ok("[service:x]\ncommand = ${TEND_T_CMD} c\n");
	ck_assert_uint_eq(strv_length(c->services[0].argv), 3);
	ck_assert_str_eq(c->services[0].argv[1], "a b");
	conf_free(c);
	setenv("TEND_T_DUR", "ten", 1);
	load_bad(SVC "stop_timeout = ${TEND_T_DUR}\n", 3, "bad duration 'ten' for 'stop_timeout'");
}
END_TEST

START_TEST(test_hostname_lengths)
{
	char text[1024], name[100];
	memset(name, 'h', 65);
	name[65] = 0;
	snprintf(text, sizeof(text), "[tend]\nhostname = %s\n" SVC, name);
	load_bad(text, 2, "bad host name");
	name[64] = 0;
	snprintf(text, sizeof(text), "[tend]\nhostname = %s\n[network]\ndns_search = %s.%s.%s.example\n" SVC, name, name, name, name);
	struct conf *c = load_ok(text);
	ck_assert_uint_eq(strlen(c->tend.hostname), 64);
	ck_assert_uint_eq(strlen(c->net.dns_search[0]), 64 * 3 + 10); /* three labels of 64, ".example" */
	conf_free(c);
}
END_TEST

START_TEST(test_syntax)
{
	/* comments, indentation, blank lines, CRLF, BOM */
	struct conf *c = load_ok("\xef\xbb\xbf; c1\r\n  # c2\r\n\r\n\t[service:web]  \r\n  command   =   /bin/true  \r\n");
	ck_assert_str_eq(c->services[0].argv[0], "/bin/true");
	ck_assert_int_eq(c->services[0].line, 4);
	conf_free(c);
	/* no final newline */
	c = load_ok("[service:web]\ncommand = /bin/true");
	conf_free(c);
	load_bad(SVC "restart: no\n", 3, "expected 'key = value'");
	load_bad(SVC "restart\n", 3, "expected 'key = value'");
	load_bad("[service:web] ; comment\ncommand = x\n", 1, "text after ']'");
	load_bad(SVC "  = x\n", 3, "missing key before '='");
	load_bad(SVC "re start = no\n", 3, "bad key 're start'");
	load_bad(SVC "command2 = x\n", 3, "unknown key 'command2' in [service:web]");
	load_bad("[Tend]\n" SVC, 1, "unknown section [Tend]");
	load_bad("[service:]\n" SVC, 1, "bad service name ''");
	load_bad(SVC "env = \x01\n", 3, "control character 0x01");
	/* a NUL: one error, then stop (a binary file is one mistake) */
	static const char bin[] = SVC "\0\0\x7f" "ELF\n\n\n[x\n";
	struct conf_diag d = { 0 };
	ck_assert_int_eq(conf_load_string("t.ini", bin, sizeof(bin) - 1, NULL, &c, &d), -EINVAL);
	ck_assert_uint_eq(d.n, 1);
	ck_assert_str_eq(d.lines[0], "t.ini:3: NUL byte: not a text file");
	conf_diag_clear(&d);
	/* even before any command: no "has no command" after it */
	static const char bin2[] = "[service:web]\n\x7f" "ELF\0\0\n";
	ck_assert_int_eq(conf_load_string("t.ini", bin2, sizeof(bin2) - 1, NULL, &c, &d), -EINVAL);
	ck_assert_uint_eq(d.n, 1);
	ck_assert_str_eq(d.lines[0], "t.ini:2: NUL byte: not a text file");
	conf_diag_clear(&d);
}
END_TEST

/* Every error is reported, in file order, validation errors included. */
START_TEST(test_all_errors)
{
	struct conf_diag d = { 0 };
	const char *text = "[tend]\nstop_timeout = ten\nmain = nope\n[servic:web]\ncommand = x\n"
			   "[service:web]\nrestrat = no\nrestart = no\nrestart = always\n"
			   "[service:a]\nafter = b\ncommand = x\n[service:b]\nafter = a\ncommand = y\n[service:c]\n";
	ck_assert_ptr_null(load(text, &d));
	static const char *const want[] = {
		"t.ini:2: bad duration 'ten' for 'stop_timeout'",
		"t.ini:3: 'main' names unknown service 'nope'",
		"t.ini:4: unknown section [servic:web]",
		"t.ini:6: service 'web' has no command",
		"t.ini:7: unknown key 'restrat' in [service:web]",
		"t.ini:9: 'restart' already set at line 8",
		"t.ini:11: dependency cycle: a -> b -> a",
		"t.ini:16: service 'c' has no command",
	};
	for (size_t i = 0; i < d.n; i++)
		fprintf(stderr, "got: %s\n", d.lines[i]);
	ck_assert_uint_eq(d.n, ELEMENTSOF(want));
	for (size_t i = 0; i < ELEMENTSOF(want); i++)
		ck_assert_str_eq(d.lines[i], want[i]);
	conf_diag_clear(&d);
}
END_TEST

START_TEST(test_after)
{
	struct conf_diag d = { 0 };
	/* (r2) an unknown name is an error, at the `after` line */
	struct conf *c = load("[service:a]\ncommand = x\nafter = b, ghost\n[service:b]\ncommand = y\n", &d);
	ck_assert_ptr_null(c);
	ck_assert_uint_eq(d.n, 1);
	ck_assert_str_eq(d.lines[0], "t.ini:3: 'after' names unknown service 'ghost'");
	conf_diag_clear(&d);
	/* a diamond is no cycle */
	c = load_ok("[service:a]\ncommand = x\nafter = b, c\n[service:b]\ncommand = y\nafter = d\n"
		    "[service:c]\ncommand = z\nafter = d\n[service:d]\ncommand = w\n");
	conf_free(c);
	load_bad("[service:a]\ncommand = x\nafter = b\n[service:b]\ncommand = y\nafter = c\n"
		 "[service:c]\ncommand = z\nafter = b\n",
		 6, "dependency cycle: b -> c -> b");
}
END_TEST

START_TEST(test_cmdline)
{
	char *const cmd[] = { "/bin/sleep", "10", NULL };
	struct conf *c = NULL;
	ck_assert_int_eq(conf_from_command(cmd, &c), 0);
	ck_assert_uint_eq(c->n_services, 1);
	ck_assert_str_eq(c->tend.main, "main");
	const struct conf_service *s = conf_service_find(c, "main");
	ck_assert_int_eq(s->restart, CONF_RESTART_NO);
	ck_assert_str_eq(s->argv[1], "10");
	ck_assert_uint_eq(s->stop_timeout_ms, 10000);
	ck_assert_ptr_nonnull(s->fingerprint);
	conf_free(c);
	char *const empty[] = { NULL };
	c = NULL;
	ck_assert_int_eq(conf_from_command(empty, &c), -EINVAL);
	ck_assert_ptr_null(c);

	/* with a file: added as service main, made the main service */
	struct conf_diag d = { 0 };
	const char *t = "[tend]\nmain = web\nstop_timeout = 4s\n" SVC;
	ck_assert_int_eq(conf_load_string("t.ini", t, strlen(t), cmd, &c, &d), 0);
	ck_assert_uint_eq(c->n_services, 2);
	ck_assert_str_eq(c->tend.main, "main");
	s = conf_service_find(c, "main");
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->stop_timeout_ms, 4000);
	conf_free(c);
	/* a file with no service is fine then */
	t = "[tend]\nlog = json\n";
	ck_assert_int_eq(conf_load_string("t.ini", t, strlen(t), cmd, &c, &d), 0);
	conf_free(c);
	/* and a [service:main] in it is an error */
	t = "[service:main]\ncommand = x\n";
	c = NULL;
	ck_assert_int_eq(conf_load_string("t.ini", t, strlen(t), cmd, &c, &d), -EINVAL);
	ck_assert_ptr_null(c);
	ck_assert_uint_eq(d.n, 1);
	ck_assert_ptr_nonnull(strstr(d.lines[0], "t.ini:1: [service:main] is not allowed"));
	conf_diag_clear(&d);
	load_bad("[tend]\nlog = json\n", 0, "no service to run");
}
END_TEST

START_TEST(test_fingerprint)
{
	struct conf *a = load_ok("[tend]\nstop_timeout = 5s\n[service:web]\ncommand = x  y\nrestart_delay = 1s\n");
	struct conf *b = load_ok("; other text, same meaning\n[service:web]\ncommand = x y\nrestart_delay = 1000ms\n"
				 "[tend]\nstop_timeout = 5000ms\n");
	ck_assert_str_eq(a->services[0].fingerprint, b->services[0].fingerprint);
	ck_assert_str_eq(a->tend_fingerprint, b->tend_fingerprint);
	ck_assert_str_eq(a->net_fingerprint, b->net_fingerprint);
	conf_free(b);
	/* an inherited value that changed is a change of the service, and
	 * not one of [tend] (it is only the services' default) */
	b = load_ok("[tend]\nstop_timeout = 6s\n[service:web]\ncommand = x y\nrestart_delay = 1s\n");
	ck_assert_str_ne(a->services[0].fingerprint, b->services[0].fingerprint);
	ck_assert_str_eq(a->tend_fingerprint, b->tend_fingerprint);
	conf_free(b);
	b = load_ok("[tend]\nstop_timeout = 5s\nhttp = 127.0.0.1:9000\n[service:web]\ncommand = x y\nrestart_delay = 1s\n");
	ck_assert_str_eq(a->services[0].fingerprint, b->services[0].fingerprint);
	ck_assert_str_ne(a->tend_fingerprint, b->tend_fingerprint);
	conf_free(b);
	b = load_ok("[tend]\nstop_timeout = 5s\n[service:web]\ncommand = 'x y'\nrestart_delay = 1s\n");
	ck_assert_str_ne(a->services[0].fingerprint, b->services[0].fingerprint);
	conf_free(b);
	b = load_ok("[tend]\nstop_timeout = 5s\n[network]\nnat = yes\n[service:web]\ncommand = x y\nrestart_delay = 1s\n");
	ck_assert_str_eq(a->services[0].fingerprint, b->services[0].fingerprint);
	ck_assert_str_ne(a->net_fingerprint, b->net_fingerprint);
	conf_free(b);
	conf_free(a);
}
END_TEST

/* Every [network] key that tend-net or tend reads is in the fingerprint:
 * a reload that changes it must say that tend needs a restart. Each pair
 * differs in one key only. */
START_TEST(test_fingerprint_network)
{
	static const char *const pairs[][2] = {
		{ "host_address = 10.9.0.1/24", "host_address = 10.9.0.1/24, fd00::1/64" },
		{ "host_address = 10.9.0.1/24, fd00::1/64", "host_address = 10.9.0.1/24, fd00::2/64" },
		{ "publish = 8080:80", "publish = 127.0.0.1:8080:80" },
		{ "publish = 127.0.0.1:8080:80", "publish = 127.0.0.2:8080:80" },
		{ "publish = 8080:80", "publish = 8080:80/udp" },
		{ "address = 10.9.0.5/24", "address = 10.9.0.5/24, fd00::5/64" },
		{ "route = 10.1.0.0/16 via 10.9.0.1", "route = 10.1.0.0/16 via 10.9.0.2" },
		{ "hosts = a=10.9.0.7", "hosts = a=10.9.0.8" },
		{ "dns = 10.9.0.53", "dns = 10.9.0.54" },
		{ "bridge = br0", "bridge = br1" },
	};
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		char ta[256], tb[256];
		snprintf(ta, sizeof(ta), "[network]\ninterface = eth0\n%s\n[service:web]\ncommand = x\n", pairs[i][0]);
		snprintf(tb, sizeof(tb), "[network]\ninterface = eth0\n%s\n[service:web]\ncommand = x\n", pairs[i][1]);
		struct conf *a = load_ok(ta), *b = load_ok(tb);
		ck_assert_msg(strcmp(a->net_fingerprint, b->net_fingerprint) != 0, "same fingerprint: '%s' and '%s'",
			      pairs[i][0], pairs[i][1]);
		conf_free(a);
		conf_free(b);
	}
}
END_TEST

START_TEST(test_unreadable)
{
	struct conf_diag d = { 0 };
	struct conf *c = NULL;
	ck_assert_int_eq(conf_load("/nonexistent/tend.ini", NULL, &c, &d), -ENOENT);
	ck_assert_ptr_null(c);
	ck_assert_uint_eq(d.n, 1);
	ck_assert_str_eq(d.lines[0], "/nonexistent/tend.ini: no such file or directory");
	conf_diag_clear(&d);
	ck_assert_int_eq(conf_load("/", NULL, &c, &d), -EISDIR);
	ck_assert_str_eq(d.lines[0], "/: is a directory");
	conf_diag_clear(&d);
}
END_TEST

/* The corpus. */
static char **invalid_files, **valid_files;

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **list_dir(const char *sub)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/test/corpus/%s", srcdir(), sub);
	DIR *dir = opendir(path);
	char **l = NULL;
	if (!dir)
		return NULL;
	struct dirent *e;
	while ((e = readdir(dir))) {
		size_t n = strlen(e->d_name);
		if (n < 5 || strcmp(e->d_name + n - 4, ".ini") != 0)
			continue;
		char *p;
		if (asprintf(&p, "%s/%s", path, e->d_name) < 0 || strv_consume(&l, p) < 0)
			abort();
	}
	closedir(dir);
	if (l)
		qsort(l, strv_length(l), sizeof(char *), cmp_str);
	return l;
}

START_TEST(test_corpus_invalid)
{
	const char *path = invalid_files[_i];
	char *text = NULL;
	size_t len;
	ck_assert_int_eq(read_full_file(path, &text, &len), 0);
	const char *first = text;
	if (strncmp(first, "\xef\xbb\xbf", 3) == 0)
		first += 3;
	int line;
	char msg[512];
	ck_assert_msg(sscanf(first, "# expect: %d: %511[^\r\n]", &line, msg) == 2,
		      "%s: first line is not '# expect: LINE: MESSAGE'", path);
	free(text);

	unsetenv("TEND_TEST_SURELY_UNSET");
	struct conf_diag d = { 0 };
	struct conf *c = NULL;
	int r = conf_load(path, NULL, &c, &d);
	for (size_t i = 0; i < d.n; i++)
		fprintf(stderr, "%s\n", d.lines[i]);
	ck_assert_msg(r == -EINVAL, "%s: loaded (%d)", path, r);
	ck_assert_ptr_null(c);
	ck_assert_msg(d.n == 1, "%s: %zu errors, not 1", path, d.n);
	char prefix[4200];
	snprintf(prefix, sizeof(prefix), line ? "%s:%d: " : "%s: ", path, line);
	ck_assert_msg(strncmp(d.lines[0], prefix, strlen(prefix)) == 0, "'%s': not at line %d", d.lines[0], line);
	ck_assert_msg(strstr(d.lines[0] + strlen(prefix), msg), "'%s' does not say '%s'", d.lines[0], msg);
	conf_diag_clear(&d);
}
END_TEST

START_TEST(test_corpus_valid)
{
	const char *path = valid_files[_i];
	setenv("TEND_TEST_VAR", "value", 1);
	unsetenv("TEND_TEST_UNSET_VAR");
	struct conf_diag d = { 0 };
	struct conf *c = NULL;
	int r = conf_load(path, NULL, &c, &d);
	for (size_t i = 0; i < d.n; i++)
		fprintf(stderr, "%s\n", d.lines[i]);
	ck_assert_msg(r == 0, "%s: not loaded (%d)", path, r);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_ge(c->n_services, 1);
	conf_free(c);
	conf_diag_clear(&d);
}
END_TEST

static Suite *conf_suite(void)
{
	Suite *s = suite_create("conf");
	TCase *tc = tcase_create("values");
	tcase_add_test(tc, test_duration);
	tcase_add_test(tc, test_signal);
	tcase_add_test(tc, test_caps);
	tcase_add_test(tc, test_addr);
	tcase_add_test(tc, test_route_hosts_publish);
	tcase_add_test(tc, test_split_command);
	tcase_add_test(tc, test_small_values);
	tcase_add_test(tc, test_probe_output);
	suite_add_tcase(s, tc);

	tc = tcase_create("model");
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_stop_timeout_inherited);
	tcase_add_test(tc, test_contract_example);
	tcase_add_test(tc, test_long_command_and_semicolons);
	tcase_add_test(tc, test_max_line);
	tcase_add_test(tc, test_repeatable);
	tcase_add_test(tc, test_variables);
	tcase_add_test(tc, test_syntax);
	tcase_add_test(tc, test_hostname_lengths);
	tcase_add_test(tc, test_all_errors);
	tcase_add_test(tc, test_after);
	tcase_add_test(tc, test_cmdline);
	tcase_add_test(tc, test_fingerprint);
	tcase_add_test(tc, test_fingerprint_network);
	tcase_add_test(tc, test_unreadable);
	suite_add_tcase(s, tc);

	tc = tcase_create("corpus");
	invalid_files = list_dir("invalid");
	valid_files = list_dir("valid");
	if (strv_length(invalid_files) < 40 || strv_length(valid_files) < 1) {
		fprintf(stderr, "test/corpus not found under '%s' (set TOP_SRCDIR)\n", srcdir());
		exit(EXIT_FAILURE);
	}
	tcase_add_loop_test(tc, test_corpus_invalid, 0, (int)strv_length(invalid_files));
	tcase_add_loop_test(tc, test_corpus_valid, 0, (int)strv_length(valid_files));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(conf_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	strv_free(invalid_files);
	strv_free(valid_files);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
