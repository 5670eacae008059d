# src/local.mk - the daemon.

noinst_LIBRARIES += src/libtcflowd.a
src_libtcflowd_a_SOURCES = src/datapath.c src/datapath.h \
	src/metrics.c src/metrics.h src/flowcache.c src/flowcache.h \
	src/config.c src/config.h src/log.c src/log.h \
	src/fetcher.c src/fetcher.h src/attach.c src/attach.h \
	src/iface.c src/iface.h src/enrich.c src/enrich.h \
	src/daemon.c src/daemon.h src/notify.c src/notify.h \
	src/privs.c src/privs.h src/statedir.c src/statedir.h \
	exporter/exporter.c exporter/exporter.h exporter/json.c \
	exporter/transport.c exporter/transport.h exporter/netflow5.c \
	exporter/netflow9.c exporter/ipfix.c \
	exporter/json.h exporter/kafka.c exporter/kafka.h \
	exporter/flowpb.c exporter/flowpb.h
# format = protobuf: C from proto/flow.proto, generated, never committed
nodist_src_libtcflowd_a_SOURCES = proto/flow.pb-c.c proto/flow.pb-c.h
BUILT_SOURCES += proto/flow.pb-c.c proto/flow.pb-c.h
CLEANFILES += proto/flow.pb-c.c proto/flow.pb-c.h
EXTRA_DIST += proto/flow.proto
proto/flow.pb-c.h: proto/flow.pb-c.c
proto/flow.pb-c.c: $(top_srcdir)/proto/flow.proto
	@$(MKDIR_P) proto
	$(AM_V_GEN)$(PROTOC_C) --proto_path=$(top_srcdir)/proto --c_out=proto $<
# the skeletons must exist before datapath.c is compiled
src/datapath.$(OBJEXT): bpf/flow.skel.h bpf/sock.skel.h

sbin_PROGRAMS = src/tcflowd
src_tcflowd_SOURCES = src/main.c
src_tcflowd_CPPFLAGS = $(AM_CPPFLAGS) \
	-DTCFLOWD_DEFAULT_CONFIG='"$(sysconfdir)/tcflowd/tcflowd.conf"'
src_tcflowd_LDADD = src/libtcflowd.a $(TCFLOWD_LIBS)
