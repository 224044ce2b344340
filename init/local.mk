sbin_PROGRAMS += tend
tend_SOURCES = \
	init/main.c \
	init/signals.c init/signals.h
tend_CFLAGS = $(AM_CFLAGS) $(INIH_CFLAGS) $(CAP_CFLAGS) $(NL_CFLAGS)
tend_LDADD = supervisor/libsupervisor.a net/libnetc.a $(CONF_LIBS) $(EV_LIBS) $(NL_LIBS)
include init/pid1.mk
tend_LDADD += $(JANSSON_LIBS)
