#!/usr/bin/env python3
# ipfixrecv.py - a UDP IPFIX receiver that timestamps every datagram in
# the kernel (SO_TIMESTAMPNS), for the pacing scenario.
#
#   ipfixrecv.py listen ADDR PORT OUT [SECONDS]
#       receive until SIGTERM (or SECONDS, 60 unless given); a large
#       buffer (SO_RCVBUFFORCE), so the receiver itself loses nothing;
#       prints "listening" once bound; writes "ns hex" lines to OUT
#   ipfixrecv.py report OUT WINDOW_MS
#       decodes the messages (RFC 7011: templates give each data set's
#       record length) and prints key=value lines: datagrams, flow records
#       (data sets of a template, not of an options template), sequence
#       errors (a message's sequence number is the count of data records,
#       options records too, sent before it), messages with options
#       records (nfdump counts each as a sequence failure), the most
#       datagrams and
#       flow records that arrived in any WINDOW_MS
import signal
import socket
import struct
import sys
import time

SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)


def listen(addr, port, out, seconds):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, 33, 16 << 20)   # SO_RCVBUFFORCE
    s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    s.bind((addr, port))
    s.settimeout(0.2)
    stop = []
    signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
    print("listening", flush=True)
    end = time.monotonic() + seconds
    with open(out, "w") as f:
        while not stop and time.monotonic() < end:
            try:
                data, anc, _, _ = s.recvmsg(65535, 64)
            except socket.timeout:
                continue
            ns = 0
            for level, kind, val in anc:
                if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                    sec, nsec = struct.unpack("qq", val[:16])
                    ns = sec * 1000000000 + nsec
            f.write("%d %s\n" % (ns, data.hex()))


def decode(msg, tmpl):
    """(flow records, all data records) of one message; learns templates"""
    flows = records = 0
    msg_options = False
    off = 16
    while off + 4 <= len(msg):
        sid, slen = struct.unpack("!HH", msg[off:off + 4])
        if slen < 4:
            break
        body = msg[off + 4:off + slen]
        if sid in (2, 3):
            p = 0
            while p + 4 <= len(body):
                tid, count = struct.unpack("!HH", body[p:p + 4])
                p += 4
                if sid == 3:
                    p += 2              # scope field count
                length = 0
                for _ in range(count):
                    ie, flen = struct.unpack("!HH", body[p:p + 4])
                    p += 8 if ie & 0x8000 else 4
                    length += flen
                tmpl[tid] = (length, sid == 2)
        elif sid >= 256 and sid in tmpl:
            length, is_flow = tmpl[sid]
            n = len(body) // length if length else 0
            records += n
            if is_flow:
                flows += n
            elif n:
                msg_options = True
        off += slen
    return flows, records, msg_options


def report(out, window_ms):
    rows = []
    tmpl = {}
    errors = options = 0
    expect = None
    for line in open(out):
        ns, hexdata = line.split()
        msg = bytes.fromhex(hexdata)
        seq = struct.unpack("!I", msg[8:12])[0]
        if expect is not None and seq != expect:
            errors += 1
        flows, records, opt = decode(msg, tmpl)
        options += opt
        expect = (seq + records) & 0xffffffff
        rows.append((int(ns), flows))
    win = window_ms * 1000000
    most_dgrams = most_flows = 0
    j = 0
    in_flows = 0
    for i, (ns, flows) in enumerate(rows):
        in_flows += flows
        while rows[j][0] <= ns - win:
            in_flows -= rows[j][1]
            j += 1
        most_dgrams = max(most_dgrams, i - j + 1)
        most_flows = max(most_flows, in_flows)
    span = (rows[-1][0] - rows[0][0]) / 1e6 if rows else 0
    print("datagrams=%d" % len(rows))
    print("flow_records=%d" % sum(f for _, f in rows))
    print("sequence_errors=%d" % errors)
    print("options_messages=%d" % options)
    print("most_datagrams=%d" % most_dgrams)
    print("most_flow_records=%d" % most_flows)
    print("most_flows_per_message=%d" % max([f for _, f in rows] or [0]))
    print("span_ms=%.0f" % span)


if __name__ == "__main__":
    if sys.argv[1] == "listen":
        listen(sys.argv[2], int(sys.argv[3]), sys.argv[4],
               float(sys.argv[5]) if len(sys.argv) > 5 else 60)
    else:
        report(sys.argv[2], int(sys.argv[3]))
