# exporter/local.mk - the encoders and transports: a leaf library that
# includes nothing from src/ or bpf/ and links neither libbpf nor libnl.

noinst_LIBRARIES += exporter/libexporter.a
exporter_libexporter_a_SOURCES = exporter/exporter.c exporter/exporter.h \
	exporter/json.c exporter/transport.c exporter/transport.h \
	exporter/netflow5.c exporter/netflow9.c exporter/ipfix.c \
	exporter/pacer.c exporter/pacer.h \
	exporter/ipfix.h exporter/ipfix_tmpl.c exporter/ipfix_flow.c exporter/wire.h \
	exporter/json.h exporter/kafka.c exporter/kafka.h \
	exporter/flowpb.c exporter/flowpb.h
# format = protobuf: C from proto/flow.proto, generated, never committed
nodist_exporter_libexporter_a_SOURCES = proto/flow.pb-c.c proto/flow.pb-c.h
BUILT_SOURCES += proto/flow.pb-c.c proto/flow.pb-c.h
CLEANFILES += proto/flow.pb-c.c proto/flow.pb-c.h
EXTRA_DIST += proto/flow.proto
proto/flow.pb-c.h: proto/flow.pb-c.c
proto/flow.pb-c.c: $(top_srcdir)/proto/flow.proto
	@$(MKDIR_P) proto
	$(AM_V_GEN)$(PROTOC_C) --proto_path=$(top_srcdir)/proto --c_out=proto $<
exporter_libexporter_a_CPPFLAGS = $(EXPORTER_CPPFLAGS)
