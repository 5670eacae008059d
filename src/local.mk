# src/local.mk - the daemon's modules.

noinst_LIBRARIES += src/libtcflowd.a
src_libtcflowd_a_SOURCES = src/datapath.c src/datapath.h \
	src/metrics.c src/metrics.h src/flowcache.c src/flowcache.h \
	src/config.c src/config.h src/log.c src/log.h
# the skeletons must exist before datapath.c is compiled
src/datapath.$(OBJEXT): bpf/flow.skel.h bpf/sock.skel.h
