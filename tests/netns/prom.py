#!/usr/bin/env python3
# tests/netns/prom.py - the metrics scenarios' client side.
#
#   prom.py scrape URL                 the text of one scrape (exit 1 on error)
#   prom.py value URL SERIES           SERIES' value in one scrape ("" if none);
#                                      SERIES as written: name{a="b",...}
#   prom.py sum URL NAME               the sum of every series of NAME
#   prom.py query PROM EXPR            the value of EXPR in Prometheus's HTTP
#                                      API (/api/v1/query); "" if no result
#   prom.py idle URL N SECONDS         hold N connections open without a
#                                      word, plus one that asks and never
#                                      reads, for SECONDS; prints "held N"
import socket
import sys
import time
import urllib.parse
import urllib.request
import json


def scrape(url):
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.read().decode()


def series(text):
    for line in text.splitlines():
        if line and not line.startswith('#'):
            name, value = line.rsplit(' ', 1)
            yield name, value


def main():
    cmd = sys.argv[1]
    if cmd == 'scrape':
        sys.stdout.write(scrape(sys.argv[2]))
    elif cmd == 'value':
        want = sys.argv[3]
        print(next((v for n, v in series(scrape(sys.argv[2])) if n == want), ''))
    elif cmd == 'sum':
        want = sys.argv[3]
        print(sum(int(float(v)) for n, v in series(scrape(sys.argv[2]))
                  if n == want or n.startswith(want + '{')))
    elif cmd == 'query':
        q = urllib.parse.urlencode({'query': sys.argv[3]})
        with urllib.request.urlopen(sys.argv[2] + '/api/v1/query?' + q,
                                    timeout=5) as r:
            res = json.load(r)['data']['result']
        print(res[0]['value'][1] if res else '')
    elif cmd == 'idle':
        u = urllib.parse.urlsplit(sys.argv[2])
        n, secs = int(sys.argv[3]), float(sys.argv[4])
        rude = socket.socket()
        rude.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
        rude.settimeout(5)
        rude.connect((u.hostname, u.port))
        rude.sendall(b'GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n' * 50)
        held = []
        for _ in range(n):
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex((u.hostname, u.port))
            held.append(s)
        time.sleep(secs)
        up = sum(1 for s in held
                 if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0)
        print('held', len(held))
        print('established or pending', up)
        for s in held + [rude]:
            s.close()
    else:
        sys.exit('usage: prom.py scrape|value|sum|query|idle ...')


if __name__ == '__main__':
    main()
