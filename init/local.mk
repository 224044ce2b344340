sbin_PROGRAMS += tend
tend_SOURCES = \
	init/main.c \
	init/signals.c init/signals.h \
	init/termlog.c init/termlog.h \
	net/netload.c net/netload.h
tend_CPPFLAGS = $(AM_CPPFLAGS) -DTEND_PKGLIBDIR='"$(pkglibdir)"'
tend_CFLAGS = $(AM_CFLAGS) $(INIH_CFLAGS) $(CAP_CFLAGS)
# No libnl here: the network module (tend-netc.so) brings it when needed.
tend_LDADD = supervisor/libsupervisor.a $(CONF_LIBS) $(EV_LIBS)
include init/pid1.mk
tend_LDADD += $(JANSSON_LIBS)
tend_LDADD += $(CARES_LIBS)

# tend-static: the same tend linked statically, for images that hold none
# of its libraries (COPY tend-static /sbin/tend). The network code is linked
# in (net/netc.c; netload() then does nothing: no module, no dlopen), and
# every source is compiled again for it without the sanitizers, which do not
# link statically: $(AM_CFLAGS) and $(AM_LDFLAGS) carry them, so it names
# its own flags. No NSS: tend reads /etc/passwd and /etc/group itself.
if TEND_STATIC
sbin_PROGRAMS += tend-static
tend_static_SOURCES = $(tend_SOURCES) net/netc.c net/netc.h init/nonss.c \
	$(supervisor_libsupervisor_a_SOURCES) $(conf_libconf_a_SOURCES) $(common_libcommon_a_SOURCES)
tend_static_CPPFLAGS = $(AM_CPPFLAGS) -DTEND_STATIC
tend_static_CFLAGS = $(WARN_CFLAGS) $(STATIC_HARDEN_CFLAGS) $(INIH_CFLAGS) $(CAP_CFLAGS) $(NL_CFLAGS) $(JANSSON_CFLAGS)
tend_static_LDFLAGS = -static $(HARDEN_LDFLAGS)
tend_static_LDADD = $(STATIC_LIBS)
endif
