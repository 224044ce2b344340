/* conf.h: the typed configuration model, and how to load it.
 *
 * conf_load() reads an INI file (see tend.ini(5)), fills a struct conf with
 * every default of the contract, validates the whole of it and returns it
 * only when it is valid. Every problem found is appended to a struct
 * conf_diag as "FILE:LINE: message"; nothing is applied by this module.
 * What depends on the machine (users, directories, env_file, programs) is
 * deliberately not checked here: that happens when a service starts. */
#ifndef TEND_CONF_H
#define TEND_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#define CONF_DEFAULT_PATH "/etc/tend/tend.ini"
#define CONF_DEFAULT_CONTROL "/run/tend.sock"
#define CONF_MAX_LINE 65536 /* longest accepted line, in bytes */

/* Every error found, in file order. */
struct conf_diag {
	char **lines; /* "FILE:LINE: message", NULL-terminated or NULL */
	size_t n;
	/* Not errors (the model is still returned): "FILE:LINE: warning: ...",
	 * none today; kept for keys that are worth a word but not an error. */
	char **warnings;
	size_t n_warnings;
};
void conf_diag_clear(struct conf_diag *d);
/* Append one formatted message (used by conf/ and by callers that add
 * errors of their own, e.g. "a [service:main] in the file" with `--`). */
int conf_diag_add(struct conf_diag *d, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int conf_diag_warn(struct conf_diag *d, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

enum conf_mount { CONF_MOUNT_AUTO, CONF_MOUNT_YES, CONF_MOUNT_NO };
enum conf_log { CONF_LOG_TEXT, CONF_LOG_JSON };

struct conf_tend {
	char *hostname;  /* NULL: leave it */
	enum conf_mount mount;
	char *main;      /* name of the main service, NULL: none */
	int main_line;
	uint64_t stop_timeout_ms;
	char *control;   /* socket path; "" disables */
	char *http;      /* "ADDR:PORT" or NULL */
	uint64_t drain_ms;
	enum conf_log log;
};

/* An IPv4 or IPv6 address, optionally with a prefix length. */
struct conf_addr {
	int family;          /* AF_INET or AF_INET6 */
	unsigned char addr[16];
	unsigned prefix;     /* for CIDR values; 32/128 when none was given */
};

struct conf_route {
	struct conf_addr dst; /* with prefix */
	bool has_via;
	struct conf_addr via;
	char *dev;            /* optional "dev NAME", NULL: the interface */
};

struct conf_hostent {
	char *name;
	struct conf_addr addr;
};

struct conf_publish {
	uint16_t host_port;
	uint16_t container_port;
	int proto; /* IPPROTO_TCP or IPPROTO_UDP */
	bool has_host_ip;       /* (r2) HOST_IP given: only that address */
	struct conf_addr host_ip;
};

struct conf_network {
	bool present;       /* a [network] section was given */
	int line;           /* its line */
	char *interface;    /* NULL: only lo is brought up */
	uint64_t wait_ms;
	char *rename;
	struct conf_addr *address;  size_t n_address;
	bool has_gateway;
	struct conf_addr gateway;
	struct conf_route *route;   size_t n_route;
	unsigned mtu;               /* 0: leave it */
	struct conf_addr *dns;      size_t n_dns;
	char **dns_search;          /* NULL-terminated or NULL */
	struct conf_hostent *hosts; size_t n_hosts;
	/* host side, read by tend-net */
	char *bridge;
	char *host_interface;
	bool has_host_address;
	struct conf_addr host_address;   /* the first listed */
	bool has_host_address2;          /* (r2) a second, of the other family */
	struct conf_addr host_address2;
	bool nat;
	struct conf_publish *publish; size_t n_publish;
};

enum conf_svc_type { CONF_SVC_SIMPLE, CONF_SVC_ONESHOT };
enum conf_restart { CONF_RESTART_NO, CONF_RESTART_ON_FAILURE, CONF_RESTART_ALWAYS };
/* (r2) who gets stop_signal: the whole process group, or the leader alone
 * (a master that stops its own workers); SIGKILL always goes to the group. */
enum conf_stop_mode { CONF_STOP_GROUP, CONF_STOP_MAIN };

enum conf_probe_kind {
	CONF_PROBE_NONE,
	CONF_PROBE_TCP,    /* tcp://HOST:PORT */
	CONF_PROBE_HTTP,   /* http://HOST[:PORT][/PATH] */
	CONF_PROBE_EXEC,   /* exec:COMMAND (split like command) */
	CONF_PROBE_NOTIFY, /* sd_notify READY=1; only for `ready` */
};

struct conf_probe {
	enum conf_probe_kind kind;
	char *host;   /* tcp/http: numeric address or name ("localhost") */
	uint16_t port;
	char *path;   /* http: starts with '/', default "/" */
	char **argv;  /* exec */
};

enum conf_output_kind {
	CONF_OUT_INHERIT,
	CONF_OUT_NULL,
	CONF_OUT_TAGGED, /* stdout only: relayed through tend, prefixed */
	CONF_OUT_STDOUT, /* stderr only: same place as stdout */
	CONF_OUT_FILE,   /* appended */
};

struct conf_output {
	enum conf_output_kind kind;
	char *path;
};

struct conf_limit {
	int resource; /* RLIMIT_* */
	rlim_t soft, hard;
};

struct conf_service {
	char *name;
	int line;                    /* the [service:NAME] line */
	char **argv;                 /* command, split */
	enum conf_svc_type type;
	char *directory;             /* NULL: tend's working directory */
	char *user, *group;          /* NULL: tend's own */
	char **env;                  /* "K=V", in file order, NULL-terminated or NULL */
	char *env_file;
	char **after;                /* service names, NULL-terminated or NULL */
	enum conf_restart restart;
	uint8_t success_exit[32];    /* bitmap of exit codes 0..255 counting as success */
	uint64_t restart_delay_ms, restart_delay_max_ms, restart_reset_ms, restart_window_ms;
	unsigned restart_limit;      /* 0: never give up */
	int stop_signal;
	uint64_t stop_timeout_ms;
	enum conf_stop_mode stop_mode; /* (r2) */
	int reload_signal;           /* (r2) tendctl reload NAME */
	bool enabled;                /* (r2) no: started only by tendctl start */
	uint64_t every_ms;           /* (r2) oneshot: again this long after each start; 0: never */
	uint64_t capabilities;       /* bit N = capability N kept */
	bool no_new_privileges;
	struct conf_probe ready;
	uint64_t ready_timeout_ms;
	struct conf_probe health;
	uint64_t health_interval_ms, health_timeout_ms;
	unsigned health_retries;
	struct conf_output out, err;
	uint64_t log_max_size;       /* (r2) bytes: a FILE output is rotated at this size; 0: never */
	unsigned log_max_files;      /* (r2) FILE.1 ... FILE.N kept */
	uint64_t log_buffer;         /* (r2) bytes of relayed output kept for `tendctl logs` */
	bool has_umask;
	mode_t umask;
	struct conf_limit *limits;   size_t n_limits;
	/* Canonical text of every key given for this service, in order; two
	 * services with equal fingerprints are the same (used by reload). */
	char *fingerprint;
};

static inline bool conf_success_exit(const struct conf_service *s, int code)
{
	return code >= 0 && code < 256 && (s->success_exit[code / 8] >> (code % 8)) & 1;
}

struct conf {
	char *path;
	struct conf_tend tend;
	struct conf_network net;
	struct conf_service *services; size_t n_services;
	char *tend_fingerprint, *net_fingerprint; /* for reload: "needs a restart" */
};

/* Read and validate `path`. On success *ret is a new model, 0 returned.
 * On an invalid file -EINVAL is returned and every error is in diag; on a
 * file that cannot be read, a negative errno and one "FILE: reason" line.
 * `cmdline` (may be NULL) is the `-- COMMAND` of single-command mode,
 * added as service `main` and made the main service. */
int conf_load(const char *path, char *const *cmdline, struct conf **ret, struct conf_diag *diag);

/* Same from a string (tests, fuzzing); `name` is used in messages. */
int conf_load_string(const char *name, const char *text, size_t len, char *const *cmdline,
		     struct conf **ret, struct conf_diag *diag);

/* tend-net's view of a file: only [network] is read, validated and
 * expanded (${VAR}); every other section is tend's business and skipped
 * (its lines are still checked to be INI text). The model holds no
 * service. Same return values as conf_load_string(). */
int conf_load_network(const char *name, const char *text, size_t len, struct conf **ret,
		      struct conf_diag *diag);

/* A model with no file: only `main` from cmdline, every default. */
int conf_from_command(char *const *cmdline, struct conf **ret);

struct conf *conf_free(struct conf *c);
static inline void conf_freep(struct conf **c) { conf_free(*c); }
#define _cleanup_conf_free_ __attribute__((cleanup(conf_freep)))

const struct conf_service *conf_service_find(const struct conf *c, const char *name);

/* Value parsers, shared with tendctl and tend-net (each returns 0 or
 * -EINVAL and leaves *ret untouched on failure). */
int conf_parse_duration(const char *s, uint64_t *ret_ms);
int conf_parse_signal(const char *s, int *ret_sig);
const char *conf_signal_name(int sig); /* "TERM", "RTMIN+3"; static buffer for RT */
int conf_parse_addr(const char *s, bool want_prefix, struct conf_addr *ret);
/* A network interface name: 1 to 15 of A-Z a-z 0-9 _ . - (not "." or ".."). */
bool conf_valid_ifname(const char *s);
/* Split a command line like a shell splits words (no expansion). */
int conf_split_command(const char *s, char ***ret_argv);

#endif
