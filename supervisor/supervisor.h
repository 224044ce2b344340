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

/* Takes ownership of conf (its [network] is not read: the network set-up
 * owns its own). The supervisor starts out booting: it answers, reloads and
 * shuts down, but starts no service, whatever asks (a reload, tendctl
 * start or restart, a restart timer), until sup_boot_done(). */
int sup_new(struct ev_loop *loop, struct conf *conf, const struct sup_options *o, struct sup **ret);
struct sup *sup_free(struct sup *s);

/* Boot is over (init's set-up, the network, is done): status 0 starts
 * every service whose dependencies are met; any other ends tend with that
 * status. Once a shutdown has begun it changes nothing. */
void sup_boot_done(struct sup *s, int status);
/* May a service start now? Only between boot and shutdown; svc_start()
 * asks, so that no path can start one early. */
bool sup_may_start(const struct sup *s);
/* Orderly shutdown; called again (second SIGTERM) it skips every wait. */
void sup_shutdown(struct sup *s);
/* The same, asked for by process `client` (tendctl shutdown; 0: unknown).
 * As PID 1, the final sweep of leftover processes waits (2 s at most) for
 * the client to end by itself, so that a `runc exec tendctl
 * shutdown` reads its answer and exits 0 instead of dying of the sweep. */
void sup_shutdown_for(struct sup *s, pid_t client);
/* A signal that arrived on tend (config or single-command mode). */
void sup_signal(struct sup *s, int sig);
/* tend's exit status, once the loop has ended. */
int sup_exit_status(const struct sup *s);
/* Why tend ends, one line for the termination log ("web exited with 3",
 * "shutdown on SIGTERM"), or NULL when nothing decided it. */
const char *sup_end_reason(const struct sup *s);

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
 * While booting the new set is taken as it is and nothing starts: it starts
 * when boot is done. Refused (-EBUSY) once shutting down.
 * Takes ownership of conf. Messages for the caller go to *ret_msg. */
int sup_reload(struct sup *s, struct conf *conf, char **ret_msg);
/* SIGHUP or `tendctl reload`: re-read the file and apply it. 0, or -EINVAL
 * with the errors (one per line) in *ret_msg; nothing changed then. */
int sup_request_reload(struct sup *s, char **ret_msg);

/* Called by service.c on every state change. */
void sup_service_changed(struct sup *s, struct svc *svc);
/* Called by service.c: the notify socket path for services (opened at the
 * first call), or -errno when it cannot be opened (not logged here). */
int sup_notify_path(struct sup *s, const char **ret);
bool sup_single(const struct sup *s);

#endif
