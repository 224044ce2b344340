# supervisor/ctl.mk: the control socket, the HTTP endpoint, and the status
# rendering they share (owned by the control module); included by
# supervisor/local.mk after it defines the library. tend itself must link
# $(JANSSON_LIBS) (status.c renders JSON with jansson).
supervisor_libsupervisor_a_SOURCES += \
	supervisor/conn.c supervisor/conn.h \
	supervisor/peer.c supervisor/peer.h \
	supervisor/control.c supervisor/control.h \
	supervisor/http.c supervisor/http.h \
	supervisor/status.c supervisor/status.h
supervisor_libsupervisor_a_CFLAGS += $(JANSSON_CFLAGS)
