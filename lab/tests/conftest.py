import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from lab_runner import LabRunner  # noqa: E402

# The reference-data policy shared with tests/ (skip with one reason, fail under CI=true).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "tests"))
from mplssec_reference import pytest_configure, pytest_runtest_setup  # noqa: E402,F401 pylint: disable=unused-import


@pytest.fixture
def lab_runner(tmp_path):
    runner = LabRunner(tmp_path)
    yield runner
    runner.down()
