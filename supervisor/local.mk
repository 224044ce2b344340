noinst_LIBRARIES += supervisor/libsupervisor.a
supervisor_libsupervisor_a_SOURCES = \
	supervisor/supervisor.c supervisor/supervisor.h \
	supervisor/service.c supervisor/service.h \
	supervisor/fsm.c supervisor/fsm.h \
	supervisor/spawn.c supervisor/spawn.h \
	supervisor/output.c supervisor/output.h \
	supervisor/logring.c supervisor/logring.h \
	supervisor/logfile.c supervisor/logfile.h
supervisor_libsupervisor_a_CFLAGS = $(AM_CFLAGS) $(CAP_CFLAGS)
include supervisor/probe.mk
include supervisor/ctl.mk
