#!/usr/bin/env python3
# nat.py - the NAT scenario's peers and decoders (tests/netns/74-nat.sh).
#
#   nat.py server tcp|udp PORT COUNT SECONDS
#        dual-stack: for each of COUNT connections (or datagrams) print the
#        peer as the socket saw it, "proto addr port", and answer 100 bytes
#   nat.py client tcp|udp ADDR PORT SPORT
#        from SPORT: send 100 bytes, wait for the answer (5 s at most)
#   nat.py json FILE [v6ports] [nodir]
#                               tcflowd's JSON records  -> one line a record
#                               (v6ports: IPv6 translations' addresses as
#                               "-", as nfdump and nfacctd read IPFIX;
#                               nodir: without the direction)
#   nat.py tshark PCAP PORT     IPFIX on udp PORT, by tshark -> the same
#   nat.py nfdump DIR           nfcapd's files, by nfdump   -> the same
#   nat.py nfacctd CSV          pmacct's print plugin (csv, appended, its
#                               NAT primitives)    -> the same, nodir
#
# A line: "dir proto src sport dst dport packets bytes -> nsrc nsport ndst
# ndport" (the translation, or "-" without one), sorted; only TCP and UDP
# records.
import json
import socket
import subprocess
import sys

from decoders import nfacctd_rows

PROTO = {"tcp": 6, "udp": 17}


def plain(addr):
    return addr[7:] if addr.startswith("::ffff:") else addr


def server(proto, port, count, seconds):
    kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    s = socket.socket(socket.AF_INET6, kind)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::", port))
    s.settimeout(seconds)
    if proto == "tcp":
        s.listen(8)
    print("listening", flush=True)
    for _ in range(count):
        if proto == "tcp":
            c, peer = s.accept()
            c.settimeout(5)
            # the accepted socket's peer, as getpeername() has it
            peer = c.getpeername()
            c.recv(100)
            c.sendall(b"y" * 100)
            c.close()
        else:
            _, peer = s.recvfrom(2048)
            s.sendto(b"y" * 100, peer)
        print(PROTO[proto], plain(peer[0]), peer[1], flush=True)


def client(proto, addr, port, sport):
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    s = socket.socket(family, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::" if family == socket.AF_INET6 else "0.0.0.0", sport))
    s.settimeout(5)
    s.connect((addr, port))
    s.send(b"x" * 100)
    got = b""
    while len(got) < 100:
        b = s.recv(100)
        if not b:
            break
        got += b
    s.close()
    if len(got) != 100:
        raise SystemExit("client: %d bytes of the answer" % len(got))


def line(d, proto, src, sport, dst, dport, counts, nat):
    t = " ".join(str(x) for x in nat) if nat else "-"
    return ("%s %s %s %s %s %s %s %s -> %s" % (d, proto, src, sport, dst, dport,
                                              counts[0], counts[1], t)).strip()


def from_json(path, *opts):
    v6ports = "v6ports" in opts
    for text in open(path):
        r = json.loads(text)
        if r["protocol_identifier"] not in (6, 17):
            continue
        v = "ipv4" if "source_ipv4_address" in r else "ipv6"
        nat = None
        if "post_napt_source_transport_port" in r:
            nat = (r["post_nat_source_%s_address" % v],
                   r["post_napt_source_transport_port"],
                   r["post_nat_destination_%s_address" % v],
                   r["post_napt_destination_transport_port"])
            if v6ports and v == "ipv6":
                nat = ("-", nat[1], "-", nat[3])
        yield line("" if "nodir" in opts else r["flow_direction"],
                   r["protocol_identifier"],
                   r["source_%s_address" % v], r["source_transport_port"],
                   r["destination_%s_address" % v],
                   r["destination_transport_port"],
                   (r["packet_delta_count"], r["octet_delta_count"]), nat)


def records(tree):
    """The dicts of a tshark JSON tree that are flow records."""
    if isinstance(tree, dict):
        if "cflow.srcport" in tree:
            yield tree
            return
        for v in tree.values():
            yield from records(v)
    elif isinstance(tree, list):
        for v in tree:
            yield from records(v)


def from_tshark(path, port):
    out = subprocess.run(["tshark", "-n", "-r", path, "-d",
                          "udp.port==%s,cflow" % port, "-Y",
                          "cflow && udp.dstport==%s" % port, "-T",
                          "json"], check=True, capture_output=True,
                         text=True).stdout
    for r in records(json.loads(out)):
        proto = int(r["cflow.protocol"])
        if proto not in (6, 17):
            continue
        v6 = "cflow.srcaddrv6" in r
        src = r["cflow.srcaddrv6" if v6 else "cflow.srcaddr"]
        dst = r["cflow.dstaddrv6" if v6 else "cflow.dstaddr"]
        nat = None
        if "cflow.post_naptsource_transport_port" in r:
            nat = (r["cflow.post_nat_source_ipv6_address" if v6 else
                     "cflow.post_natsource_ipv4_address"],
                   r["cflow.post_naptsource_transport_port"],
                   r["cflow.post_nat_destination_ipv6_address" if v6 else
                     "cflow.post_natdestination_ipv4_address"],
                   r["cflow.post_naptdestination_transport_port"])
        yield line(r["cflow.direction"], proto, src, r["cflow.srcport"], dst,
                   r["cflow.dstport"], (r["cflow.packets"],
                                        r["cflow.octets"]), nat)


def from_nfdump(path):
    fmt = "fmt:%dir|%pr|%sa|%sp|%da|%dp|%xsa|%xsp|%xda|%xdp|%pkt|%byt"
    out = subprocess.run(["nfdump", "-q", "-N", "-6", "-R", path, "-o", fmt],
                         check=True, capture_output=True, text=True).stdout
    for text in out.splitlines():
        v = [x.strip() for x in text.split("|")]
        if len(v) != 12 or v[1] not in ("6", "17"):
            continue
        # nfdump prints a record without the extension as 0.0.0.0:0, and
        # the addresses of an IPv6 one (IEs 281, 282) so too: 1.7.1 has
        # only IPv4 translated addresses
        nat = None if v[7] == "0" and v[9] == "0" else [
            plain(x) for x in v[6:10]]
        if nat and ":" in v[2]:
            nat[0] = "-" if nat[0] == "0.0.0.0" else nat[0]
            nat[2] = "-" if nat[2] == "0.0.0.0" else nat[2]
        yield line({"I": 0, "E": 1}.get(v[0], v[0]), int(v[1]), plain(v[2]),
                   v[3], plain(v[4]), v[5], (v[10], v[11]), nat)


def from_nfacctd(path):
    flows = {}
    for r in nfacctd_rows(path):
        if r["PROTOCOL"] not in ("6", "17"):
            continue
        nat = tuple(r[k] or "-" for k in ("POST_NAT_SRC_IP", "POST_NAT_SRC_PORT",
                                          "POST_NAT_DST_IP", "POST_NAT_DST_PORT"))
        k = (r["PROTOCOL"], r["SRC_IP"], r["SRC_PORT"], r["DST_IP"],
             r["DST_PORT"], nat)
        p, b = flows.get(k, (0, 0))
        flows[k] = (p + int(r["PACKETS"]), b + int(r["BYTES"]))
    for k, counts in flows.items():
        yield line("", *k[:5], counts, k[5])


def main():
    mode, a = sys.argv[1], sys.argv[2:]
    if mode == "server":
        server(a[0], int(a[1]), int(a[2]), float(a[3]))
    elif mode == "client":
        client(a[0], a[1], int(a[2]), int(a[3]))
    else:
        lines = {"json": from_json, "tshark": from_tshark,
                 "nfdump": from_nfdump, "nfacctd": from_nfacctd}[mode](*a)
        print("\n".join(sorted(lines)))


if __name__ == "__main__":
    main()
