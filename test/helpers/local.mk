# test/helpers: small programs the integration tests run as services.
# Built without sanitizers (per-target CFLAGS replace AM_CFLAGS) and
# statically: a service that is exec'd thousands of times should cost the
# supervisor's time, not the dynamic loader's or a sanitizer's start-up.
check_PROGRAMS += test/helpers/svc-stamp
test_helpers_svc_stamp_SOURCES = test/helpers/svc-stamp.c
test_helpers_svc_stamp_CFLAGS = -O2 $(WARN_CFLAGS)
test_helpers_svc_stamp_LDFLAGS = -static
