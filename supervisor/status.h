/* status.h: the status of tend's services, rendered in one place for
 * everyone who shows it: `tendctl status` (a table, or JSON), the HTTP
 * endpoint's /status (the same JSON) and /metrics (Prometheus text).
 *
 * Each function renders into a new NUL-terminated string (*ret, to free).
 * name: one service, or NULL for all; -ENOENT when there is no such
 * service. The JSON document and the metrics are described in tendctl(8). */
#ifndef TEND_SUPERVISOR_STATUS_H
#define TEND_SUPERVISOR_STATUS_H

#include <stdbool.h>

struct sup;

int status_table(const struct sup *sup, const char *name, char **ret);
int status_json(const struct sup *sup, const char *name, bool pretty, char **ret);
int status_metrics(const struct sup *sup, char **ret);

#endif
