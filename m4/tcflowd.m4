# tcflowd.m4 - configure checks for tcflowd

# TCFLOWD_PKG(VAR, MODULES, DEBIAN-PACKAGES)
# pkg-config check that stops with the Debian package to install.
AC_DEFUN([TCFLOWD_PKG], [
	PKG_CHECK_MODULES([$1], [$2], [],
		[AC_MSG_ERROR([$2 not found: $$1_PKG_ERRORS
Install it with: apt-get install $3])])
])

# TCFLOWD_PROG_CLANG_BPF
# Finds clang, checks that it can compile a program for -target bpf against
# the UAPI headers, and sets BPF_CPPFLAGS (the multiarch include directory,
# where <asm/types.h> lives on Debian).
AC_DEFUN([TCFLOWD_PROG_CLANG_BPF], [
	AC_ARG_VAR([CLANG], [clang used to build the BPF programs])
	AC_CHECK_PROGS([CLANG], [clang clang-19 clang-18 clang-17 clang-16 clang-15 clang-14], [no])
	AS_IF([test "x$CLANG" = "xno"],
	      [AC_MSG_ERROR([clang not found: the BPF programs need it. Install it with: apt-get install clang llvm])])
	BPF_CPPFLAGS=
	multiarch=`$CC -print-multiarch 2>/dev/null`
	AS_IF([test -n "$multiarch" && test -d "/usr/include/$multiarch"],
	      [BPF_CPPFLAGS="-I/usr/include/$multiarch"])
	AC_MSG_CHECKING([whether $CLANG can target BPF])
	cat > conftest.bpf.c <<_EOF
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
SEC("tc") int f(struct __sk_buff *skb) { return TC_ACT_UNSPEC; }
char LICENSE[[]] SEC("license") = "GPL";
_EOF
	AS_IF([$CLANG -g -O2 -target bpf $BPF_CPPFLAGS $LIBBPF_CFLAGS -c conftest.bpf.c -o conftest.bpf.o >&AS_MESSAGE_LOG_FD 2>&1],
	      [AC_MSG_RESULT([yes])],
	      [AC_MSG_RESULT([no])
	       AC_MSG_ERROR([$CLANG cannot build a BPF program (see config.log). Install: apt-get install clang llvm libbpf-dev linux-libc-dev])])
	rm -f conftest.bpf.c conftest.bpf.o
	AC_SUBST([BPF_CPPFLAGS])
])

# TCFLOWD_PROG_BPFTOOL
# bpftool embeds the BPF objects in skeleton headers (Debian ships it in
# /usr/sbin).
AC_DEFUN([TCFLOWD_PROG_BPFTOOL], [
	AC_ARG_VAR([BPFTOOL], [bpftool used to generate BPF skeletons])
	AC_PATH_PROG([BPFTOOL], [bpftool], [no], [$PATH:/usr/sbin:/sbin])
	AS_IF([test "x$BPFTOOL" = "xno"],
	      [AC_MSG_ERROR([bpftool not found: it generates the BPF skeletons. Install it with: apt-get install bpftool])])
	AC_MSG_CHECKING([whether $BPFTOOL can generate skeletons])
	AS_IF([$BPFTOOL gen help 2>&1 | grep -q skeleton],
	      [AC_MSG_RESULT([yes])],
	      [AC_MSG_RESULT([no])
	       AC_MSG_ERROR([$BPFTOOL has no "gen skeleton"; a newer bpftool is needed (apt-get install bpftool)])])
])
