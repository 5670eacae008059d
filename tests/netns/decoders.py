#!/usr/bin/env python3
# decoders.py - what each independent decoder found, as the same lines, for
# the decoder matrix (scenario 20).  A line: "proto sport dport packets
# bytes", summed per (proto, sport, dport), TCP and UDP only, sorted.
#
#   decoders.py json FILE [v4]          tcflowd's JSON records (v4: IPv4 only)
#   decoders.py nfacctd FILE            pmacct print plugin csv (appended)
#   decoders.py nfdump DIR              nfcapd files, through nfdump
#   decoders.py tshark PCAP FILTER DECODE-AS...   cflow records in a capture
#   decoders.py ipfixdump FILE          an IPFIX stream, through ipfixDump
#   decoders.py sink PORT FILE SECONDS  UDP on 127.0.0.1:PORT, datagrams
#                                       appended to FILE (for ipfixDump)
#   decoders.py replay FILE PORT        an IPFIX stream (a TCP session), one
#                                       UDP datagram a message, to PORT
import re
import socket
import subprocess
import sys
import time

PROTOS = {"tcp": 6, "udp": 17, "6": 6, "17": 17}


def emit(recs):
    flows = {}
    for proto, sport, dport, pkts, octets in recs:
        proto = PROTOS.get(str(proto).strip().lower())
        if proto is None:
            continue
        k = (proto, int(sport), int(dport))
        p, b = flows.get(k, (0, 0))
        flows[k] = (p + int(pkts), b + int(octets))
    for k in sorted(flows):
        print(*k, *flows[k])


def from_json(path, v4only):
    import json
    for line in open(path):
        r = json.loads(line)
        if v4only and "source_ipv4_address" not in r:
            continue
        yield (r["protocol_identifier"], r["source_transport_port"],
               r["destination_transport_port"], r["packet_delta_count"],
               r["octet_delta_count"])


def nfacctd_rows(path):
    """The rows of nfacctd's CSV print plugin file, as dicts by column."""
    cols = None
    for line in open(path):
        v = line.strip().split(",")
        if v[0] == "SRC_IP":
            cols = v
            continue
        if cols and len(v) == len(cols):
            yield dict(zip(cols, v))


def from_nfacctd(path):
    for r in nfacctd_rows(path):
        yield (r["PROTOCOL"], r["SRC_PORT"], r["DST_PORT"], r["PACKETS"],
               r["BYTES"])


def from_nfdump(path):
    out = subprocess.run(["nfdump", "-q", "-N", "-6", "-R", path, "-o",
                          "fmt:%pr|%sp|%dp|%pkt|%byt"],
                         check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        v = [x.strip() for x in line.split("|")]
        if len(v) == 5:
            yield v


def from_tshark(path, flt, decode_as):
    fields = ["cflow.protocol", "cflow.srcport", "cflow.dstport",
              "cflow.packets", "cflow.octets"]
    cmd = ["tshark", "-n", "-r", path, "-Y", flt, "-T", "fields",
           "-E", "occurrence=a", "-E", "aggregator=,"]
    for d in decode_as:
        cmd += ["-d", d]
    for f in fields:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        cols = [c.split(",") if c else [] for c in line.split("\t")]
        if len(cols) != 5 or not cols[1]:
            continue
        n = len(cols[1])
        if any(len(c) != n for c in cols):
            raise SystemExit("tshark: fields of unequal counts: " + line)
        yield from zip(*cols)


def from_ipfixdump(path):
    out = subprocess.run(["ipfixDump", "-d", "-i", path], check=True,
                         capture_output=True, text=True).stdout
    names = {"protocolIdentifier": 0, "sourceTransportPort": 1,
             "destinationTransportPort": 2, "packetDeltaCount": 3,
             "octetDeltaCount": 4}
    rec = {}
    field = re.compile(r"^\s*\(\d+\)(?:\s+\(S\))?\s+(\w+)\s*:\s*(\S*)")
    for line in out.splitlines():
        if line.startswith("--- data record"):
            rec = {}
        m = field.match(line)
        if m and m.group(1) in names:
            rec[names[m.group(1)]] = m.group(2)
        if len(rec) == 5:
            yield tuple(rec[i] for i in range(5))
            rec = {}


def sink(port, path, seconds):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind(("127.0.0.1", int(port)))
    s.settimeout(0.2)
    print("listening", flush=True)
    end = time.monotonic() + float(seconds)
    with open(path, "ab") as f:
        while time.monotonic() < end:
            try:
                f.write(s.recv(65536))
                f.flush()
            except socket.timeout:
                pass


def replay(path, port):
    data = open(path, "rb").read()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    off = n = 0
    while off + 16 <= len(data):
        size = int.from_bytes(data[off + 2:off + 4], "big")
        if size < 16:
            raise SystemExit("replay: bad message length at %d" % off)
        s.sendto(data[off:off + size], ("127.0.0.1", int(port)))
        off += size
        n += 1
        time.sleep(0.001)
    print("replayed", n)


def main():
    mode, a = sys.argv[1], sys.argv[2:]
    if mode == "json":
        emit(from_json(a[0], len(a) > 1 and a[1] == "v4"))
    elif mode == "nfacctd":
        emit(from_nfacctd(a[0]))
    elif mode == "nfdump":
        emit(from_nfdump(a[0]))
    elif mode == "tshark":
        emit(from_tshark(a[0], a[1], a[2:]))
    elif mode == "ipfixdump":
        emit(from_ipfixdump(a[0]))
    elif mode == "sink":
        sink(*a)
    elif mode == "replay":
        replay(*a)
    else:
        raise SystemExit("decoders.py: unknown mode " + mode)


if __name__ == "__main__":
    main()
