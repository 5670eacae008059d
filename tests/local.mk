# tests/local.mk - everything make check runs.

check_LIBRARIES += tests/libtap.a
tests_libtap_a_SOURCES = tests/tap.c tests/tap.h
tests_libtap_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests

# --- BPF_PROG_TEST_RUN tests of the real programs ---------------------------
EXTRA_DIST += tests/bpf/vlan_push.bpf.c
# every object that includes the skeleton waits for it (make -j)
tests/bpf/test_datapath-test_datapath.$(OBJEXT) \
tests/bpf/test_datapath-dp_parse.$(OBJEXT) \
tests/bpf/test_datapath-dptest.$(OBJEXT) \
tests/bpf/test_fuzz-dptest.$(OBJEXT) \
tests/bpf/test_nat-dptest.$(OBJEXT): tests/bpf/vlan_push.skel.h
CLEANFILES += tests/bpf/vlan_push.bpf.o tests/bpf/vlan_push.skel.h

DPTEST_SOURCES = tests/bpf/dptest.c tests/bpf/dptest.h \
	tests/bpf/frames.c tests/bpf/frames.h
check_PROGRAMS += tests/bpf/test_datapath
tests_bpf_test_datapath_SOURCES = tests/bpf/test_datapath.c \
	tests/bpf/dp_parse.c tests/bpf/dp_errors.c tests/bpf/dp_account.c \
	tests/bpf/dp_tcp.c \
	tests/bpf/dp_socket.c $(DPTEST_SOURCES)
tests_bpf_test_datapath_CPPFLAGS = $(TEST_CPPFLAGS) -I$(top_builddir)/tests/bpf
tests_bpf_test_datapath_LDADD = tests/libtap.a $(TCFLOWD_LIBS) -lm
TESTS += tests/bpf/test_datapath

check_PROGRAMS += tests/bpf/test_nat
tests_bpf_test_nat_SOURCES = tests/bpf/test_nat.c $(DPTEST_SOURCES)
tests_bpf_test_nat_CPPFLAGS = $(tests_bpf_test_datapath_CPPFLAGS)
tests_bpf_test_nat_LDADD = $(tests_bpf_test_datapath_LDADD)
TESTS += tests/bpf/test_nat

check_PROGRAMS += tests/bpf/test_fuzz
tests_bpf_test_fuzz_SOURCES = tests/bpf/test_fuzz.c $(DPTEST_SOURCES)
tests_bpf_test_fuzz_CPPFLAGS = $(tests_bpf_test_datapath_CPPFLAGS)
tests_bpf_test_fuzz_LDADD = $(tests_bpf_test_datapath_LDADD)
TESTS += tests/bpf/test_fuzz

check_PROGRAMS += tests/bpf/test_fetcher
tests_bpf_test_fetcher_SOURCES = tests/bpf/test_fetcher.c tests/bpf/fetch_tcp.c \
	tests/bpf/fetch_tcp.h $(DPTEST_SOURCES)
tests_bpf_test_fetcher_CPPFLAGS = $(tests_bpf_test_datapath_CPPFLAGS)
tests_bpf_test_fetcher_LDADD = tests/libtap.a $(TCFLOWD_LIBS)
TESTS += tests/bpf/test_fetcher

EXTRA_DIST += tests/run-all tests/install-deps tests/valgrind.supp

# tests/kernels (run by .ci/run, not by make check: it boots VMs)
EXTRA_DIST += tests/kernels tests/vm/init tests/vm/guest tests/vm/mkroot \
	tests/vm/mkinitrd tests/vm/count tests/vm/tcp-netem.sh

# make check-valgrind: every C test, and the daemon in the namespace tests,
# under valgrind; any error fails it.
VALGRIND_CMD = valgrind --suppressions=$(abs_top_srcdir)/tests/valgrind.supp \
	--error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite -q
check-valgrind:
	$(MAKE) $(AM_MAKEFLAGS) check LOG_COMPILER="$(VALGRIND_CMD)" \
		TCFLOWD_WRAPPER="$(VALGRIND_CMD)"

# make check-sanitize: an ASan/UBSan build of the distributed sources (a
# distdir copy, so it works beside an in-tree build), then its tests.
check-sanitize:
	rm -rf sanitize-build
	$(MKDIR_P) sanitize-build
	$(MAKE) $(AM_MAKEFLAGS) distdir distdir=sanitize-build/src
	$(MKDIR_P) sanitize-build/build
	cd sanitize-build/build && ../src/configure -q \
		CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		LDFLAGS="-fsanitize=address,undefined" && \
		$(MAKE) $(AM_MAKEFLAGS) check

# make distcheck-quick: distcheck (the tarball is complete, builds out of a
# read-only tree, installs, uninstalls and cleans up) with the tests that
# are not namespace scenarios.  .ci/run uses it: by then the scenarios
# have run from this tree, under valgrind, and from the distributed
# sources (check-sanitize builds a distdir copy); a fourth run of them
# would add minutes and check nothing new.
distcheck-quick:
	$(MAKE) $(AM_MAKEFLAGS) distcheck \
		TESTS='$(filter-out $(NETNS_TESTS),$(TESTS))'
.PHONY: check-valgrind check-sanitize distcheck-quick

# --- unit tests of pure code ---------------------------------------------
check_PROGRAMS += tests/unit/test_flowcache tests/unit/test_config tests/unit/test_nat \
	tests/unit/test_enrich tests/unit/test_check tests/unit/test_statedir \
	tests/unit/test_kmem tests/unit/test_baseline
tests_unit_test_baseline_SOURCES = tests/unit/test_baseline.c
tests_unit_test_baseline_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_test_baseline_LDADD = tests/libtap.a $(TCFLOWD_LIBS)
tests_unit_test_kmem_SOURCES = tests/unit/test_kmem.c
tests_unit_test_kmem_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_test_kmem_LDADD = tests/libtap.a $(TCFLOWD_LIBS)
check_PROGRAMS += tests/unit/test_metrics
tests_unit_test_metrics_SOURCES = tests/unit/test_metrics.c
tests_unit_test_metrics_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_test_metrics_LDADD = tests/libtap.a $(TCFLOWD_LIBS)
TESTS += tests/unit/test_metrics
tests_unit_test_check_SOURCES = tests/unit/test_check.c
tests_unit_test_check_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_test_check_LDADD = tests/libtap.a $(TCFLOWD_LIBS)
TESTS += tests/unit/test_check
tests_unit_test_statedir_SOURCES = tests/unit/test_statedir.c
tests_unit_test_statedir_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_test_statedir_LDADD = tests/libtap.a $(TCFLOWD_LIBS)
tests_unit_test_enrich_SOURCES = tests/unit/test_enrich.c
tests_unit_test_enrich_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_test_enrich_LDADD = tests/libtap.a $(TCFLOWD_LIBS)
tests_unit_test_flowcache_SOURCES = tests/unit/test_flowcache.c
tests_unit_test_flowcache_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_test_flowcache_LDADD = tests/libtap.a $(TCFLOWD_LIBS)
tests_unit_test_nat_SOURCES = tests/unit/test_nat.c
tests_unit_test_nat_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_test_nat_LDADD = tests/libtap.a $(TCFLOWD_LIBS)
tests_unit_test_config_SOURCES = tests/unit/test_config.c
tests_unit_test_config_CPPFLAGS = $(TEST_CPPFLAGS) -DTOP_SRCDIR='"$(abs_top_srcdir)"'
tests_unit_test_config_LDADD = tests/libtap.a $(TCFLOWD_LIBS)
# the pacer's arithmetic (exporter/pacer.c), with an invented clock
check_PROGRAMS += tests/unit/test_pacer
tests_unit_test_pacer_SOURCES = tests/unit/test_pacer.c
tests_unit_test_pacer_CPPFLAGS = $(EXPORTER_TEST_CPPFLAGS)
tests_unit_test_pacer_LDADD = tests/libtap.a $(EXPORTER_LIBS)
TESTS += tests/unit/test_pacer
TESTS += tests/unit/test_flowcache tests/unit/test_config tests/unit/test_enrich \
	tests/unit/test_nat \
	tests/unit/test_statedir tests/unit/test_kmem tests/unit/test_baseline \
	tests/unit/sample-config.sh tests/unit/cli.sh tests/unit/install.sh
EXTRA_DIST += tests/unit/sample-config.sh tests/unit/cli.sh tests/unit/install.sh \
	tests/fuzz/crashes/nul-in-long-line

# --- the config fuzzer: libFuzzer, where configure found it in clang ----------
# config.c asks the exporters what a message must hold: they are built with it,
# instrumented alike
FUZZ_CONFIG_SRC = $(top_srcdir)/tests/fuzz/fuzz_config.c $(top_srcdir)/src/config.c \
	$(top_srcdir)/lib/log.c $(top_srcdir)/exporter/exporter.c \
	$(top_srcdir)/exporter/json.c $(top_srcdir)/exporter/transport.c \
	$(top_srcdir)/exporter/netflow5.c $(top_srcdir)/exporter/netflow9.c \
	$(top_srcdir)/exporter/ipfix.c $(top_srcdir)/exporter/ipfix_tmpl.c \
	$(top_srcdir)/exporter/ipfix_flow.c \
	$(top_srcdir)/exporter/kafka.c $(top_srcdir)/exporter/flowpb.c \
	proto/flow.pb-c.c $(top_srcdir)/src/config_kafka.c $(top_srcdir)/src/kmem.c \
	$(top_srcdir)/src/config_pace.c $(top_srcdir)/exporter/pacer.c \
	$(top_srcdir)/src/config_metrics.c
EXTRA_DIST += tests/fuzz/fuzz_config.c tests/fuzz/config.sh
if HAVE_FUZZER
check_SCRIPTS = tests/fuzz/fuzz_config
endif
tests/fuzz/fuzz_config: $(FUZZ_CONFIG_SRC) $(top_srcdir)/src/config.h
	@$(MKDIR_P) $(@D)
	$(AM_V_CCLD)$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all $(SRC_CPPFLAGS) $(EXPORTER_CPPFLAGS) \
		$(FUZZ_CONFIG_SRC) $(EXPORTER_EXT_LIBS) -o $@
CLEANFILES += tests/fuzz/fuzz_config
TESTS += tests/fuzz/config.sh
# tcflowd -t: what start-up would refuse; the systemd units' hardening
TESTS += tests/unit/check-config.sh tests/unit/units.sh
EXTRA_DIST += tests/unit/check-config.sh tests/unit/units.sh

# --- encoders, decoded by an independent decoder (tshark) ------------------
# the record builders the encoder tests share
RECORDS_SOURCES = tests/records.c tests/records.h
check_PROGRAMS += tests/exporter/test_netflow5
tests_exporter_test_netflow5_SOURCES = tests/exporter/test_netflow5.c \
	tests/exporter/capture.c tests/exporter/capture.h \
	$(RECORDS_SOURCES)
tests_exporter_test_netflow5_CPPFLAGS = $(EXPORTER_TEST_CPPFLAGS)
tests_exporter_test_netflow5_LDADD = tests/libtap.a $(EXPORTER_LIBS)
TESTS += tests/exporter/test_netflow5

check_PROGRAMS += tests/exporter/test_json
tests_exporter_test_json_SOURCES = tests/exporter/test_json.c \
	$(RECORDS_SOURCES)
tests_exporter_test_json_CPPFLAGS = $(EXPORTER_TEST_CPPFLAGS)
tests_exporter_test_json_LDADD = tests/libtap.a $(EXPORTER_LIBS)
TESTS += tests/exporter/test_json

check_PROGRAMS += tests/exporter/test_json_full
tests_exporter_test_json_full_SOURCES = tests/exporter/test_json_full.c \
	$(RECORDS_SOURCES)
tests_exporter_test_json_full_CPPFLAGS = $(EXPORTER_TEST_CPPFLAGS)
tests_exporter_test_json_full_LDADD = tests/libtap.a $(EXPORTER_LIBS)
TESTS += tests/exporter/test_json_full

check_PROGRAMS += tests/exporter/test_templates
tests_exporter_test_templates_SOURCES = tests/exporter/test_templates.c \
	tests/exporter/capture.c tests/exporter/capture.h \
	$(RECORDS_SOURCES)
tests_exporter_test_templates_CPPFLAGS = $(EXPORTER_TEST_CPPFLAGS)
tests_exporter_test_templates_LDADD = tests/libtap.a $(EXPORTER_LIBS)
TESTS += tests/exporter/test_templates

check_PROGRAMS += tests/exporter/test_nat
tests_exporter_test_nat_SOURCES = tests/exporter/test_nat.c \
	tests/exporter/capture.c tests/exporter/capture.h \
	$(RECORDS_SOURCES)
tests_exporter_test_nat_CPPFLAGS = $(EXPORTER_TEST_CPPFLAGS)
tests_exporter_test_nat_LDADD = tests/libtap.a $(EXPORTER_LIBS)
TESTS += tests/exporter/test_nat

check_PROGRAMS += tests/exporter/test_progress
tests_exporter_test_progress_SOURCES = tests/exporter/test_progress.c \
	$(RECORDS_SOURCES)
tests_exporter_test_progress_CPPFLAGS = $(EXPORTER_TEST_CPPFLAGS)
tests_exporter_test_progress_LDADD = tests/libtap.a $(EXPORTER_LIBS)
TESTS += tests/exporter/test_progress

check_PROGRAMS += tests/exporter/test_transport
tests_exporter_test_transport_SOURCES = tests/exporter/test_transport.c \
	tests/exporter/logcap.c tests/exporter/logcap.h \
	tests/exporter/listen.c tests/exporter/listen.h
tests_exporter_test_transport_CPPFLAGS = $(EXPORTER_TEST_CPPFLAGS)
tests_exporter_test_transport_LDADD = tests/libtap.a $(EXPORTER_LIBS)
TESTS += tests/exporter/test_transport

check_PROGRAMS += tests/exporter/test_poll
tests_exporter_test_poll_SOURCES = tests/exporter/test_poll.c \
	tests/exporter/listen.c tests/exporter/listen.h
tests_exporter_test_poll_CPPFLAGS = $(EXPORTER_TEST_CPPFLAGS)
tests_exporter_test_poll_LDADD = tests/libtap.a $(EXPORTER_LIBS)
TESTS += tests/exporter/test_poll

check_PROGRAMS += tests/exporter/test_file_full
tests_exporter_test_file_full_SOURCES = tests/exporter/test_file_full.c \
	tests/exporter/logcap.c tests/exporter/logcap.h \
	$(RECORDS_SOURCES)
tests_exporter_test_file_full_CPPFLAGS = $(EXPORTER_TEST_CPPFLAGS)
tests_exporter_test_file_full_LDADD = tests/libtap.a $(EXPORTER_LIBS)
TESTS += tests/exporter/test_file_full

# --- network-namespace tests: the real daemon, real traffic ----------------
check_PROGRAMS += tests/netns/gen
tests_netns_gen_SOURCES = tests/netns/gen.c \
	tests/netns/gen_lanes.c tests/netns/gen_lanes.h bench/median.h
tests_netns_gen_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/bench
NETNS_TESTS = tests/netns/01-exact.sh tests/netns/02-load.sh \
	tests/netns/03-overflow.sh tests/netns/04-router.sh \
	tests/netns/05-timeouts.sh tests/netns/06-reload.sh \
	tests/netns/07-clean-exit.sh tests/netns/08-socket.sh \
	tests/netns/09-offload.sh tests/netns/10-netflow5.sh \
	tests/netns/11-netflow9.sh tests/netns/12-ipfix.sh \
	tests/netns/13-collector-restart.sh tests/netns/14-ipfix-tcp.sh \
	tests/netns/15-hotplug.sh tests/netns/16-routes.sh \
	tests/netns/17-collector-late.sh tests/netns/18-hotplug-burst.sh \
	tests/netns/20-decoders.sh \
	tests/netns/21-reload-collectors.sh tests/netns/30-tcp-in-flight.sh \
	tests/netns/31-refused-small-messages.sh tests/netns/40-instances.sh \
	tests/netns/41-statedir-lock.sh tests/netns/42-statedir-safe.sh \
	tests/netns/43-min-caps.sh tests/netns/44-many-ifaces.sh \
	tests/netns/45-stop-time.sh tests/netns/46-pacing.sh
# running as a service: signals, readiness, systemd, privileges
NETNS_TESTS += tests/netns/50-signals.sh tests/netns/51-daemonize.sh \
	tests/netns/52-notify.sh tests/netns/53-privileges.sh
# TCP health: handshake outcome, delays, retransmissions (issue 18)
NETNS_TESTS += tests/netns/73-tcp-health.sh
EXTRA_DIST += tests/netns/tcphealth.py
# the generator's own lanes mode (bench/peers)
NETNS_TESTS += tests/netns/54-gen-lanes.sh
EXTRA_DIST += tests/netns/notify.py
# "another TC user" for scenario 7
check_DATA = tests/netns/other.bpf.o
EXTRA_DIST += tests/netns/other.bpf.c
CLEANFILES += tests/netns/other.bpf.o
# Kafka output: librdkafka's mock brokers, python3-kafka as the consumer
check_PROGRAMS += tests/kafka/mock
tests_kafka_mock_SOURCES = tests/kafka/mock.c
tests_kafka_mock_CPPFLAGS = $(AM_CPPFLAGS) $(RDKAFKA_CFLAGS)
tests_kafka_mock_LDADD = $(RDKAFKA_LIBS)
NETNS_TESTS += tests/netns/60-kafka.sh tests/netns/61-kafka-outage.sh \
	tests/netns/62-kafka-silent.sh tests/netns/63-kafka-protobuf.sh
EXTRA_DIST += tests/kafka/lib.sh tests/kafka/consume.py tests/kafka/compare.py \
	tests/kafka/pbdecode.py
# [metrics]: a real Prometheus server scrapes; promtool checks the text
NETNS_TESTS += tests/netns/70-metrics.sh tests/netns/71-metrics-collector-down.sh \
	tests/netns/72-metrics-flood.sh
EXTRA_DIST += tests/netns/prom.py
# NAT: nftables masquerade and port forward, translations from conntrack
NETNS_TESTS += tests/netns/74-nat.sh
EXTRA_DIST += tests/netns/nat.py
# counting through the ring: exact, TCP health, the auto switch (issue 17)
NETNS_TESTS += tests/netns/75-counting-ring.sh tests/netns/76-tcp-health-ring.sh \
	tests/netns/77-counting-auto.sh
TESTS += $(NETNS_TESTS)
EXTRA_DIST += $(NETNS_TESTS) tests/netns/lib.sh tests/netns/flows.py \
	tests/netns/decoders.py tests/netns/ipfixrecv.py
TEST_EXTENSIONS = .sh
SH_LOG_DRIVER = $(LOG_DRIVER)
SH_LOG_COMPILER = env top_builddir=$(abs_top_builddir) \
	top_srcdir=$(abs_top_srcdir) bash
