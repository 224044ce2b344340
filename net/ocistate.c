/* ocistate.c: the OCI state JSON of a hook's stdin. See ocistate.h. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/util.h"
#include "net/ocistate.h"

bool oci_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > OCI_NAME_MAX || s[0] == '.' || s[0] == '-')
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.+-") == n;
}

/* The reason, as one printable line: jansson's error text quotes the
 * token it stopped at, which are input bytes (a newline, a control
 * character, half of a UTF-8 sequence); they become '?'. */
static void say(char *err, size_t err_len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;

	if (err_len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
	for (char *c = err; *c; c++)
		if ((unsigned char) *c < 0x20 || (unsigned char) *c >= 0x7f)
			*c = '?';
}

static bool blank(const char *data, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (data[i] != ' ' && data[i] != '\t' && data[i] != '\r' && data[i] != '\n')
			return false;
	return true;
}

int oci_state_parse(const char *data, size_t len, struct oci_state *ret, char *err, size_t err_len)
{
	_cleanup_(json_decrefp) json_t *root = NULL;
	struct oci_state s = { 0 };
	json_error_t jerr;
	json_t *id, *pid, *bundle;

	if (len > OCI_STATE_MAX) {
		say(err, err_len, "OCI state on stdin is larger than %d bytes", OCI_STATE_MAX);
		return -EINVAL;
	}
	if (len == 0 || blank(data, len)) {
		say(err, err_len, "no OCI state on stdin (hook mode expects the container's state JSON)");
		return -EINVAL;
	}
	/* json_loadb() takes a length: the bytes need no NUL, and a NUL
	 * inside them is an error (JSON_ALLOW_NUL not given). */
	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		say(err, err_len, "invalid OCI state JSON on stdin, line %d: %s", jerr.line, jerr.text);
		return -EINVAL;
	}
	if (!json_is_object(root)) {
		say(err, err_len, "invalid OCI state on stdin: not a JSON object");
		return -EINVAL;
	}
	id = json_object_get(root, "id");
	if (!json_is_string(id)) {
		say(err, err_len, "OCI state on stdin has no \"id\"");
		return -EINVAL;
	}
	/* A string with a NUL inside would be cut short by strlen(). */
	if (strlen(json_string_value(id)) != json_string_length(id) || !oci_name_ok(json_string_value(id))) {
		say(err, err_len, "OCI state: container id cannot be used as a name "
			 "(1 to %d of A-Z a-z 0-9 _ . + -, not starting with . or -)", OCI_NAME_MAX);
		return -EINVAL;
	}
	pid = json_object_get(root, "pid");
	if (json_is_integer(pid) && json_integer_value(pid) > 0 && json_integer_value(pid) <= INT_MAX)
		s.pid = (int) json_integer_value(pid);
	bundle = json_object_get(root, "bundle");
	if (json_is_string(bundle) && json_string_length(bundle) > 0 &&
	    strlen(json_string_value(bundle)) == json_string_length(bundle)) {
		s.bundle = strdup(json_string_value(bundle));
		if (!s.bundle)
			goto nomem;
	}
	s.id = strdup(json_string_value(id));
	if (!s.id)
		goto nomem;
	*ret = s;
	return 0;
nomem:
	oci_state_done(&s);
	say(err, err_len, "out of memory");
	return -ENOMEM;
}

void oci_state_done(struct oci_state *s)
{
	free(s->id);
	free(s->bundle);
	*s = (struct oci_state){ 0 };
}
