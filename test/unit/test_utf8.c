/* test_utf8.c: common/utf8.c (well-formed sequences, U+FFFD per maximal
 * subpart, cuts between characters, JSON escaping) and what common/log.c
 * makes of hostile bytes and of a stderr nobody reads. */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/utf8.h"

#define R UTF8_REPLACEMENT

static const char *san(const char *s, size_t size)
{
	static char buf[512];
	ck_assert_uint_le(size, sizeof(buf));
	utf8_sanitize(buf, size, s, strlen(s));
	return buf;
}

START_TEST(well_formed)
{
	ck_assert(utf8_valid("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 10)); /* a é € 😀 */
	ck_assert(!utf8_valid("\xc0\x80", 2));                     /* overlong NUL */
	ck_assert(!utf8_valid("\xe0\x80\x80", 3));                 /* overlong */
	ck_assert(!utf8_valid("\xed\xa0\x80", 3));                 /* a surrogate */
	ck_assert(!utf8_valid("\xf4\x90\x80\x80", 4));             /* past U+10FFFF */
	ck_assert(!utf8_valid("\x80", 1));                         /* a lone continuation */
	ck_assert(!utf8_valid("\xc3", 1));                         /* cut short */
	size_t bad = 0;
	ck_assert_uint_eq(utf8_char("\xe2\x82x", 3, &bad), 0);
	ck_assert_uint_eq(bad, 2);
}
END_TEST

START_TEST(sanitize)
{
	ck_assert_str_eq(san("bad \xff\xfe x \xc3( \xe2\x82 end", 64), "bad " R R " x " R "( " R " end");
	ck_assert_str_eq(san("\xf0\x9f\x98", 64), R);              /* one subpart, one U+FFFD */
	ck_assert_str_eq(san("\xed\xa0\x80", 64), R R R);          /* no subpart: one each */
	ck_assert_str_eq(san("a\xc3\xa9\xc3\xa9", 5), "a\xc3\xa9"); /* cut between characters */
	ck_assert_str_eq(san("a\xff", 4), "a");                     /* U+FFFD does not fit */
	ck_assert_str_eq(san("ok", 64), "ok");
}
END_TEST

START_TEST(cuts)
{
	const char *s = "a\xc3\xa9" "b";
	ck_assert_uint_eq(utf8_cut(s, 4, 2), 1);
	ck_assert_uint_eq(utf8_cut(s, 4, 3), 3);
	ck_assert_uint_eq(utf8_cut(s, 4, 9), 4);
	ck_assert_uint_eq(utf8_trim_partial("a\xc3", 2), 1);
	ck_assert_uint_eq(utf8_trim_partial("a\xe2\x82", 3), 1);
	ck_assert_uint_eq(utf8_trim_partial("a\xc3\xa9", 3), 3);
	ck_assert_uint_eq(utf8_trim_partial("a\xff", 2), 2); /* invalid, not cut: U+FFFD later */
}
END_TEST

START_TEST(json_escape)
{
	char b[64];
	size_t used;
	size_t n = utf8_json_escape(b, 0, sizeof(b), "q\"\\\n\x01\xff\xc3\xa9", 8, &used);
	ck_assert_str_eq(b, "q\\\"\\\\\\n\\u0001" R "\xc3\xa9");
	ck_assert_uint_eq(n, strlen(b));
	ck_assert_uint_eq(used, 8);
	/* Never half an escape or half a character. */
	n = utf8_json_escape(b, 0, 4, "ab\x01", 3, &used);
	ck_assert_str_eq(b, "ab");
	ck_assert_uint_eq(used, 2);
	n = utf8_json_escape(b, 0, 3, "a\xc3\xa9", 3, &used);
	ck_assert_str_eq(b, "a");
	ck_assert_uint_eq(n, 1);
}
END_TEST

/* stderr a pipe; returns its read end. */
static int stderr_pipe(void)
{
	int p[2];
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	ck_assert_int_eq(dup2(p[1], STDERR_FILENO), STDERR_FILENO);
	close(p[1]);
	return p[0];
}

static size_t read_all(int fd, char *buf, size_t size)
{
	size_t n = 0;
	ssize_t k;
	fcntl(fd, F_SETFL, O_NONBLOCK);
	while (n < size - 1 && (k = read(fd, buf + n, size - 1 - n)) > 0)
		n += (size_t)k;
	buf[n] = 0;
	return n;
}

START_TEST(log_json_long_and_invalid)
{
	static char msg[6000], got[8192];
	int r = stderr_pipe();
	/* "é" 2900 times after a two-byte prefix: the message's cut at 2047
	 * bytes falls in the middle of one; then bytes that are not UTF-8. */
	strcpy(msg, "xy");
	for (int i = 0; i < 2900; i++)
		strcat(msg, "\xc3\xa9");
	strcat(msg, "\xff\xfe\"");

	log_setup("tend", LOG_LVL_INFO, true);
	log_full(LOG_LVL_ERROR, 0, "web\xff", "%s", msg);
	log_full(LOG_LVL_INFO, 0, NULL, "caf\xe9 \x1b[31m");
	size_t n = read_all(r, got, sizeof(got));
	ck_assert(utf8_valid(got, n));
	char *nl = strchr(got, '\n');
	ck_assert_ptr_nonnull(nl);
	ck_assert(nl - got < 4096);
	ck_assert(strncmp(nl - 2, "\"}", 2) == 0);
	ck_assert_ptr_nonnull(strstr(got, "\"service\":\"web" R "\""));
	ck_assert_ptr_nonnull(strstr(nl + 1, "\"msg\":\"caf" R " \\u001b[31m\"}\n"));

	/* Escapes six times as long as the bytes: the line is cut, between
	 * two escapes, and still closed. */
	memset(msg, '\x01', 2000);
	msg[2000] = 0;
	log_full(LOG_LVL_INFO, 0, NULL, "%s", msg);
	n = read_all(r, got, sizeof(got));
	ck_assert_uint_lt(n, 4096);
	ck_assert_str_eq(got + n - 9, "\\u0001\"}\n");

	log_setup("tend", LOG_LVL_INFO, false);
	strcpy(msg, "xy");
	for (int i = 0; i < 2900; i++)
		strcat(msg, "\xc3\xa9");
	log_full(LOG_LVL_ERROR, 0, NULL, "%s", msg);
	n = read_all(r, got, sizeof(got));
	ck_assert(utf8_valid(got, n)); /* cut between characters, before the bad bytes */
	ck_assert_int_eq(got[n - 1], '\n');
}
END_TEST

static int wakes;
static void wake(void) { wakes++; }

START_TEST(log_never_blocks)
{
	static char got[256 * 1024];
	int r = stderr_pipe();
	char line[100];

	log_setup("tend", LOG_LVL_INFO, false);
	log_set_nonblocking(wake);
	/* 300 KiB of lines into a 64 KiB pipe nobody reads: with blocking
	 * writes this test would hang (and time out). */
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = 0;
	for (int i = 0; i < 3000; i++)
		log_info("%05d %s", i, line);
	ck_assert_int_gt(wakes, 0);
	ck_assert(!log_flush());
	ck_assert_int_ge(log_queue_fd(), 0);

	/* The reader reads: everything left goes out, whole lines, and a
	 * last one saying how many were dropped. */
	size_t n = 0;
	for (int tries = 0; tries < 100 && !log_flush(); tries++)
		n += read_all(r, got + n, sizeof(got) - n);
	ck_assert(log_flush());
	n += read_all(r, got + n, sizeof(got) - n);
	ck_assert_int_eq(log_queue_fd(), -1);
	unsigned lines = 0, dropped = 0;
	for (char *s = got, *e; (e = strchr(s, '\n')); s = e + 1, lines++) {
		if (sscanf(s, "tend: warning: %u log lines dropped (stderr was not read)", &dropped) == 1)
			continue;
		ck_assert_msg(e - s == 6 + 6 + 99 && strncmp(s, "tend: ", 6) == 0, "torn line %u: %.40s", lines, s);
	}
	ck_assert_uint_gt(dropped, 0);
	ck_assert_uint_eq(lines - 1 + dropped, 3000);
	log_finish();
}
END_TEST

static Suite *utf8_suite(void)
{
	Suite *s = suite_create("utf8");
	TCase *tc = tcase_create("utf8");
	tcase_add_test(tc, well_formed);
	tcase_add_test(tc, sanitize);
	tcase_add_test(tc, cuts);
	tcase_add_test(tc, json_escape);
	tcase_add_test(tc, log_json_long_and_invalid);
	tcase_add_test(tc, log_never_blocks);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(utf8_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
