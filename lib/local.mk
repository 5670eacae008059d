# lib/local.mk - the log: a leaf the daemon and the exporter library share.

noinst_LIBRARIES += lib/liblog.a
lib_liblog_a_SOURCES = lib/log.c lib/log.h
lib_liblog_a_CPPFLAGS = $(LOG_CPPFLAGS)
