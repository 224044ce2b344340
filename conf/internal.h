/* internal.h: what the parts of conf/ share with each other and with no
 * one else (parse.c reads the file, values.c parses single values,
 * model.c owns the model's memory, validate.c checks the whole of it).
 * Nothing outside conf/ includes this header. */
#ifndef TEND_CONF_INTERNAL_H
#define TEND_CONF_INTERNAL_H

#include "conf/conf.h"

/* Where keys were seen, for messages of the whole-model checks; parallel
 * to conf->services (same index). 0: not given. */
struct conf_svc_lines {
	int command, after, ready, health, stop_timeout, health_interval, health_timeout, every;
	int log_max_size;
	size_t n_env; /* strings in env */
};
struct conf_lines {
	struct conf_svc_lines *svc;
	size_t n;
	/* [network] keys that need `interface` */
	int address, gateway, route, mtu, rename;
	/* [service:...] lines seen, good or bad: "no service to run" only
	 * when there was none at all */
	size_t service_sections;
	/* reading stopped at a NUL byte: the model is partial, and checks of
	 * the whole of it would only add noise */
	bool binary;
	/* conf_load_network(): only [network] is read */
	bool net_only;
};

/* model.c */
/* Make room for `want` elements in the array *arr (a pointer to the
 * array pointer) that holds `used`: the capacity is always the next power
 * of two of `used`, so an array grown one element at a time is
 * reallocated O(log n) times, and a file of many repeated keys stays
 * linear. Only for arrays grown by this function from NULL. */
int conf_grow(void *arr, size_t used, size_t want, size_t size);
/* Append s to the NULL-terminated *l holding *n strings (taking s). */
int conf_strv_append(char ***l, size_t *n, char *s);
struct conf *conf_new(void);
/* Append a service with every default; *ret_index is its index. */
int conf_service_add(struct conf *c, const char *name, int line, size_t *ret_index);
void conf_service_done(struct conf_service *s);
void conf_probe_done(struct conf_probe *p);
/* Fill c->services[].fingerprint, tend_fingerprint and net_fingerprint. */
int conf_fingerprint(struct conf *c);

/* parse.c */
int conf_parse_text(struct conf *c, struct conf_lines *lines, const char *name, const char *text,
		    size_t len, struct conf_diag *d);

/* validate.c: whole-model checks; returns the number of errors added. */
int conf_validate(struct conf *c, const struct conf_lines *lines, const char *name, bool cmdline,
		  struct conf_diag *d);

/* values.c: single values. Each returns 0, or -EINVAL (-ENOMEM) and leaves
 * its result untouched. */
int conf_parse_bool(const char *s, bool *ret);
int conf_parse_uint(const char *s, unsigned min, unsigned max, unsigned *ret);
int conf_parse_caps(const char *s, uint64_t *ret);
int conf_parse_route(const char *s, struct conf_route *ret);
int conf_parse_hostent(const char *s, struct conf_hostent *ret);
int conf_parse_publish(const char *s, struct conf_publish *ret);
/* -EPROTO: "notify" where it is not allowed. */
int conf_parse_probe(const char *s, bool allow_notify, struct conf_probe *ret);
/* -EPROTO: a kind that exists for the other stream; -EDOM: relative path. */
int conf_parse_output(const char *s, bool is_stderr, struct conf_output *ret);
int conf_parse_umask(const char *s, mode_t *ret);
/* A size in bytes: NUMBER with an optional K, M or G (powers of 1024). */
int conf_parse_size(const char *s, uint64_t *ret);
/* RLIMIT_* for "limit_nofile" etc.; -ENOENT when key is no limit key. */
int conf_limit_resource(const char *key);
int conf_parse_limit(const char *s, rlim_t *ret_soft, rlim_t *ret_hard);
int conf_parse_success_exit(const char *s, uint8_t ret[32]);
bool conf_valid_name(const char *s);   /* service names */
bool conf_valid_hostname(const char *s);
int conf_parse_http(const char *s); /* "ADDR:PORT" or "[V6]:PORT" */
/* Comma separated list, items trimmed; empty items are an error. */
int conf_split_list(const char *s, char ***ret);
/* Split on commas and/or white space (dns_search). */
int conf_split_words(const char *s, char ***ret);
/* Format an address (with "/prefix" when with_prefix). */
const char *conf_addr_to_string(const struct conf_addr *a, bool with_prefix, char *buf, size_t len);
/* "RLIMIT_NOFILE" back to "limit_nofile". */
const char *conf_limit_name(int resource);

#endif
