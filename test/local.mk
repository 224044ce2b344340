# Integration tests: shell scripts run as root by `make check`, each exiting
# 0 (pass), 77 (skip, with the reason) or 1 (fail). Shared helpers: test/lib.sh.
EXTRA_DIST += test/lib.sh
integration_tests =
unit_tests =
include test/tools/local.mk
include test/unit/local.mk
include test/integration/local.mk
include test/fuzz/local.mk
TESTS += $(unit_tests)
if INTEGRATION_TESTS
TESTS += $(integration_tests)
endif
EXTRA_DIST += $(integration_tests)
