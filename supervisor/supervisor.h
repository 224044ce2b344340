/* supervisor.h: the set of services of one tend, and the rules that join
 * them: dependency order, the main service, shutdown in reverse order,
 * when tend ends and with which status, readiness upward. */
#ifndef TEND_SUPERVISOR_H
#define TEND_SUPERVISOR_H

#include <ev.h>
#include <stdbool.h>
#include <sys/types.h>

#include "conf/conf.h"

struct sup;
struct svc;

/* Re-read the configuration and apply it (init/main.c provides it). */
typedef int (*sup_reload_fn)(struct sup *s, char **ret_msg);

struct sup_options {
	bool single;              /* single-command mode (tini-style) */
	bool pid1;                /* tend is PID 1 of its namespace */
	const char *notify_upward; /* tend's own NOTIFY_SOCKET, or NULL */
	sup_reload_fn reload;      /* SIGHUP and tendctl reload */
};

/* Takes ownership of conf. */
int sup_new(struct ev_loop *loop, struct conf *conf, const struct sup_options *o, struct sup **ret);
struct sup *sup_free(struct sup *s);

/* Start every service whose dependencies are met. */
void sup_start(struct sup *s);
/* Orderly shutdown; called again (second SIGTERM) it skips every wait. */
void sup_shutdown(struct sup *s);
/* A signal that arrived on tend (config or single-command mode). */
void sup_signal(struct sup *s, int sig);
/* tend's exit status, once the loop has ended. */
int sup_exit_status(const struct sup *s);
/* Ask the loop to end with `status` (used by init for fatal set-up errors
 * that happen once the loop runs, e.g. the network). */
void sup_fail(struct sup *s, int status);

/* For the control socket and the HTTP endpoint. */
struct ev_loop *sup_loop(const struct sup *s);
const struct conf *sup_conf(const struct sup *s);
size_t sup_n_services(const struct sup *s);
struct svc *sup_service(const struct sup *s, size_t i);
struct svc *sup_find(const struct sup *s, const char *name);
bool sup_is_ready(const struct sup *s);     /* main (or every) service ready */
bool sup_is_stopping(const struct sup *s);
/* Replace the configuration (already validated): added services start,
 * removed ones stop, changed ones restart, unchanged ones are untouched.
 * Takes ownership of conf. Messages for the caller go to *ret_msg. */
int sup_reload(struct sup *s, struct conf *conf, char **ret_msg);
/* SIGHUP or `tendctl reload`: re-read the file and apply it. 0, or -EINVAL
 * with the errors (one per line) in *ret_msg; nothing changed then. */
int sup_request_reload(struct sup *s, char **ret_msg);

/* Called by service.c on every state change. */
void sup_service_changed(struct sup *s, struct svc *svc);
/* Called by service.c: the notify socket path for a service, or NULL. */
const char *sup_notify_path(struct sup *s, struct svc *svc);
bool sup_single(const struct sup *s);

#endif
