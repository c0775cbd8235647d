import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from lab_runner import LabRunner  # noqa: E402


@pytest.fixture
def lab_runner(tmp_path):
    runner = LabRunner(tmp_path)
    yield runner
    runner.down()
