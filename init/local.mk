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
