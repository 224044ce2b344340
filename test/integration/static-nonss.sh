#!/bin/bash
# static-nonss: tend-static carries none of glibc's NSS lookup code
# (init/nonss.c). Were it there and ever reached, glibc would read the
# container's /etc/nsswitch.conf and dlopen the libnss_*.so it names from
# the container's root filesystem into PID 1. Asserts: no NSS database
# loader (__nss_database_get) and no getnameinfo/getservbyport_r of glibc
# (libnl's and c-ares's way in) in the binary.
. "$TOP_SRCDIR/test/lib.sh"
need_cmd nm strings
TEND_STATIC=${TEND_STATIC:-$TOP_BUILDDIR/tend-static}
[ -x "$TEND_STATIC" ] || skip "no $TEND_STATIC (configure found no static libraries)"

syms=$(nm "$TEND_STATIC" 2>/dev/null) || die "nm $TEND_STATIC"
check_eq "no NSS database loader" "" "$(grep -E ' __nss_database_get$' <<<"$syms")"
check_eq "no glibc getservbyport_r (getnameinfo's service lookup)" "" "$(grep -E ' __getservbyport_r$' <<<"$syms")"
check_eq "no libnss_*.so name to dlopen" "" "$(strings "$TEND_STATIC" | grep -E 'libnss_' | head -n1)"
