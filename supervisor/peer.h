/* peer.h: is a process one of tend's services' processes?
 *
 * The one answer used by the control socket (which refuses state changes
 * to them) and by SIGHUP (which they cannot use to reload): a process is
 * a service's when tend is among its ancestors. That covers everything a
 * service starts, and orphans too: tend adopts them (it is PID 1, or a
 * child subreaper). What is not: the host (not below tend), and a process
 * entered into the container (`runc exec`, nsenter), whose parent is
 * outside tend's pid namespace (ppid 0 from inside). */
#ifndef TEND_SUPERVISOR_PEER_H
#define TEND_SUPERVISOR_PEER_H

#include <stdbool.h>
#include <sys/types.h>

/* 1: pid is a descendant of tend; 0: it is not (pid 0 too: a sender in a
 * pid namespace tend cannot see into, the kernel, the host of a
 * container); -errno: it cannot be told (-ESRCH: gone). pidfd, when >= 0,
 * is a pidfd of that same process (SO_PEERPIDFD), checked after the walk
 * so that a pid that was reused meanwhile is never believed: -ESRCH. */
int peer_is_descendant(pid_t pid, int pidfd);

/* May a SIGHUP from sender (signalfd's ssi_pid) reload tend? Not when it
 * is a service's process, or cannot be checked: then a warning naming the
 * pid is logged (at most one every 10 s, so a service cannot flood the log
 * with signals) and false returned. */
bool peer_may_reload(pid_t sender);

/* The pid of a pidfd (from /proc/self/fdinfo), or -errno. */
pid_t peer_pidfd_pid(int pidfd);

#endif
