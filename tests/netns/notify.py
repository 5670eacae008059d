#!/usr/bin/env python3
"""notify.py SOCKET OUT SECONDS: systemd's side of sd_notify, for tests.

Binds an AF_UNIX datagram socket at SOCKET and writes each message it
receives to OUT as one line (its assignments separated by spaces), flushed
at once.  Prints "listening" when bound; stops after SECONDS, or after a
message with STOPPING=1 and one more second of quiet.
"""
import os
import socket
import sys
import time


def main():
    path, out, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    os.chmod(path, 0o777)       # an unprivileged daemon may write to it
    print("listening", flush=True)
    end = time.monotonic() + seconds
    with open(out, "w") as f:
        while time.monotonic() < end:
            s.settimeout(max(0.01, end - time.monotonic()))
            try:
                msg = s.recv(4096).decode()
            except socket.timeout:
                break
            f.write(" ".join(msg.split("\n")).strip() + "\n")
            f.flush()
            if "STOPPING=1" in msg.split("\n"):
                end = min(end, time.monotonic() + 1)
    s.close()
    os.unlink(path)


if __name__ == "__main__":
    main()
