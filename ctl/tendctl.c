/* tendctl: the control client. It checks the command line, sends one
 * request line to tend's control socket, and prints the answer (see
 * tendctl(8) for the protocol). Exit status: 0 OK, 1 tend refused or the
 * request failed, 64 usage, 69 tend cannot be reached (no socket, no
 * permission to connect, no answer, or the answer broke off). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define EXIT_REFUSED 1
#define EXIT_USAGE 64
#define EXIT_UNREACHABLE 69

#define DEFAULT_SOCKET "/run/tend.sock"
#define DEFAULT_CONFIG "/etc/tend/tend.ini"
#define MAX_CONFIG (1u << 20)
#define ANSWER_TIMEOUT_MS 30000
#define MAX_ANSWER (64u << 20)

static const char usage_text[] =
	"Usage: tendctl [-s SOCKET] status [NAME] [--json]\n"
	"       tendctl [-s SOCKET] start|stop|restart NAME\n"
	"       tendctl [-s SOCKET] signal NAME SIGNAL\n"
	"       tendctl [-s SOCKET] reload | shutdown\n"
	"       tendctl [-s SOCKET] reload NAME   (sends NAME its reload_signal)\n"
	"       tendctl [-s SOCKET] logs [-f] [-n LINES] NAME\n"
	"       tendctl [-s SOCKET] reopen        (every FILE tend writes)\n"
	"\n"
	"Control a running tend through its control socket.\n"
	"\n"
	"  -s, --socket SOCKET  the control socket (default: the control path of\n"
	"                       " DEFAULT_CONFIG " when it names one, else\n"
	"                       " DEFAULT_SOCKET ")\n"
	"  -h, --help           this text\n"
	"  -V, --version        the version\n"
	"\n"
	"Exit status: 0 done, 1 refused by tend (reason printed), 64 usage,\n"
	"69 tend cannot be reached. See tendctl(8).\n";

/* The blanks tend.ini allows around names and values. */
static char *trim(char *b, char *e)
{
	while (b < e && (*b == ' ' || *b == '\t'))
		b++;
	while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	*e = 0;
	return b;
}

/* (r2) The `control` path that /etc/tend/tend.ini names in [tend], in buf;
 * false when the file is not there, names none (or `control =`, none at
 * all), or cannot be read as a plain file. Only that one key is read, as
 * written: tendctl links nothing of tend's, and a file it cannot read
 * leaves it at the default. The file is opened without blocking (a FIFO
 * there never hangs tendctl) and must be a regular file. */
static bool configured_socket(char *buf, size_t size)
{
	struct stat st;
	char *text = NULL;
	bool found = false, in_tend = false;
	ssize_t n = 0;
	int fd = open(DEFAULT_CONFIG, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0)
		return false;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > MAX_CONFIG ||
	    !(text = malloc((size_t)st.st_size + 1)) || (n = read(fd, text, (size_t)st.st_size)) < 0) {
		free(text);
		close(fd);
		return false;
	}
	close(fd);
	text[n] = 0;
	for (char *line = text, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		char *end = next ? next : line + strlen(line);
		if (next)
			next++;
		char *l = trim(line, end);
		if (*l == '[') {
			in_tend = strcmp(l, "[tend]") == 0;
			continue;
		}
		char *eq = strchr(l, '=');
		if (!in_tend || !eq)
			continue;
		char *key = trim(l, eq), *value = trim(eq + 1, eq + 1 + strlen(eq + 1));
		if (strcmp(key, "control") == 0) {
			found = *value && strlen(value) < size;
			if (found)
				memcpy(buf, value, strlen(value) + 1);
		}
	}
	free(text);
	return found;
}

static int usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "tendctl: %s%s%s%s\nTry 'tendctl --help'.\n", msg, arg ? " '" : "", arg ? arg : "",
		arg ? "'" : "");
	return EXIT_USAGE;
}

static const struct {
	const char *name;
	int min_args, max_args;
} commands[] = {
	{ "status", 0, 2 }, { "start", 1, 1 },  { "stop", 1, 1 },     { "restart", 1, 1 },
	{ "signal", 2, 2 }, { "reload", 0, 1 }, { "shutdown", 0, 0 }, { "logs", 1, 4 },
	{ "reopen", 0, 0 },
};

/* logs [-f] [-n LINES] NAME: exactly one name, LINES a number. */
static int check_logs(int argc, char **argv)
{
	int names = 0, follow = 0, n = 0;
	for (int a = 1; a < argc; a++) {
		if (strcmp(argv[a], "-f") == 0 || strcmp(argv[a], "--follow") == 0) {
			follow++;
			argv[a] = "-f";
		} else if (strcmp(argv[a], "-n") == 0 || strcmp(argv[a], "--lines") == 0) {
			argv[a] = "-n";
			if (++a >= argc || !*argv[a] || strspn(argv[a], "0123456789") != strlen(argv[a]))
				return usage_error("'-n' needs a number of lines", NULL);
			n++;
		} else if (argv[a][0] == '-') {
			return usage_error("unknown option", argv[a]);
		} else {
			names++;
		}
	}
	if (names != 1 || follow > 1 || n > 1)
		return usage_error("usage: logs [-f] [-n LINES] NAME", NULL);
	return -1;
}

/* Check argv (the command and its arguments) and join it into one request
 * line. Returns -1 to go on, or an exit status. */
static int build_request(int argc, char **argv, char *buf, size_t size)
{
	size_t i, pos = 0;
	int n_args = argc - 1;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			break;
	if (i == sizeof(commands) / sizeof(commands[0]))
		return usage_error("unknown command", argv[0]);
	if (strcmp(argv[0], "status") == 0) {
		int names = 0, json = 0;
		for (int a = 1; a < argc; a++) {
			if (strcmp(argv[a], "--json") == 0 || strcmp(argv[a], "-j") == 0)
				json++;
			else if (argv[a][0] == '-')
				return usage_error("unknown option", argv[a]);
			else
				names++;
		}
		if (names > 1 || json > 1)
			return usage_error("usage: status [NAME] [--json]", NULL);
	} else if (strcmp(argv[0], "logs") == 0) {
		int r = check_logs(argc, argv);
		if (r >= 0)
			return r;
	} else if (n_args < commands[i].min_args || n_args > commands[i].max_args) {
		return usage_error(n_args < commands[i].min_args ? "missing argument for" : "too many arguments for",
				   argv[0]);
	}
	for (int a = 0; a < argc; a++) {
		/* Words are separated by blanks in the protocol: a blank, or a
		 * control character, in a word is a mistake, never a name. */
		if (!*argv[a])
			return usage_error("empty argument", NULL);
		for (const char *p = argv[a]; *p; p++)
			if ((unsigned char)*p <= ' ' || *p == 0x7f)
				return usage_error("blank or control character in", argv[a]);
		const char *w = strcmp(argv[a], "-j") == 0 ? "--json" : argv[a];
		int n = snprintf(buf + pos, size - pos, "%s%s", a ? " " : "", w);
		if (n < 0 || (size_t)n >= size - pos)
			return usage_error("request too long", NULL);
		pos += (size_t)n;
	}
	if (pos + 2 > size)
		return usage_error("request too long", NULL);
	buf[pos++] = '\n';
	buf[pos] = 0;
	return -1;
}

static long long mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Send the request, read the whole answer until tend closes. Returns 0 and
 * the answer (NUL-terminated) or an exit status with the reason printed. */
static int talk(const char *path, const char *req, char **ret, size_t *ret_len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len = 0, cap = 4096;
	char *buf;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return usage_error("socket path too long:", path);
	memcpy(sa.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "tendctl: cannot reach tend at %s: %m\n", path);
		if (fd >= 0)
			close(fd);
		return EXIT_UNREACHABLE;
	}
	/* tend may refuse us before reading (credentials): then this fails
	 * with EPIPE, and its answer is still there to read. */
	(void)!send(fd, req, strlen(req), MSG_NOSIGNAL);
	shutdown(fd, SHUT_WR);

	buf = malloc(cap);
	if (!buf) {
		close(fd);
		fprintf(stderr, "tendctl: out of memory\n");
		return EXIT_UNREACHABLE;
	}
	long long deadline = mono_ms() + ANSWER_TIMEOUT_MS;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long long left = deadline - mono_ms();
		int r = left > 0 ? poll(&p, 1, (int)left) : 0;
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			fprintf(stderr, "tendctl: no answer from tend at %s\n", path);
			goto fail;
		}
		if (len + 1 >= cap) {
			char *n = cap < MAX_ANSWER ? realloc(buf, cap * 2) : NULL;
			if (!n) {
				fprintf(stderr, "tendctl: answer too long\n");
				goto fail;
			}
			buf = n;
			cap *= 2;
		}
		ssize_t n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		/* ECONNRESET: tend closed with our request unread (it refused
		 * us at once); what it wrote before is in buf. */
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			break;
		if (n < 0) {
			fprintf(stderr, "tendctl: reading from tend: %m\n");
			goto fail;
		}
		len += (size_t)n;
	}
	close(fd);
	buf[len] = 0;
	*ret = buf;
	*ret_len = len;
	return 0;
fail:
	close(fd);
	free(buf);
	return EXIT_UNREACHABLE;
}

/* The last line says how it went ("OK" or "ERR reason"); the lines before
 * it are the answer: printed on stdout after OK, on stderr after ERR. */
static int print_answer(char *buf, size_t len)
{
	if (len == 0 || buf[len - 1] != '\n') {
		fprintf(stderr, "tendctl: the answer from tend broke off\n");
		return EXIT_UNREACHABLE;
	}
	buf[len - 1] = 0;
	char *last = strrchr(buf, '\n');
	char *status = last ? last + 1 : buf;
	size_t body = last ? (size_t)(last - buf) + 1 : 0;

	if (strcmp(status, "OK") == 0) {
		fwrite(buf, 1, body, stdout);
		return fflush(stdout) == 0 ? 0 : EXIT_REFUSED;
	}
	if (strncmp(status, "ERR", 3) == 0) {
		fwrite(buf, 1, body, stderr);
		fprintf(stderr, "tendctl: %s\n", status[3] == ' ' ? status + 4 : "refused");
		return EXIT_REFUSED;
	}
	fprintf(stderr, "tendctl: unexpected answer from tend\n");
	return EXIT_UNREACHABLE;
}

/* logs: the answer as it comes, a line at a time: "= LINE" is printed,
 * "! N lines lost" said on stderr, then "OK" or "ERR reason". -f waits
 * for lines as long as tend sends them (until interrupted); without it,
 * the usual timeout. */
static int logs(const char *path, const char *req, bool follow)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path))
		return usage_error("socket path too long:", path);
	memcpy(sa.sun_path, path, strlen(path));
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "tendctl: cannot reach tend at %s: %m\n", path);
		return EXIT_UNREACHABLE;
	}
	(void)!send(fd, req, strlen(req), MSG_NOSIGNAL);
	/* A follower keeps its sending side open: closing the socket (on
	 * SIGINT) is how tend learns it is gone. */
	if (!follow)
		shutdown(fd, SHUT_WR);
	FILE *in = fdopen(fd, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = EXIT_UNREACHABLE;
	/* Without -f, no line for this long is no answer. */
	struct timeval tv = { .tv_sec = ANSWER_TIMEOUT_MS / 1000 };
	if (!follow)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (;;) {
		errno = 0;
		if ((n = getline(&line, &cap, in)) <= 0 || line[n - 1] != '\n') {
			if (errno == EAGAIN)
				fprintf(stderr, "tendctl: no answer from tend at %s\n", path);
			else
				fprintf(stderr, "tendctl: the answer from tend broke off\n");
			break;
		}
		if (strncmp(line, "= ", 2) == 0) {
			fwrite(line + 2, 1, (size_t)n - 2, stdout);
			if (follow)
				fflush(stdout);
		} else if (line[0] == '!') {
			fflush(stdout);
			fprintf(stderr, "tendctl: %.*s", (int)n - 2, line + 2);
		} else if (strcmp(line, "OK\n") == 0) {
			rc = fflush(stdout) == 0 ? 0 : EXIT_REFUSED;
			break;
		} else if (strncmp(line, "ERR", 3) == 0) {
			fprintf(stderr, "tendctl: %s", line[3] == ' ' ? line + 4 : "refused\n");
			rc = EXIT_REFUSED;
			break;
		} else {
			fprintf(stderr, "tendctl: unexpected answer from tend\n");
			break;
		}
	}
	free(line);
	fclose(in);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{}
	};
	const char *path = DEFAULT_SOCKET;
	char configured[sizeof(((struct sockaddr_un *)0)->sun_path)];
	bool path_given = false;
	char req[4096];
	char *answer = NULL;
	size_t len = 0;
	int c, r;

	opterr = 0;
	/* '+': options end at the command; `status --json` is the command's. */
	while ((c = getopt_long(argc, argv, "+s:hV", opts, NULL)) != -1) {
		switch (c) {
		case 's': path = optarg; path_given = true; break;
		case 'h': fputs(usage_text, stdout); return 0;
		case 'V': printf("tendctl (%s)\n", PACKAGE_STRING); return 0;
		default:
			if (optopt == 's')
				return usage_error("option '-s' needs an argument", NULL);
			return usage_error("unknown option", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error("no command given", NULL);
	if (!path_given && configured_socket(configured, sizeof(configured)))
		path = configured;
	if (!*path)
		return usage_error("empty socket path", NULL);
	r = build_request(argc - optind, argv + optind, req, sizeof(req));
	if (r >= 0)
		return r;
	if (strcmp(argv[optind], "logs") == 0)
		return logs(path, req, strstr(req, " -f") != NULL);
	r = talk(path, req, &answer, &len);
	if (r != 0)
		return r;
	r = print_answer(answer, len);
	free(answer);
	return r;
}
