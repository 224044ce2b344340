# init/pid1.mk: PID-1 mounts and namespaces, included from init/local.mk.
tend_SOURCES += init/mounts.c init/mounts.h init/ns.c init/ns.h
