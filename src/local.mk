# src/local.mk - the daemon.

noinst_LIBRARIES += src/libtcflowd.a
src_libtcflowd_a_SOURCES = src/datapath.c src/datapath.h \
	src/delta.c src/delta.h src/baseline.c src/baseline.h src/kmem.c src/kmem.h src/flowcache.c src/flowcache.h \
	src/config.c src/config.h src/config_kafka.c src/config_kafka.h \
	src/config_pace.c src/config_pace.h \
	src/config_system.c src/config_metrics.c src/config_metrics.h \
	src/metrics.c src/metrics.h src/metrics_http.c src/metrics_http.h \
	src/fetcher.c src/fetcher.h src/attach.c src/attach.h \
	src/iface.c src/iface.h src/enrich.c src/enrich.h \
	src/daemon.c src/daemon.h src/daemon_links.c src/daemon_links.h src/record.c src/record.h src/nat.c src/nat.h \
	src/stats.c src/stats.h src/outputs.c src/outputs.h src/notify.c src/notify.h \
	src/privs.c src/privs.h src/statedir.c src/statedir.h
src_libtcflowd_a_CPPFLAGS = $(SRC_CPPFLAGS)
# the skeletons must exist before datapath.c is compiled
src/libtcflowd_a-datapath.$(OBJEXT): bpf/flow.skel.h bpf/sock.skel.h

sbin_PROGRAMS = src/tcflowd
src_tcflowd_SOURCES = src/main.c
src_tcflowd_CPPFLAGS = $(SRC_CPPFLAGS) \
	-DTCFLOWD_DEFAULT_CONFIG='"$(sysconfdir)/tcflowd/tcflowd.conf"'
src_tcflowd_LDADD = $(TCFLOWD_LIBS)
