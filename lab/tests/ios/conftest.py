"""Fixtures for the IOS emulator tests: a fake Lab and a baseline device."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

LAB = Path(__file__).resolve().parents[2]          # lab/
if str(LAB) not in sys.path:
    sys.path.insert(0, str(LAB))

from mplssec_lab import model  # noqa: E402

REPO = LAB.parent
SHARED = REPO.parent / "shared"
REF_CONFIGS = SHARED / "reference" / "configs" / "ios"
REF_OUTPUT = SHARED / "reference" / "device-output" / "ios"

BASELINE = {
    "hostname": "p1", "router_id": "203.0.113.1",
    "loopback": {"name": "Loopback0", "address": "203.0.113.1/32"},
    "interfaces": [
        {"name": "GigabitEthernet1", "address": "10.1.1.1/30", "role": "core",
         "mpls": True, "ldp": True, "ospf": {"area": "0", "cost": 10}},
        {"name": "GigabitEthernet2", "address": "192.0.2.0/31", "role": "carrier",
         "mpls": True, "ldp": True, "ospf": {"area": "0", "cost": 10}}],
    "ospf": {"process": "1"},
}


class FakeLab:
    def __init__(self):
        self.t = 1_800_000_000.0
        self.states = {}
        self.changes = []
        self.commands = []
        self.pings = []
        self.ping_result = None
        self.drop_after = None

    def state(self, hostname):
        return self.states.get(hostname, model.LinkState())

    def config_changed(self, hostname):
        self.changes.append(hostname)

    def ping(self, hostname, destination, size, df, source=None, count=5):
        self.pings.append((hostname, destination, size, df, source, count))
        if self.ping_result is not None:
            return self.ping_result(size, df)
        return [True] * count

    def on_command(self, hostname):
        self.commands.append(hostname)
        if self.drop_after is not None and len(self.commands) > self.drop_after:
            raise ConnectionAbortedError("fault: drop session")

    def commit_fault(self, hostname):
        return None

    def now(self):
        return self.t


@pytest.fixture
def lab():
    return FakeLab()


@pytest.fixture
def dev(lab):
    from mplssec_lab.ios import IosDevice
    return IosDevice("p1", lab, BASELINE)
