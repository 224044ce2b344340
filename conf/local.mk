noinst_LIBRARIES += conf/libconf.a
conf_libconf_a_SOURCES = \
	conf/conf.h conf/internal.h \
	conf/diag.c \
	conf/values.c \
	conf/parse.c \
	conf/model.c \
	conf/validate.c \
	conf/load.c
conf_libconf_a_CFLAGS = $(AM_CFLAGS) $(INIH_CFLAGS) $(CAP_CFLAGS)
CONF_LIBS = conf/libconf.a common/libcommon.a $(INIH_LIBS) $(CAP_LIBS)
