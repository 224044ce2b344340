/* ocistate.h: the OCI state JSON that runc hands a hook on stdin (the
 * runtime spec's "State": ociVersion, id, status, pid, bundle, ...).
 *
 * A pure function: no I/O and no logging, so that the whole of it can be
 * fuzzed (test/fuzz/fuzz_ocistate.c). tend-net reads stdin and says what
 * went wrong; this module only judges the bytes. */
#ifndef TEND_NET_OCISTATE_H
#define TEND_NET_OCISTATE_H

#include <stdbool.h>
#include <stddef.h>

#define OCI_NAME_MAX 100 /* nft comments hold 128 bytes, with "tend-net:" */
#define OCI_STATE_MAX (1024 * 1024)

struct oci_state {
	char *id;     /* the container's id, checked with oci_name_ok() */
	int pid;      /* 0: none, or not a valid pid (a poststop state has none) */
	char *bundle; /* NULL: none, or not a non-empty string */
};

/* Parse `len` bytes at `data` (not NUL-terminated; at most OCI_STATE_MAX).
 * Returns 0 and fills *ret, or -EINVAL (-ENOMEM) with the reason, one
 * line, in err (never longer than err_len; the id is quoted only once it
 * is known to be printable). *ret is untouched on failure. */
int oci_state_parse(const char *data, size_t len, struct oci_state *ret, char *err, size_t err_len);
void oci_state_done(struct oci_state *s);

/* Names key links, rules and files: 1 to OCI_NAME_MAX of A-Z a-z 0-9 _ . + -,
 * not starting with '.' or '-' (what runc accepts as an id, and what fits
 * an nftables comment). */
bool oci_name_ok(const char *s);

#endif
