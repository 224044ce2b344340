/* nonss.c: tend-static only. libnl's objects carry helpers that resolve
 * names through NSS (nl_addr_info: getaddrinfo; nl_str2ip_proto and
 * nl_ip_proto2str: getprotobyname/number), which tend never calls: it
 * takes numeric addresses only. In a static binary, glibc's versions
 * would dlopen the libnss_* of the image at run time, the very libraries
 * tend-static is for doing without; these stand-ins keep glibc's NSS code
 * out of the binary and fail plainly should a future caller reach them. */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <stddef.h>

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res)
{
	errno = ENOSYS;
	return EAI_SYSTEM;
}

struct protoent *getprotobyname(const char *name)
{
	return NULL;
}

struct protoent *getprotobynumber(int proto)
{
	return NULL;
}

/* libnl's nl_addr_resolve and c-ares's ares_getnameinfo (neither called:
 * tend prints numbers) reach glibc's getnameinfo, whose name lookups are
 * NSS again; c-ares's ares_getaddrinfo looks a service name up (tend
 * passes none). */
int getnameinfo(const struct sockaddr *sa, socklen_t salen, char *host, socklen_t hostlen, char *serv,
		socklen_t servlen, int flags)
{
	return EAI_FAIL;
}

struct servent *getservbyname(const char *name, const char *proto)
{
	return NULL;
}

int getservbyport_r(int port, const char *proto, struct servent *result_buf, char *buf, size_t buflen,
		    struct servent **result)
{
	*result = NULL;
	return ENOENT;
}
