"""Fixtures for the IOS emulator tests."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ios_helpers import BASELINE, FakeLab  # noqa: E402


@pytest.fixture
def lab():
    return FakeLab()


@pytest.fixture
def dev(lab):
    from mplssec_lab.ios import IosDevice
    return IosDevice("p1", lab, BASELINE)
