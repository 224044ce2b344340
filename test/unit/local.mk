# test/unit
if HAVE_CHECK
# probe: supervisor/probe.c and notify.c compiled in directly, so that these
# tests do not depend on the order the supervisor library is put together.
unit_tests += test/unit/test_probe
check_PROGRAMS += test/unit/test_probe
test_unit_test_probe_SOURCES = test/unit/test_probe.c supervisor/probe.c supervisor/probe.h supervisor/resolve.c
test_unit_test_probe_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
test_unit_test_probe_LDADD = common/libcommon.a $(EV_LIBS) $(CARES_LIBS) $(CHECK_LIBS)
unit_tests += test/unit/test_notify
check_PROGRAMS += test/unit/test_notify
test_unit_test_notify_SOURCES = test/unit/test_notify.c supervisor/notify.c supervisor/notify.h
test_unit_test_notify_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
test_unit_test_notify_LDADD = common/libcommon.a $(EV_LIBS) $(CHECK_LIBS)
endif
if HAVE_CHECK
# conf: parser, value parsers, validation, and the corpus in test/corpus
# (found through $TOP_SRCDIR, or the source directory compiled in).
unit_tests += test/unit/test_conf
check_PROGRAMS += test/unit/test_conf
test_unit_test_conf_SOURCES = test/unit/test_conf.c
test_unit_test_conf_CPPFLAGS = $(AM_CPPFLAGS) -DTOP_SRCDIR='"$(abs_top_srcdir)"'
test_unit_test_conf_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(INIH_CFLAGS) $(CAP_CFLAGS)
test_unit_test_conf_LDADD = $(CONF_LIBS) $(CHECK_LIBS)
endif
if HAVE_CHECK
# utf8: common/utf8.c, and common/log.c's JSON lines and non-blocking stderr.
unit_tests += test/unit/test_utf8
check_PROGRAMS += test/unit/test_utf8
test_unit_test_utf8_SOURCES = test/unit/test_utf8.c
test_unit_test_utf8_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
test_unit_test_utf8_LDADD = common/libcommon.a $(CHECK_LIBS)
endif
if HAVE_CHECK
# service_fsm: the service state machine (supervisor/fsm.c, a pure function)
# through every state x event pair, without a process.
unit_tests += test/unit/test_service_fsm
check_PROGRAMS += test/unit/test_service_fsm
test_unit_test_service_fsm_SOURCES = test/unit/test_service_fsm.c supervisor/fsm.c supervisor/fsm.h
test_unit_test_service_fsm_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
test_unit_test_service_fsm_LDADD = $(CHECK_LIBS)
endif
