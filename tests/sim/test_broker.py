"""The development broker ends with whoever started it: a demo or test killed with kill -9 leaves no mosquitto."""
from __future__ import annotations

import subprocess
import sys
import time

import pytest

from commandcenter.sim.broker import Broker, BrokerError

from tests.support import pid_alive, subprocess_env

KILLED_STARTER = """
import os
from commandcenter.sim.broker import Broker
broker = Broker().start()
print(broker.proc.pid, flush=True)
os._exit(0)     # gone without stop(), as after kill -9
"""


def test_a_process_that_dies_leaves_no_broker_running() -> None:
    try:
        Broker()
    except BrokerError as exc:
        pytest.skip(str(exc))
    out = subprocess.run([sys.executable, "-c", KILLED_STARTER], capture_output=True, text=True, timeout=60,
                         env=subprocess_env())
    pid = int(out.stdout.strip() or 0)
    assert pid, out.stderr
    deadline = time.monotonic() + 10
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not pid_alive(pid), "mosquitto ended with the process that started it"
