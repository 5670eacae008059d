# bpf/local.mk - the kernel programs and their skeletons.

EXTRA_DIST += bpf/counters.h bpf/flow.h bpf/parse.h bpf/account.h bpf/tcp.h bpf/ct.h bpf/ring.h \
	bpf/flow.bpf.c bpf/sock.bpf.c

BUILT_SOURCES += bpf/flow.skel.h bpf/sock.skel.h
CLEANFILES += bpf/flow.bpf.o bpf/sock.bpf.o bpf/flow.skel.h bpf/sock.skel.h
