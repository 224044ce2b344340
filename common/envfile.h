/* envfile.h: the KEY=VALUE format of a service's env_file. */
#ifndef TEND_ENVFILE_H
#define TEND_ENVFILE_H

#include <stddef.h>

/* Apply every assignment of `data` (len bytes, any bytes) to *env, in
 * order, a later one replacing an earlier one of the same KEY. Lines are
 * `KEY=VALUE`, optionally `export KEY=VALUE`; blank lines and lines whose
 * first non-blank is `#` are skipped; blanks around the line and a CR at
 * its end are dropped; one pair of matching quotes around VALUE is removed.
 * A NUL byte ends a line's text. Returns 0; -EINVAL with *ret_line the
 * first line (from 1) that is not KEY=VALUE, *env then holding the lines
 * before it; -ENOMEM. Never prints anything: the bytes may be secrets. */
int envfile_apply(const char *data, size_t len, char ***env, size_t *ret_line);

#endif
