#!/usr/bin/env python3
# tests/kafka/consume.py [--hex] BOOTSTRAP TOPIC COUNT [SECONDS]
# An independent Kafka client (python3-kafka, pure Python: not librdkafka)
# reads every partition of TOPIC from the start until it has COUNT
# messages or SECONDS (20) passed, and prints each as "KEY<TAB>VALUE" (the
# key in hex, "-" for none; --hex: the value too), one a line.  Exits 1 when it got fewer.
import sys
import time

from kafka import KafkaConsumer, TopicPartition

args = sys.argv[1:]
hexval = args[:1] == ["--hex"]
if hexval:
    args = args[1:]
bootstrap, topic, want = args[0], args[1], int(args[2])
limit = time.monotonic() + (float(args[3]) if len(args) > 3 else 20)
c = KafkaConsumer(bootstrap_servers=bootstrap.split(","), group_id=None,
                  enable_auto_commit=False, auto_offset_reset="earliest",
                  api_version_auto_timeout_ms=10000)
parts = None
while parts is None and time.monotonic() < limit:
    parts = c.partitions_for_topic(topic)
    if parts is None:
        time.sleep(0.1)
if parts is None:
    sys.exit("consume: no topic %s" % topic)
c.assign([TopicPartition(topic, p) for p in sorted(parts)])
c.seek_to_beginning()
got = 0
while got < want and time.monotonic() < limit:
    for msgs in c.poll(timeout_ms=200).values():
        for m in msgs:
            key = m.key.hex() if m.key is not None else "-"
            value = m.value.hex() if hexval else m.value.decode()
            print("%s\t%s" % (key, value))
            got += 1
c.close()
sys.exit(0 if got >= want else 1)
