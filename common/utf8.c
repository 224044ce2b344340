/* utf8.c: see utf8.h. The well-formed byte sequences are those of Unicode
 * 15, table 3-7: no overlong forms, no surrogates, nothing above
 * U+10FFFF. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "common/utf8.h"

size_t utf8_char(const char *s, size_t n, size_t *ret_bad)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned char lo = 0x80, hi = 0xbf; /* the second byte's range */
	size_t len;

	if (n == 0) {
		if (ret_bad)
			*ret_bad = 0;
		return 0;
	}
	if (u[0] < 0x80)
		return 1;
	if (u[0] < 0xc2 || u[0] > 0xf4) { /* a continuation, an overlong lead, or past U+10FFFF */
		if (ret_bad)
			*ret_bad = 1;
		return 0;
	}
	if (u[0] < 0xe0) {
		len = 2;
	} else if (u[0] < 0xf0) {
		len = 3;
		if (u[0] == 0xe0)
			lo = 0xa0; /* overlong */
		else if (u[0] == 0xed)
			hi = 0x9f; /* surrogates */
	} else {
		len = 4;
		if (u[0] == 0xf0)
			lo = 0x90; /* overlong */
		else if (u[0] == 0xf4)
			hi = 0x8f; /* past U+10FFFF */
	}
	for (size_t i = 1; i < len; i++) {
		unsigned char min = i == 1 ? lo : 0x80, max = i == 1 ? hi : 0xbf;
		if (i >= n || u[i] < min || u[i] > max) {
			/* The lead and the continuations that fit it so far form
			 * the maximal subpart, replaced as one. */
			if (ret_bad)
				*ret_bad = i;
			return 0;
		}
	}
	return len;
}

/* The next unit: a character (*ok) or a maximal ill-formed subpart. */
static size_t next_unit(const char *s, size_t n, bool *ok)
{
	size_t bad = 0, len = utf8_char(s, n, &bad);
	*ok = len > 0;
	return len ? len : bad;
}

bool utf8_valid(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		bool ok;
		i += next_unit(s + i, n - i, &ok);
		if (!ok)
			return false;
	}
	return true;
}

size_t utf8_cut(const char *s, size_t n, size_t max)
{
	size_t i = 0;

	if (n <= max)
		return n;
	while (i < n) {
		bool ok;
		size_t k = next_unit(s + i, n - i, &ok);
		if (i + k > max)
			break;
		i += k;
	}
	return i;
}

size_t utf8_trim_partial(const char *s, size_t n)
{
	for (size_t back = 1; back <= 3 && back <= n; back++) {
		unsigned char c = (unsigned char)s[n - back];
		if ((c & 0xc0) == 0x80)
			continue; /* a continuation byte: look further back */
		size_t bad = 0;
		/* A lead whose continuations all fit it, but too few. */
		if (c >= 0xc2 && c <= 0xf4 && utf8_char(s + n - back, back, &bad) == 0 && bad == back)
			return n - back;
		break;
	}
	return n;
}

size_t utf8_sanitize(char *dst, size_t size, const char *s, size_t n)
{
	size_t i = 0, o = 0;

	if (size == 0)
		return 0;
	while (i < n && s[i]) {
		bool ok;
		size_t k = next_unit(s + i, n - i, &ok);
		size_t w = ok ? k : sizeof(UTF8_REPLACEMENT) - 1;
		if (o + w >= size)
			break;
		memcpy(dst + o, ok ? s + i : UTF8_REPLACEMENT, w);
		o += w;
		i += k;
	}
	dst[o] = 0;
	return o;
}

size_t utf8_json_escape(char *dst, size_t pos, size_t size, const char *s, size_t n, size_t *ret_used)
{
	size_t i = 0;

	if (pos >= size) {
		if (ret_used)
			*ret_used = 0;
		return pos;
	}
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		char esc[8];
		const char *out;
		size_t k, w;
		bool ok;

		if (c < 0x80) {
			k = 1;
			out = esc;
			if (c == '"' || c == '\\') {
				esc[0] = '\\';
				esc[1] = (char)c;
				w = 2;
			} else if (c == '\n' || c == '\t' || c == '\r') {
				esc[0] = '\\';
				esc[1] = c == '\n' ? 'n' : c == '\t' ? 't' : 'r';
				w = 2;
			} else if (c < 0x20) {
				w = (size_t)snprintf(esc, sizeof(esc), "\\u%04x", c);
			} else {
				out = s + i;
				w = 1;
			}
		} else {
			k = next_unit(s + i, n - i, &ok);
			out = ok ? s + i : UTF8_REPLACEMENT;
			w = ok ? k : sizeof(UTF8_REPLACEMENT) - 1;
		}
		if (pos + w >= size)
			break;
		memcpy(dst + pos, out, w);
		pos += w;
		i += k;
	}
	dst[pos] = 0;
	if (ret_used)
		*ret_used = i;
	return pos;
}
