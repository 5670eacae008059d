# tests/local.mk - everything make check runs.

noinst_LIBRARIES += tests/libtap.a
tests_libtap_a_SOURCES = tests/tap.c tests/tap.h

# --- BPF_PROG_TEST_RUN tests of the real programs ---------------------------
EXTRA_DIST += tests/bpf/vlan_push.bpf.c
BUILT_SOURCES += tests/bpf/vlan_push.skel.h
CLEANFILES += tests/bpf/vlan_push.bpf.o tests/bpf/vlan_push.skel.h

check_PROGRAMS += tests/bpf/test_datapath
tests_bpf_test_datapath_SOURCES = tests/bpf/test_datapath.c \
	tests/bpf/frames.c tests/bpf/frames.h
tests_bpf_test_datapath_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir)/tests/bpf
tests_bpf_test_datapath_LDADD = src/libtcflowd.a tests/libtap.a $(BPF_LIBS) -lm
TESTS += tests/bpf/test_datapath
