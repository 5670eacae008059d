# src/local.mk - the daemon's modules.

noinst_LIBRARIES += src/libtcflowd.a
src_libtcflowd_a_SOURCES = src/datapath.c src/datapath.h
# the skeletons must exist before datapath.c is compiled
src/datapath.$(OBJEXT): bpf/flow.skel.h bpf/sock.skel.h
