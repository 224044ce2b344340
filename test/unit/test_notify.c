/* test_notify.c: the sd_notify server and notify_send(), with messages sent
 * by child processes (so that the credentials are really another pid's). */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/util.h"
#include "supervisor/notify.h"

#define MAX_MSGS 16

struct got {
	int n;
	pid_t sender[MAX_MSGS];
	char key[MAX_MSGS][64];
	char value[MAX_MSGS][NOTIFY_MSG_MAX];
	struct notify_server *close_on_stopping;
	pid_t leader;          /* for the group check done inside the callback */
	int in_group, in_ours; /* of the last message; -1: not checked */
	int group_of[MAX_MSGS];
};

static void on_msg(pid_t sender, const char *key, const char *value, void *userdata)
{
	struct got *g = userdata;
	ck_assert_int_lt(g->n, MAX_MSGS);
	g->sender[g->n] = sender;
	snprintf(g->key[g->n], sizeof(g->key[0]), "%s", key);
	snprintf(g->value[g->n], sizeof(g->value[0]), "%s", value);
	g->n++;
	if (g->leader > 0) {
		g->in_group = notify_pid_in_group(sender, g->leader);
		g->in_ours = notify_pid_in_group(sender, getpid());
		g->group_of[g->n - 1] = g->in_group;
	}
	if (g->close_on_stopping && strcmp(key, "STOPPING") == 0)
		g->close_on_stopping = notify_server_close(g->close_on_stopping);
}

static void noop_cb(struct ev_loop *loop, ev_timer *w, int revents) {}

static void run_for(double s, struct got *g, int want)
{
	struct ev_loop *loop = ev_default_loop(0);
	ev_timer tick;
	double end = ev_time() + s;
	ev_timer_init(&tick, noop_cb, 0.01, 0.01);
	ev_timer_start(loop, &tick);
	while ((!g || g->n < want) && ev_time() < end)
		ev_run(loop, EVRUN_ONCE);
	ev_timer_stop(loop, &tick);
}

/* Fork a child that sends each message with notify_send() and exits. */
static pid_t send_from_child(const char *path, const char *const *msgs)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		for (; *msgs; msgs++)
			if (notify_send(path, *msgs) != 1)
				_exit(1);
		_exit(0);
	}
	return pid;
}

/* Same with raw bytes (embedded NULs) and passed fds. */
static pid_t send_raw_from_child(const char *path, const char *buf, size_t len, int nfds)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct sockaddr_un sa = {.sun_family = AF_UNIX};
		socklen_t salen;
		size_t n = strlen(path);
		memcpy(sa.sun_path, path, n);
		if (path[0] == '@') {
			sa.sun_path[0] = 0;
			salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
		} else
			salen = sizeof(sa);
		int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
		union {
			struct cmsghdr h;
			char b[CMSG_SPACE(sizeof(int) * 8)];
		} ctl;
		struct msghdr mh = {.msg_name = &sa, .msg_namelen = salen, .msg_iov = &iov, .msg_iovlen = 1};
		if (nfds > 0) {
			memset(&ctl, 0, sizeof(ctl));
			mh.msg_control = &ctl;
			mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
			struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
			for (int i = 0; i < nfds; i++) {
				int dfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
				memcpy(CMSG_DATA(c) + (size_t)i * sizeof(int), &dfd, sizeof(int));
			}
		}
		_exit(fd >= 0 && sendmsg(fd, &mh, 0) == (ssize_t)len ? 0 : 1);
	}
	return pid;
}

static bool pid_gone(pid_t pid)
{
	return kill(pid, 0) < 0 && errno == ESRCH;
}

/* Wait until a sender is gone (reaped by libev): until then it still holds
 * the server's fd it inherited across fork. */
static void wait_gone(pid_t pid)
{
	double end = ev_time() + 5;
	while (!pid_gone(pid) && ev_time() < end)
		run_for(0.01, NULL, 0);
	ck_assert(pid_gone(pid));
}

static char tmpdir[64];

static void make_tmpdir(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test-notify-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(path_socket_from_child)
{
	struct ev_loop *loop = ev_default_loop(0);
	struct notify_server *s = NULL;
	static struct got g;
	char path[96], dir[80];
	struct stat st;

	make_tmpdir();
	/* Two missing levels: created. */
	snprintf(dir, sizeof(dir), "%s/run/tend", tmpdir);
	snprintf(path, sizeof(path), "%s/notify", dir);
	ck_assert_int_eq(notify_server_open(loop, path, on_msg, &g, &s), 0);
	ck_assert_str_eq(notify_server_path(s), path);
	ck_assert_int_eq(stat(dir, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0755);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_int_eq(st.st_mode & 0777, 0666);
	const char *msgs[] = {"READY=1\nSTATUS=Listening on port 5000\nMAINPID=4242", NULL};
	pid_t child = send_from_child(path, msgs);
	run_for(5, &g, 3);
	ck_assert_int_eq(g.n, 3);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(g.sender[i], child);
	ck_assert_str_eq(g.key[0], "READY");
	ck_assert_str_eq(g.value[0], "1");
	ck_assert_str_eq(g.key[1], "STATUS");
	ck_assert_str_eq(g.value[1], "Listening on port 5000");
	ck_assert_str_eq(g.key[2], "MAINPID");
	ck_assert_str_eq(g.value[2], "4242");

	ck_assert_ptr_null(notify_server_close(s));
	ck_assert_int_eq(lstat(path, &st), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_ptr_null(notify_server_close(NULL));
	remove_tmpdir();
}
END_TEST

START_TEST(stale_socket_replaced)
{
	struct ev_loop *loop = ev_default_loop(0);
	struct notify_server *s1 = NULL, *s2 = NULL;
	static struct got g;
	char path[96];

	make_tmpdir();
	snprintf(path, sizeof(path), "%s/notify", tmpdir);
	/* A socket file left behind by an earlier tend. */
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	ck_assert_int_eq(notify_server_open(loop, path, on_msg, &g, &s1), 0);
	const char *msgs[] = {"READY=1", NULL};
	send_from_child(path, msgs);
	run_for(5, &g, 1);
	ck_assert_int_eq(g.n, 1);
	notify_server_close(s1);

	/* Not a socket: left alone, and an error. */
	FILE *f = fopen(path, "we");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	ck_assert_int_lt(notify_server_open(loop, path, on_msg, &g, &s2), 0);
	ck_assert_ptr_null(s2);
	ck_assert_int_eq(access(path, F_OK), 0);
	remove_tmpdir();
}
END_TEST

START_TEST(abstract_socket_from_child)
{
	struct ev_loop *loop = ev_default_loop(0);
	struct notify_server *s = NULL;
	static struct got g;
	char name[64];

	snprintf(name, sizeof(name), "@tend-test-notify-%d", (int)getpid());
	ck_assert_int_eq(notify_server_open(loop, name, on_msg, &g, &s), 0);
	ck_assert_str_eq(notify_server_path(s), name);
	const char *msgs[] = {"READY=1\n", "STATUS=two datagrams", NULL};
	pid_t child = send_from_child(name, msgs);
	run_for(5, &g, 2);
	ck_assert_int_eq(g.n, 2);
	ck_assert_int_eq(g.sender[0], child);
	ck_assert_int_eq(g.sender[1], child);
	ck_assert_str_eq(g.key[0], "READY");
	ck_assert_str_eq(g.value[1], "two datagrams");
	/* The name is taken while open, free after close. */
	struct notify_server *s2 = NULL;
	ck_assert_int_eq(notify_server_open(loop, name, on_msg, &g, &s2), -EADDRINUSE);
	wait_gone(child);
	notify_server_close(s);
	ck_assert_int_eq(notify_server_open(loop, name, on_msg, &g, &s2), 0);
	notify_server_close(s2);
}
END_TEST

START_TEST(oversize_and_malformed_dropped)
{
	struct ev_loop *loop = ev_default_loop(0);
	struct notify_server *s = NULL;
	static struct got g;
	static char big[NOTIFY_MSG_MAX + 2], max[NOTIFY_MSG_MAX + 1];
	char name[64];

	snprintf(name, sizeof(name), "@tend-test-notify-big-%d", (int)getpid());
	ck_assert_int_eq(notify_server_open(loop, name, on_msg, &g, &s), 0);
	/* One byte too many: dropped whole, not cut. */
	memset(big, 'x', sizeof(big) - 1);
	memcpy(big, "STATUS=", 7);
	/* Exactly the limit: accepted. */
	memset(max, 'y', sizeof(max) - 1);
	memcpy(max, "STATUS=", 7);
	const char *msgs[] = {big, "no equals sign\n=empty key\n\nREADY=1\nSTATUS=a=b", max, NULL};
	send_from_child(name, msgs);
	/* Embedded NUL: the whole datagram is dropped. */
	static const char nul[] = "READY=1\0MAINPID=1";
	send_raw_from_child(name, nul, sizeof(nul) - 1, 0);
	/* Empty datagram. */
	send_raw_from_child(name, "", 0, 0);
	run_for(5, &g, 3);
	run_for(0.2, NULL, 0);
	ck_assert_int_eq(g.n, 3);
	ck_assert_str_eq(g.key[0], "READY");
	ck_assert_str_eq(g.key[1], "STATUS");
	ck_assert_str_eq(g.value[1], "a=b");
	ck_assert_str_eq(g.key[2], "STATUS");
	ck_assert_uint_eq(strlen(g.value[2]), NOTIFY_MSG_MAX - 7);
	notify_server_close(s);
}
END_TEST

static int count_fds(void)
{
	int n = 0;
	char path[64];
	for (int fd = 0; fd < 1024; fd++) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n += access(path, F_OK) == 0;
	}
	return n;
}

START_TEST(passed_fds_closed)
{
	struct ev_loop *loop = ev_default_loop(0);
	struct notify_server *s = NULL;
	static struct got g;
	char name[64];

	snprintf(name, sizeof(name), "@tend-test-notify-fds-%d", (int)getpid());
	ck_assert_int_eq(notify_server_open(loop, name, on_msg, &g, &s), 0);
	int before = count_fds();
	send_raw_from_child(name, "FDSTORE=1", 9, 3);
	run_for(5, &g, 1);
	ck_assert_int_eq(g.n, 1);
	ck_assert_str_eq(g.key[0], "FDSTORE");
	ck_assert_int_eq(count_fds(), before);
	notify_server_close(s);
}
END_TEST

START_TEST(close_from_callback)
{
	struct ev_loop *loop = ev_default_loop(0);
	struct notify_server *s = NULL;
	static struct got g;
	char name[64];

	snprintf(name, sizeof(name), "@tend-test-notify-close-%d", (int)getpid());
	ck_assert_int_eq(notify_server_open(loop, name, on_msg, &g, &s), 0);
	g.close_on_stopping = s;
	const char *msgs[] = {"STATUS=bye\nSTOPPING=1\nSTATUS=after", "READY=1", NULL};
	send_from_child(name, msgs);
	run_for(0.5, NULL, 0);
	/* Nothing after the close is delivered, and nothing is touched
	 * after the free (ASan would say). */
	ck_assert_int_eq(g.n, 2);
	ck_assert_str_eq(g.key[1], "STOPPING");
	ck_assert_ptr_null(g.close_on_stopping);
}
END_TEST

START_TEST(send_to_bound_socket)
{
	char path[96], name[64], buf[256];
	make_tmpdir();
	snprintf(path, sizeof(path), "%s/upward.sock", tmpdir);
	snprintf(name, sizeof(name), "@tend-test-upward-%d", (int)getpid());

	for (int i = 0; i < 2; i++) {
		const char *where = i ? name : path;
		struct sockaddr_un sa = {.sun_family = AF_UNIX};
		socklen_t salen = sizeof(sa);
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", where);
		if (where[0] == '@') {
			sa.sun_path[0] = 0;
			salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(where));
		}
		_cleanup_close_ int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, salen), 0);
		ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &(int){1}, sizeof(int)), 0);

		ck_assert_int_eq(notify_send(where, "READY=1"), 1);
		ck_assert_int_eq(notify_send(where, "STOPPING=1"), 1);
		ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
		ck_assert_int_eq(n, 7);
		buf[n] = 0;
		ck_assert_str_eq(buf, "READY=1");
		n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
		ck_assert_int_eq(n, 10);
		buf[n] = 0;
		ck_assert_str_eq(buf, "STOPPING=1");
	}

	/* Nobody asked: nothing to do. */
	ck_assert_int_eq(notify_send(NULL, "READY=1"), 0);
	ck_assert_int_eq(notify_send("", "READY=1"), 0);
	/* Errors. */
	ck_assert_int_eq(notify_send("relative/path", "READY=1"), -EINVAL);
	ck_assert_int_eq(notify_send("@", "READY=1"), -EINVAL);
	snprintf(path, sizeof(path), "%s/nobody-here", tmpdir);
	ck_assert_int_eq(notify_send(path, "READY=1"), -ENOENT);
	char longp[200];
	memset(longp, 'a', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = 0;
	ck_assert_int_eq(notify_send(longp, "READY=1"), -ENAMETOOLONG);
	remove_tmpdir();
}
END_TEST

START_TEST(sender_group)
{
	struct ev_loop *loop = ev_default_loop(0);
	struct notify_server *s = NULL;
	static struct got g;
	char name[64];
	int pipefd[2];

	snprintf(name, sizeof(name), "@tend-test-notify-grp-%d", (int)getpid());
	ck_assert_int_eq(notify_server_open(loop, name, on_msg, &g, &s), 0);
	ck_assert_int_eq(pipe2(pipefd, O_CLOEXEC), 0);

	/* A "service": its own session, and a helper process inside it that
	 * sends READY=1 and has an awkward name for /proc/PID/stat. */
	pid_t leader = fork();
	ck_assert_int_ge(leader, 0);
	if (leader == 0) {
		close(pipefd[1]);
		setsid();
		pid_t kid = fork();
		if (kid == 0) {
			prctl(PR_SET_NAME, "a) b (c) 9 9");
			notify_send(name, "READY=1");
			char c;
			/* stay until the test is done (EOF) */
			_exit(read(pipefd[0], &c, 1) < 0);
		}
		char c;
		_exit(read(pipefd[0], &c, 1) < 0);
	}
	close(pipefd[0]);
	g.leader = leader;
	g.in_group = g.in_ours = -1;
	run_for(5, &g, 1);
	ck_assert_int_eq(g.n, 1);
	ck_assert_int_ne(g.sender[0], leader);
	ck_assert_int_eq(g.in_group, 1);
	ck_assert_int_eq(g.in_ours, 0);

	pid_t pgid = 0, sid = 0;
	ck_assert_int_eq(notify_pid_ids(g.sender[0], &pgid, &sid), 0);
	ck_assert_int_eq(pgid, leader);
	ck_assert_int_eq(sid, leader);
	ck_assert_int_eq(notify_pid_ids(getpid(), &pgid, &sid), 0);
	ck_assert_int_eq(pgid, getpgrp());
	ck_assert_int_eq(sid, getsid(0));
	ck_assert(!notify_pid_in_group(0, leader));
	ck_assert(!notify_pid_in_group(g.sender[0], 0));
	close(pipefd[1]);
	notify_server_close(s);
}
END_TEST

/* systemd's own client, as a service's start script would run it: its
 * message must be attributed to the service although systemd-notify is a
 * short-lived process of its own. */
START_TEST(systemd_notify_interop)
{
	if (access("/usr/bin/systemd-notify", X_OK) < 0)
		return;
	struct ev_loop *loop = ev_default_loop(0);
	struct notify_server *s = NULL;
	static struct got g;
	char name[64];

	for (int i = 0; i < 20; i++) {
		/* A socket per round: a late BARRIER=1 of the round before
		 * must not count in this one. */
		snprintf(name, sizeof(name), "@tend-test-notify-sd-%d-%d", (int)getpid(), i);
		ck_assert_int_eq(notify_server_open(loop, name, on_msg, &g, &s), 0);
		memset(&g, 0, sizeof(g));
		pid_t leader = fork();
		ck_assert_int_ge(leader, 0);
		if (leader == 0) {
			setsid();
			/* Unprivileged (user = ...), systemd-notify cannot speak
			 * for its parent and sends its own pid, then exits. */
			if (i % 2 && (setgid(65534) < 0 || setuid(65534) < 0))
				_exit(126);
			setenv("NOTIFY_SOCKET", name, 1);
			execl("/bin/sh", "sh", "-c", "systemd-notify --ready --status=up; sleep 2", (char *)NULL);
			_exit(127);
		}
		g.leader = leader;
		g.in_group = g.in_ours = -1;
		/* READY=1 and STATUS=up, then (systemd >= 246) BARRIER=1
		 * with a pipe it waits on until we close it. */
		run_for(5, &g, 2);
		ck_assert_int_ge(g.n, 2);
		ck_assert_str_eq(g.key[0], "READY");
		ck_assert_str_eq(g.key[1], "STATUS");
		ck_assert_str_eq(g.value[1], "up");
		ck_assert_msg(g.group_of[0] == 1, "round %d: sender %d not attributed to %d", i,
			      g.sender[0], leader);
		kill(-leader, SIGKILL);
		s = notify_server_close(s);
	}
}
END_TEST

static Suite *notify_suite(void)
{
	Suite *s = suite_create("notify");
	TCase *tc = tcase_create("notify");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, path_socket_from_child);
	tcase_add_test(tc, stale_socket_replaced);
	tcase_add_test(tc, abstract_socket_from_child);
	tcase_add_test(tc, oversize_and_malformed_dropped);
	tcase_add_test(tc, passed_fds_closed);
	tcase_add_test(tc, close_from_callback);
	tcase_add_test(tc, send_to_bound_socket);
	tcase_add_test(tc, sender_group);
	tcase_add_test(tc, systemd_notify_interop);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(notify_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
