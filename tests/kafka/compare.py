#!/usr/bin/env python3
# tests/kafka/compare.py JSON-FILE CONSUMED EXPORTER-ID KEY-MODE
# Every record the consumer got (compare.py reads consume.py's lines) must
# be one of the JSON collector's records, field for field, plus
# "exporter_id": EXPORTER-ID; each JSON record must arrive exactly once.
# KEY-MODE exporter: the message key is EXPORTER-ID; none: no key.
# Prints "N records equal", or the differences and exits 1.
import collections
import json
import sys

path, consumed, ident, mode = sys.argv[1:5]
want = collections.Counter(json.dumps(json.loads(line), sort_keys=True)
                           for line in open(path))
got = collections.Counter()
bad = 0
for line in open(consumed):
    key, value = line.rstrip("\n").split("\t", 1)
    rec = json.loads(value)
    if rec.pop("exporter_id", None) != ident:
        print("# no exporter_id %s: %s" % (ident, value))
        bad += 1
    wkey = ident.encode().hex() if mode == "exporter" else "-"
    if key != wkey:
        print("# key %s, want %s" % (key, wkey))
        bad += 1
    got[json.dumps(rec, sort_keys=True)] += 1
for r in (want - got):
    print("# missing from Kafka: %s" % r)
    bad += 1
for r in (got - want):
    print("# not in the JSON file (or twice): %s" % r)
    bad += 1
if bad:
    sys.exit(1)
print("%d records equal" % sum(want.values()))
