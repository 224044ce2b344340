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
.PHONY: bench bench-pid1
bench: bench-pid1
bench-pid1: all bench/pid1-bench$(EXEEXT)
	TEND='$(abs_top_builddir)/tend' PID1_BENCH='$(abs_top_builddir)/bench/pid1-bench' \
		$(SHELL) '$(abs_top_srcdir)/bench/pid1.sh'
