sbin_PROGRAMS += tend
tend_SOURCES = \
	init/main.c
tend_CFLAGS = $(AM_CFLAGS) $(INIH_CFLAGS) $(CAP_CFLAGS) $(NL_CFLAGS)
tend_LDADD = $(CONF_LIBS) $(EV_LIBS) $(NL_LIBS)
