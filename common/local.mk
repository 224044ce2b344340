noinst_LIBRARIES += common/libcommon.a
common_libcommon_a_SOURCES = \
	common/envfile.c common/envfile.h \
	common/log.c common/log.h \
	common/outfd.c common/outfd.h \
	common/procstat.c common/procstat.h \
	common/safeopen.c common/safeopen.h \
	common/strv.c common/strv.h \
	common/util.c common/util.h \
	common/utf8.c common/utf8.h
