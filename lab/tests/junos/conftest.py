"""Fixtures for the Junos emulator tests (helpers live in junos_helpers.py; lab and dev in lab/tests/conftest.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from junos_helpers import Server  # noqa: E402


@pytest.fixture
def server(dev):
    s = Server(dev).start()
    yield s
    s.stop()
