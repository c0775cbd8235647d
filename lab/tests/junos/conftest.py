"""Fixtures for the Junos emulator tests (helpers live in junos_helpers.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from junos_helpers import BASELINE, FakeLab, Server  # noqa: E402

from mplssec_lab.junos import JunosDevice  # noqa: E402


@pytest.fixture
def lab():
    return FakeLab()


@pytest.fixture
def dev(lab):
    return JunosDevice("p2", lab, BASELINE)


@pytest.fixture
def server(dev):
    s = Server(dev).start()
    yield s
    s.stop()
