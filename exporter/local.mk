# exporter/local.mk - the encoders and transports: a leaf library that
# includes nothing from src/ or bpf/ and links neither libbpf nor libnl.

noinst_LIBRARIES += exporter/libexporter.a
exporter_libexporter_a_SOURCES = exporter/exporter.c exporter/exporter.h \
	exporter/json.c exporter/transport.c exporter/transport.h \
	exporter/netflow5.c exporter/netflow9.c exporter/ipfix.c \
	exporter/ipfix.h exporter/ipfix_tmpl.c exporter/wire.h
exporter_libexporter_a_CPPFLAGS = $(EXPORTER_CPPFLAGS)
