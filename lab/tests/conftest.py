import importlib
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from lab_runner import LabRunner  # noqa: E402

# The reference-data policy shared with tests/ (skip with one reason, fail under CI=true).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "tests"))
from mplssec_reference import pytest_configure, pytest_runtest_setup  # noqa: E402,F401 pylint: disable=unused-import


@pytest.fixture
def lab(request):
    """The fake Lab of the test's vendor directory (lab/tests/ios -> ios_helpers.FakeLab, junos -> junos_helpers)."""
    return _vendor_helpers(request).FakeLab()


@pytest.fixture
def dev(request, lab):
    """The device of the test's vendor directory on its baseline (ios_helpers.device / junos_helpers.device)."""
    return _vendor_helpers(request).device(lab)


def _vendor_helpers(request):
    vendor = request.path.parent.name
    if vendor not in ("ios", "junos"):
        raise pytest.UsageError(f"the lab/dev fixtures are for lab/tests/ios and lab/tests/junos, not {request.path}")
    return importlib.import_module(f"{vendor}_helpers")   # on sys.path via that directory's conftest.py


@pytest.fixture
def lab_runner(tmp_path):
    runner = LabRunner(tmp_path)
    yield runner
    runner.down()
