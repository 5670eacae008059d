#!/usr/bin/env python3
# flows.py - sum flow records and packet captures per flow, for the tests.
#
#   flows.py json FILE [FILTER...]   tcflowd JSON records -> one line a flow
#   flows.py pcap FILE LOCAL [FILTER...]
#                                    a capture on one interface -> the same
#                                    lines (LOCAL: the interface's own
#                                    addresses, comma-separated, to tell
#                                    ingress from egress)
#   flows.py total FILE FIELD [FILTER...]   the sum of one JSON field
#   flows.py values FILE FIELD [FILTER...]  one JSON field of each record,
#                                    in the file's order, on one line
#   flows.py ifaces FILE [FILTER...] the records' distinct "ingress/egress/
#                                    direction" interfaces, sorted, then
#                                    their packets summed
#   flows.py show                    JSON records on stdin -> one readable
#                                    line each, as they arrive (the demo)
#
# A line: "dir proto src sport dst dport packets bytes", sorted.
# FILTER: key=value on the JSON fields (or proto=, dir=, port=N: either port),
# or "ours": only the tests' traffic (port 9000, ICMP echo).
import json
import subprocess
import sys


def ours(rec):
    """Test traffic: the sink's port, or ICMP/ICMPv6 echo."""
    if 9000 in (rec["sport"], rec["dport"]):
        return True
    if rec["proto"] == 1:
        return rec["dport"] in (0x0800, 0x0000)
    if rec["proto"] == 58:
        return rec["dport"] in (128 << 8, 129 << 8)
    return False


def keep(rec, filters):
    for f in filters:
        if f == "ours":
            if not ours(rec):
                return False
            continue
        k, v = f.split("=", 1)
        if k == "port":
            if str(rec["sport"]) != v and str(rec["dport"]) != v:
                return False
        elif k == "noport":
            if str(rec["sport"]) == v or str(rec["dport"]) == v:
                return False
        elif str(rec.get(k)) != v:
            return False
    return True


def from_json(path):
    return from_json_lines(open(path))


def from_json_lines(lines):
    for line in lines:
        r = json.loads(line)
        src = r.get("source_ipv4_address") or r.get("source_ipv6_address")
        dst = r.get("destination_ipv4_address") or r.get("destination_ipv6_address")
        r.update(dir=r["flow_direction"], proto=r["protocol_identifier"],
                 src=src, dst=dst, sport=r["source_transport_port"],
                 dport=r["destination_transport_port"],
                 packets=r["packet_delta_count"], bytes=r["octet_delta_count"])
        yield r


def from_pcap(path, local):
    fields = ["ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "ip.proto",
              "ipv6.nxt", "tcp.srcport", "tcp.dstport", "udp.srcport",
              "udp.dstport", "icmp.type", "icmp.code", "icmpv6.type",
              "icmpv6.code", "ip.len", "ipv6.plen"]
    cmd = ["tshark", "-n", "-r", path, "-T", "fields", "-E", "separator=/t",
           "-E", "occurrence=f"]
    for f in fields:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        v = dict(zip(fields, line.split("\t")))
        if v["ip.src"]:
            src, dst, proto = v["ip.src"], v["ip.dst"], int(v["ip.proto"])
            size = int(v["ip.len"])
            icmp = (v["icmp.type"], v["icmp.code"])
        elif v["ipv6.src"]:
            src, dst, proto = v["ipv6.src"], v["ipv6.dst"], int(v["ipv6.nxt"])
            size = int(v["ipv6.plen"]) + 40
            icmp = (v["icmpv6.type"], v["icmpv6.code"])
        else:
            continue
        sport = int(v["tcp.srcport"] or v["udp.srcport"] or 0)
        dport = int(v["tcp.dstport"] or v["udp.dstport"] or 0)
        if proto in (1, 58):
            sport, dport = 0, int(icmp[0]) * 256 + int(icmp[1])
        yield dict(dir=1 if src in local else 0, proto=proto, src=src,
                   dst=dst, sport=sport, dport=dport, packets=1, bytes=size)


def summed(recs, filters):
    flows = {}
    for r in recs:
        if not keep(r, filters):
            continue
        k = (r["dir"], r["proto"], r["src"], r["sport"], r["dst"], r["dport"])
        p, b = flows.get(k, (0, 0))
        flows[k] = (p + r["packets"], b + r["bytes"])
    for k in sorted(flows):
        print(*k, *flows[k])


def ifaces(recs, filters):
    seen, packets = set(), 0
    for r in recs:
        if keep(r, filters):
            seen.add((r["ingress_interface"], r["egress_interface"], r["dir"]))
            packets += r["packets"]
    print(" ".join("%s/%s/%s" % s for s in sorted(seen)), packets)


REASONS = {1: "idle", 2: "active", 3: "end (FIN/RST)", 4: "forced end",
           5: "lack of resources"}
PROTOS = {1: "ICMP", 6: "TCP", 17: "UDP", 58: "ICMPv6", 132: "SCTP"}


def show():
    import time
    print("%-12s %-10s %-7s %-50s %8s %10s  %s" % (
        "exported", "interface", "proto", "flow", "packets", "bytes", "end reason"))
    for line in sys.stdin:
        try:
            r = next(from_json_lines([line]))
        except (ValueError, StopIteration):
            continue
        arrow = "->"
        if r["proto"] in (1, 58):
            flow = "%s %s %s type %d code %d" % (r["src"], arrow, r["dst"],
                                                 r["dport"] >> 8, r["dport"] & 255)
        else:
            flow = "%s:%d %s %s:%d" % (r["src"], r["sport"], arrow, r["dst"], r["dport"])
        print("%-12s %-10s %-7s %-50s %8d %10d  %s" % (
            time.strftime("%H:%M:%S"),
            r["interface_name"] + (" in" if r["dir"] == 0 else " out"),
            PROTOS.get(r["proto"], str(r["proto"])), flow, r["packets"], r["bytes"],
            REASONS.get(r["flow_end_reason"], "?")), flush=True)


def main():
    if sys.argv[1] == "show":
        return show()
    mode, path = sys.argv[1], sys.argv[2]
    if mode == "json":
        summed(from_json(path), sys.argv[3:])
    elif mode == "pcap":
        summed(from_pcap(path, set(sys.argv[3].split(","))), sys.argv[4:])
    elif mode == "total":
        field = sys.argv[3]
        print(sum(r[field] for r in from_json(path) if keep(r, sys.argv[4:])))
    elif mode == "values":
        field = sys.argv[3]
        print(*(r[field] for r in from_json(path) if keep(r, sys.argv[4:])))
    elif mode == "ifaces":
        ifaces(from_json(path), sys.argv[3:])
    else:
        sys.exit("usage: flows.py json|pcap|total|values|ifaces|show ...")


main()
