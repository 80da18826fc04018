"""A server stand-in for ``tests/harness/test_children.py``, run as ``python -m`` (executed, or
forked from the fork server): starts a grandchild in its group, says what it sees and where it
listens, then waits. ``--deaf`` ignores SIGTERM; ``--broken`` exits with 2 before listening;
``--silent`` never says where it listens."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

if "--broken" in sys.argv:
    print("no config")
    raise SystemExit(2)
if "--silent" in sys.argv:
    print(f"starting {os.getpid()}", flush=True)
    time.sleep(60)
if "--deaf" in sys.argv:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
grandchild = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
seen = {
    "argv": sys.argv,
    "name": __name__,
    "cwd": os.getcwd(),
    "path0": sys.path[0],
    "env": os.environ.get("STAND_IN"),
    "session": os.getsid(0) == os.getpid(),
    "minidom": "xml.dom.minidom" in sys.modules,  # what a fork server preloads in the tests
    "sigint": signal.getsignal(signal.SIGINT) is signal.default_int_handler,
}
print(f"grandchild {grandchild.pid}", flush=True)
print(json.dumps(seen), flush=True)
print("fake listening on http://127.0.0.1:4242", flush=True)
time.sleep(60)
