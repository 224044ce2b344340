# Probes (tcp://, http://, exec:) and the sd_notify protocol, owned by the
# probe module; included by supervisor/local.mk after it defines the library.
supervisor_libsupervisor_a_SOURCES += supervisor/probe.c supervisor/probe.h supervisor/notify.c supervisor/notify.h
# HOST by name for tcp:// and http:// probes (c-ares on the loop)
supervisor_libsupervisor_a_SOURCES += supervisor/resolve.c supervisor/resolve.h
