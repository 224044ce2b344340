# test/unit
if HAVE_CHECK
# probe: supervisor/probe.c and notify.c compiled in directly, so that these
# tests do not depend on the order the supervisor library is put together.
unit_tests += test/unit/test_probe
check_PROGRAMS += test/unit/test_probe
test_unit_test_probe_SOURCES = test/unit/test_probe.c supervisor/probe.c supervisor/probe.h
test_unit_test_probe_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
test_unit_test_probe_LDADD = common/libcommon.a $(EV_LIBS) $(CHECK_LIBS)
unit_tests += test/unit/test_notify
check_PROGRAMS += test/unit/test_notify
test_unit_test_notify_SOURCES = test/unit/test_notify.c supervisor/notify.c supervisor/notify.h
test_unit_test_notify_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
test_unit_test_notify_LDADD = common/libcommon.a $(EV_LIBS) $(CHECK_LIBS)
endif
