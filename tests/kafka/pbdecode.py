#!/usr/bin/env python3
# tests/kafka/pbdecode.py PROTO-DIR JSON-FILE CONSUMED
# CONSUMED: consume.py --hex lines.  Each value must be one length-delimited
# FlowMessage (the varint length is exactly the rest); protoc --decode
# (protobuf-compiler, not protobuf-c) decodes it against proto/flow.proto,
# and every message must equal one JSON collector record, field for field
# (addresses, ports or ICMP type/code, protocol, packets, bytes, times,
# interfaces, MACs, ToS, TTL, TCP flags, sampling), each exactly once.
import codecs
import collections
import ipaddress
import json
import subprocess
import sys

proto_dir, path, consumed = sys.argv[1:4]


def varint(b):
    n = shift = i = 0
    while True:
        n |= (b[i] & 0x7f) << shift
        shift += 7
        i += 1
        if not b[i - 1] & 0x80:
            return n, i


def decode(msg):
    out = subprocess.run(["protoc", "--proto_path=" + proto_dir,
                          "--decode=flowpb.FlowMessage", "flow.proto"],
                         input=msg, capture_output=True, check=True).stdout
    f = {}
    for line in out.decode().splitlines():
        k, v = line.split(": ", 1)
        if v.startswith('"'):
            v = codecs.escape_decode(v[1:-1].encode())[0]
        elif v.isdigit():
            v = int(v)
        f[k] = v
    return f


def mac(s):
    return int(s.replace(":", ""), 16)


def from_json(r):
    v4 = "source_ipv4_address" in r
    fam = "ipv4" if v4 else "ipv6"
    icmp = r["protocol_identifier"] in (1, 58)
    t = r["destination_transport_port"]
    return (r["source_%s_address" % fam], r["destination_%s_address" % fam],
            r["protocol_identifier"],
            0 if icmp else r["source_transport_port"], 0 if icmp else t,
            t >> 8 if icmp else 0, t & 0xff if icmp else 0,
            r["packet_delta_count"], r["octet_delta_count"],
            r["flow_start_milliseconds"] * 10**6, r["flow_end_milliseconds"] * 10**6,
            r["ingress_interface"], r["egress_interface"], r["ethernet_type"],
            mac(r["source_mac_address"]), mac(r["destination_mac_address"]),
            r["ip_class_of_service"], r["minimum_ttl"], r["tcp_control_bits"],
            r["sampling_interval"], r["observation_domain_id"], r["vlan_id"])


def from_pb(f):
    g = lambda k: f.get(k, 0)
    return (str(ipaddress.ip_address(f["src_addr"])),
            str(ipaddress.ip_address(f["dst_addr"])), g("proto"),
            g("src_port"), g("dst_port"), g("icmp_type"), g("icmp_code"),
            g("packets"), g("bytes"), g("time_flow_start_ns"),
            g("time_flow_end_ns"), g("in_if"), g("out_if"), g("etype"),
            g("src_mac"), g("dst_mac"), g("ip_tos"), g("ip_ttl"),
            g("tcp_flags"), g("sampling_rate"), g("observation_domain_id"),
            g("vlan_id"))


want = collections.Counter(from_json(json.loads(l)) for l in open(path))
got = collections.Counter()
bad = 0
seqs = []
for line in open(consumed):
    value = bytes.fromhex(line.rstrip("\n").split("\t", 1)[1])
    n, hdr = varint(value)
    if n != len(value) - hdr:
        print("# length %d, the message has %d bytes" % (n, len(value) - hdr))
        bad += 1
        continue
    f = decode(value[hdr:])
    if f.get("type") != "IPFIX":
        print("# type %s" % f.get("type"))
        bad += 1
    seqs.append(f.get("sequence_num"))
    got[from_pb(f)] += 1
for r in want - got:
    print("# missing from Kafka: %s" % (r,))
    bad += 1
for r in got - want:
    print("# not in the JSON file (or twice): %s" % (r,))
    bad += 1
if sorted(seqs) != list(range(1, len(seqs) + 1)):
    print("# sequence numbers are not 1..%d" % len(seqs))
    bad += 1
if bad:
    sys.exit(1)
print("%d records equal" % sum(want.values()))
