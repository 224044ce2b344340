/* utf8.h: making untrusted bytes valid UTF-8, for JSON and bounded strings.
 *
 * Every byte a service sends (output, STATUS=, a probe's last line) and
 * every value expanded from tend's environment may be anything. jansson
 * refuses invalid UTF-8 (and a whole /status with it), and a log collector
 * cannot read a line with it. So wherever such bytes become JSON or are
 * cut to fit a buffer, they go through here: each ill-formed sequence
 * becomes one U+FFFD (one per maximal subpart, as Unicode recommends), and
 * a cut falls only between characters. */
#ifndef TEND_UTF8_H
#define TEND_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* "\xef\xbf\xbd", U+FFFD REPLACEMENT CHARACTER. */
#define UTF8_REPLACEMENT "\xef\xbf\xbd"

/* The length (1-4) of the well-formed character at s (n bytes left), or
 * 0 when it is ill-formed or cut short; *ret_bad then gets the length of
 * its maximal subpart (1-3 bytes: what one U+FFFD replaces). */
size_t utf8_char(const char *s, size_t n, size_t *ret_bad);

bool utf8_valid(const char *s, size_t n);

/* The longest prefix of s[0..n) of at most max bytes that does not end in
 * the middle of a character. */
size_t utf8_cut(const char *s, size_t n, size_t max);

/* n, less a character cut short at the end of s[0..n) (what snprintf()
 * leaves when it truncates in the middle of one). */
size_t utf8_trim_partial(const char *s, size_t n);

/* Copy s[0..n) into dst (size > 0 bytes, NUL-terminated), every ill-formed
 * sequence replaced by U+FFFD, cut at a character boundary to fit. A NUL
 * in s ends the copy. Returns the bytes written, NUL not counted. */
size_t utf8_sanitize(char *dst, size_t size, const char *s, size_t n);

/* Append s[0..n) to dst[pos..size) as the body of a JSON string (no
 * quotes): valid UTF-8 (U+FFFD for what is not), '"', '\\' and control
 * characters escaped; stops before a character or an escape that would
 * not fit, so the result is always whole. Leaves dst NUL-terminated
 * (size > pos) and returns the new pos. *ret_used, when not NULL, gets how
 * many bytes of s went in. */
size_t utf8_json_escape(char *dst, size_t pos, size_t size, const char *s, size_t n, size_t *ret_used);

#endif
