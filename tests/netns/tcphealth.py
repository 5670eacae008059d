#!/usr/bin/env python3
# tcphealth.py - TCP clients with what the kernel says about them, and the
# TCP health fields of tcflowd's JSON records, for tests/netns/73-tcp-health.sh.
#
#   tcphealth.py connect ADDR PORT SPORT DEADLINE_S
#       one connection from SPORT; prints "completed RTT_US CONNECT_US":
#       the client's TCP_INFO tcpi_rtt right after the handshake (its one
#       RTT sample) and how long connect() took by this process's
#       monotonic clock (from before the SYN to the socket's wake-up, which
#       the ACK precedes when the handshake runs on this process's CPU),
#       "refused", or "unanswered" (no answer within DEADLINE_S)
#   tcphealth.py send ADDR PORT SPORT BYTES [CONNECTED-CMD ACKED-CMD]
#       sends BYTES, waits (bounded) until all are acknowledged (the
#       send queue is empty, SIOCOUTQ, not only what is in flight); prints
#       "retrans N snmp M": TCP_INFO tcpi_total_retrans and the namespace's
#       TcpRetransSegs (/proc/net/snmp) growth over the connection.  The
#       commands (split as the shell would, run without one: the test VM
#       has no /bin/sh) run once connected and once all is acknowledged
#       (before the FIN): e.g. a netem loss on the data only
#   tcphealth.py accept PORT DEADLINE_S
#       listens on PORT, prints "listening", accepts one connection and
#       prints "accepted RTT_US" (the server's TCP_INFO tcpi_rtt: its one
#       sample, SYN-ACK sent -> ACK received), or "none" after DEADLINE_S
#   tcphealth.py field FILE SPORT DPORT DIR NAME
#       NAME of the JSON records of that flow: numbers summed over the
#       records, strings joined with "/" in order; "-" if none has it
import errno
import fcntl
import json
import select
import shlex
import socket
import struct
import subprocess
import sys
import termios
import time

TCP_INFO_RTT = 8 + 4 * 15		# struct tcp_info: tcpi_rtt
TCP_INFO_TOTAL_RETRANS = 8 + 4 * 23	# tcpi_total_retrans


def tcp_info(s, off):
    raw = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
    return struct.unpack_from("I", raw, off)[0]


def retrans_segs():
    with open("/proc/net/snmp") as f:
        rows = [l.split() for l in f if l.startswith("Tcp:")]
    return int(rows[1][rows[0].index("RetransSegs")])


def outq(s):
    """Bytes in the send queue not acknowledged yet, sent or not."""
    raw = fcntl.ioctl(s.fileno(), termios.TIOCOUTQ, b"\0" * 4)
    return struct.unpack("i", raw)[0]


def sock(addr, sport):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("", sport))
    return s


def connect(addr, port, sport, deadline):
    s = sock(addr, sport)
    s.setblocking(False)
    t0 = time.monotonic_ns()
    err = s.connect_ex((addr, port))
    if err not in (0, errno.EINPROGRESS):
        sys.exit("connect: %s" % errno.errorcode.get(err, err))
    _, w, _ = select.select([], [s], [], deadline)
    took = (time.monotonic_ns() - t0) // 1000
    if not w:
        print("unanswered")
    else:
        err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if err == errno.ECONNREFUSED:
            print("refused")
        elif err:
            sys.exit("connect: %s" % errno.errorcode.get(err, err))
        else:
            print("completed", tcp_info(s, TCP_INFO_RTT), took)
    s.close()


def send(addr, port, sport, nbytes, connected=None, acked=None):
    before = retrans_segs()
    s = sock(addr, sport)
    # room for (most of) it at once, so that sendall() returns early: the
    # end is known only from the socket (below)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, max(nbytes, 65536))
    s.settimeout(30)
    s.connect((addr, port))
    if connected:
        subprocess.run(shlex.split(connected), check=True)
    s.sendall(b"x" * nbytes)
    # every byte acknowledged: nothing unacknowledged *or unsent* in the
    # send queue (SIOCOUTQ).  tcpi_unacked alone is 0 also while a closed
    # receive window holds the rest back (a slow receiver), and the
    # counts printed then miss the retransmissions still to come
    end = time.monotonic() + 30
    while outq(s) and time.monotonic() < end:
        time.sleep(0.01)
    if outq(s):
        sys.exit("send: data still unacknowledged after 30 s")
    print("retrans", tcp_info(s, TCP_INFO_TOTAL_RETRANS),
          "snmp", retrans_segs() - before)
    if acked:
        subprocess.run(shlex.split(acked), check=True)
    s.close()


def accept(port, deadline):
    ls = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("", port))
    ls.listen(8)
    print("listening", flush=True)
    r, _, _ = select.select([ls], [], [], deadline)
    if not r:
        print("none")
        return
    s, _ = ls.accept()
    print("accepted", tcp_info(s, TCP_INFO_RTT), flush=True)
    s.close()
    ls.close()


def field(path, sport, dport, direction, name):
    vals = []
    for line in open(path):
        r = json.loads(line)
        if (r.get("protocol_identifier") == 6 and
                r.get("source_transport_port") == sport and
                r.get("destination_transport_port") == dport and
                r.get("flow_direction") == direction and name in r):
            vals.append(r[name])
    if not vals:
        print("-")
    elif isinstance(vals[0], str):
        print("/".join(vals))
    else:
        print(sum(vals))


def main(a):
    if a[:1] == ["connect"] and len(a) == 5:
        connect(a[1], int(a[2]), int(a[3]), float(a[4]))
    elif a[:1] == ["send"] and len(a) in (5, 7):
        send(a[1], int(a[2]), int(a[3]), int(a[4]), *a[5:])
    elif a[:1] == ["accept"] and len(a) == 3:
        accept(int(a[1]), float(a[2]))
    elif a[:1] == ["field"] and len(a) == 6:
        field(a[1], int(a[2]), int(a[3]), int(a[4]), a[5])
    else:
        sys.exit("usage: see tcphealth.py")


main(sys.argv[1:])
