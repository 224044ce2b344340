# Small programs the PID-1 integration tests run as services, so that each
# test asks the inside a precise question (crun's tests/init.c idea).
check_PROGRAMS += test/tools/sigrecv test/tools/sigconf test/tools/orphans test/tools/sigstorm
test_tools_sigrecv_SOURCES = test/tools/sigrecv.c
test_tools_sigconf_SOURCES = test/tools/sigconf.c
test_tools_orphans_SOURCES = test/tools/orphans.c
test_tools_sigstorm_SOURCES = test/tools/sigstorm.c
