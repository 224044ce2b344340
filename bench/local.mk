# bench: filled in by its module
# PID 1 (bench/pid1.sh): tend as PID 1 against tini, dumb-init, catatonit.
# The helper is built only for `make bench`, without sanitizers (they would
# slow every fork it times), and the bench itself is not part of `make check`.
EXTRA_PROGRAMS = bench/pid1-bench
bench_pid1_bench_SOURCES = bench/pid1-bench.c
bench_pid1_bench_CFLAGS = -O2 $(WARN_CFLAGS)
bench_pid1_bench_LDFLAGS =
CLEANFILES += bench/pid1-bench$(EXEEXT)
EXTRA_DIST += bench/pid1.sh
# Raw results (bench/results.sh, issue 18): every bench writes its figures
# as TSV into BENCH_OUT; `make bench` starts it anew (bench-results, first),
# `make bench-charts` draws the SVGs and report.md from what is there.
BENCH_OUT = $(abs_top_builddir)/bench/results/latest
EXTRA_DIST += bench/results.sh bench/charts bench/report
.PHONY: bench bench-pid1 bench-results
bench: bench-results bench-pid1
bench-results:
	rm -f '$(BENCH_OUT)'/*.tsv '$(BENCH_OUT)'/*.svg '$(BENCH_OUT)'/report.md
	$(MKDIR_P) '$(BENCH_OUT)'
bench-pid1: all bench/pid1-bench$(EXEEXT)
	BENCH_OUT='$(BENCH_OUT)' TEND='$(abs_top_builddir)/tend' PID1_BENCH='$(abs_top_builddir)/bench/pid1-bench' \
		$(SHELL) '$(abs_top_srcdir)/bench/pid1.sh'
# Network set-up (bench/net-setup.sh): tend's in-process netc against a
# script of `ip` commands. Its driver is netc-driver built again, -O2 and
# without sanitizers, from the same sources.
EXTRA_PROGRAMS += bench/net-setup-bench
bench_net_setup_bench_SOURCES = test/netc-driver.c net/netc.c common/log.c common/util.c common/strv.c common/outfd.c common/utf8.c
bench_net_setup_bench_CFLAGS = -O2 $(WARN_CFLAGS) $(NL_CFLAGS)
bench_net_setup_bench_LDFLAGS = $(HARDEN_LDFLAGS)
bench_net_setup_bench_LDADD = $(NL_LIBS) $(EV_LIBS)
CLEANFILES += bench/net-setup-bench$(EXEEXT)
EXTRA_DIST += bench/net-setup.sh
.PHONY: bench-net-setup
bench: bench-net-setup
bench-net-setup: bench/net-setup-bench$(EXEEXT)
	BENCH_OUT='$(BENCH_OUT)' TOP_BUILDDIR='$(abs_top_builddir)' NET_BENCH='$(abs_top_builddir)/bench/net-setup-bench' \
		$(SHELL) '$(abs_top_srcdir)/bench/net-setup.sh'
# Probes and sd_notify (bench/probe-bench.c): one attempt of each probe kind
# (median, p90, max, attempts/s) and notify lines dispatched per second.
# -O2 without sanitizers; not part of `make check`.
EXTRA_PROGRAMS += bench/probe-bench
bench_probe_bench_SOURCES = bench/probe-bench.c supervisor/probe.c supervisor/resolve.c supervisor/notify.c common/procstat.c common/log.c common/util.c common/strv.c common/outfd.c common/utf8.c common/safeopen.c
bench_probe_bench_CFLAGS = -O2 $(WARN_CFLAGS)
bench_probe_bench_LDFLAGS = $(HARDEN_LDFLAGS)
bench_probe_bench_LDADD = $(EV_LIBS) $(CARES_LIBS)
CLEANFILES += bench/probe-bench$(EXEEXT)
.PHONY: bench-probe
bench: bench-probe
bench-probe: bench/probe-bench$(EXEEXT)
	bench/probe-bench$(EXEEXT) 2000
# Supervisor (bench/restart.sh, bench/many-services.sh): restart latency
# against supervisord, s6-supervise and runsv; 1,000 services under one
# tend. The service is test/helpers/svc-stamp built again for the bench,
# -O2, static, without sanitizers. Run it from a build configured without
# --enable-sanitizers.
EXTRA_PROGRAMS += bench/restart-stamp
bench_restart_stamp_SOURCES = test/helpers/svc-stamp.c
bench_restart_stamp_CFLAGS = -O2 $(WARN_CFLAGS)
bench_restart_stamp_LDFLAGS = -static
CLEANFILES += bench/restart-stamp$(EXEEXT)
EXTRA_DIST += bench/restart.sh bench/many-services.sh
.PHONY: bench-restart
bench: bench-restart
bench-restart: all bench/restart-stamp$(EXEEXT)
	BENCH_OUT='$(BENCH_OUT)' TEND='$(abs_top_builddir)/tend' STAMP='$(abs_top_builddir)/bench/restart-stamp' \
		bash '$(abs_top_srcdir)/bench/restart.sh'
# Soak (bench/soak.sh, issue 12): 1,000 crashing services, /status every
# 10 ms, a reload every second, for DURATION (600 s); not part of `make
# bench`, run it by hand from a build without sanitizers: make bench-soak.
EXTRA_DIST += bench/soak.sh
.PHONY: bench-soak
bench-soak: all
	TEND='$(abs_top_builddir)/tend' TENDCTL='$(abs_top_builddir)/tendctl' \
		bash '$(abs_top_srcdir)/bench/soak.sh'
# Reload and the heap (bench/reload-heap.sh): glibc's bytes in use across
# 1,000 reloads that each restart half of 200 services; needs gdb; not part
# of `make bench`.
EXTRA_DIST += bench/reload-heap.sh
.PHONY: bench-reload-heap
bench-reload-heap: all
	TEND='$(abs_top_builddir)/tend' TENDCTL='$(abs_top_builddir)/tendctl' \
		bash '$(abs_top_srcdir)/bench/reload-heap.sh'
# Log throughput (bench/log-throughput.sh, issue 15): lines per second
# through tagged (text, JSON) against inherit and supervisord; run it from
# a build without sanitizers; not part of `make bench`.
EXTRA_DIST += bench/log-throughput.sh
.PHONY: bench-log
bench-log: all
	BENCH_OUT='$(BENCH_OUT)' TEND='$(abs_top_builddir)/tend' bash '$(abs_top_srcdir)/bench/log-throughput.sh'
# The demo's first request (bench/demo-startup.sh): runc and the demo's
# bundle (tend-bundle, its cache or the network); not part of `make bench`.
# bench-charts: one SVG per headline figure and the Markdown tables, both
# from the TSVs in BENCH_OUT (gnuplot-nox).
.PHONY: bench-demo bench-charts
bench-demo: all
	BENCH_OUT='$(BENCH_OUT)' TEND_BIN='$(abs_top_builddir)/tend' TEND_NET_BIN='$(abs_top_builddir)/tend-net' \
		bash '$(abs_top_srcdir)/bench/demo-startup.sh' $(BENCH_DEMO_RUNS)
BENCH_DEMO_RUNS = 20
bench-charts:
	bash '$(abs_top_srcdir)/bench/charts' '$(BENCH_OUT)'
	bash '$(abs_top_srcdir)/bench/report' '$(BENCH_OUT)' >'$(BENCH_OUT)/report.md'
# The headline run shown in README.md and bench/README.md: its charts in
# bench/pictures/, its raw results and tables in bench/pictures/results/
# (`bench/charts bench/pictures/results bench/pictures` draws the same
# bytes again). `make bench-pictures` (root, a build without sanitizers,
# the peers installed) makes a new run and puts it there.
BENCH_PICTURES = bench/pictures/restart-interval.svg bench/pictures/idle-syscalls.svg \
	bench/pictures/reaping.svg bench/pictures/signal-latency.svg bench/pictures/memory.svg \
	bench/pictures/net-setup.svg bench/pictures/demo-first-request.svg
EXTRA_DIST += $(BENCH_PICTURES) bench/pictures/results/machine.tsv bench/pictures/results/report.md \
	bench/pictures/results/pid1.tsv bench/pictures/results/pid1.samples.tsv \
	bench/pictures/results/restart.tsv bench/pictures/results/restart.samples.tsv \
	bench/pictures/results/many-services.tsv bench/pictures/results/many-services.samples.tsv \
	bench/pictures/results/net-setup.tsv bench/pictures/results/net-setup.samples.tsv \
	bench/pictures/results/demo-startup.tsv bench/pictures/results/demo-startup.samples.tsv
.PHONY: bench-pictures
bench-pictures:
	INITS='tend tend-static tini dumb-init catatonit' $(MAKE) $(AM_MAKEFLAGS) bench
	$(MAKE) $(AM_MAKEFLAGS) bench-demo
	$(MAKE) $(AM_MAKEFLAGS) bench-charts
	mkdir -p '$(abs_top_srcdir)/bench/pictures/results'
	cp '$(BENCH_OUT)'/*.svg '$(abs_top_srcdir)/bench/pictures/'
	cp '$(BENCH_OUT)'/*.tsv '$(BENCH_OUT)/report.md' '$(abs_top_srcdir)/bench/pictures/results/'
