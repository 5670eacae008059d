# bench/local.mk - benchmarks: built by `make bench`, run by hand (not tests).

EXTRA_DIST += bench/ref.bpf.c
CLEANFILES += bench/ref.bpf.o bench/ref.skel.h
BENCH_BINS = bench/datapath bench/fetch bench/export bench/enrich bench/hashref
CLEANFILES += $(BENCH_BINS)
# bench/peers sends with the tests' generator (gen lanes)
bench: $(BENCH_BINS) tests/netns/gen
.PHONY: bench
bench/datapath-datapath.$(OBJEXT) bench/hashref-hashref.$(OBJEXT): bench/ref.skel.h

EXTRA_PROGRAMS += bench/datapath
bench_datapath_SOURCES = bench/datapath.c bench/median.h tests/bpf/frames.c tests/bpf/frames.h
bench_datapath_CPPFLAGS = $(TEST_CPPFLAGS) -I$(top_srcdir)/tests/bpf -I$(top_builddir)/bench
bench_datapath_LDADD = $(TCFLOWD_LIBS)

EXTRA_PROGRAMS += bench/hashref
bench_hashref_SOURCES = bench/hashref.c
bench_hashref_CPPFLAGS = $(TEST_CPPFLAGS) -I$(top_builddir)/bench
bench_hashref_LDADD = $(TCFLOWD_LIBS)

EXTRA_PROGRAMS += bench/fetch
bench_fetch_SOURCES = bench/fetch.c bench/median.h
bench_fetch_CPPFLAGS = $(TEST_CPPFLAGS)
bench_fetch_LDADD = $(TCFLOWD_LIBS)

EXTRA_PROGRAMS += bench/export
bench_export_SOURCES = bench/export.c bench/median.h
bench_export_CPPFLAGS = $(TEST_CPPFLAGS)
bench_export_LDADD = $(TCFLOWD_LIBS) -lpthread

EXTRA_PROGRAMS += bench/enrich
bench_enrich_SOURCES = bench/enrich.c bench/median.h
bench_enrich_CPPFLAGS = $(TEST_CPPFLAGS)
bench_enrich_LDADD = $(TCFLOWD_LIBS)

EXTRA_DIST += bench/peers
