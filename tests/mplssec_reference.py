# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one policy for tests that read the real device captures and configs (the reference data).

The reference data is not in the repository (it is read in place, never copied): by default it is
``../shared/reference`` beside the checkout, as in CI; ``MPLSSEC_REFERENCE=/path/to/reference`` points
elsewhere. A test that needs it carries the ``reference`` marker (``@REFERENCE_TEST`` or a module's
``pytestmark``). When the data is missing such a test is skipped with one reason that says where it was
looked for and how to point to it; under CI (``CI=true``) the same test fails instead, so CI always runs them.

Both conftests (tests/conftest.py, lab/tests/conftest.py) import the hooks below; tests of files that are
in the repository (templates, golden renders) never use this: they fail when those files are missing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ENV = "MPLSSEC_REFERENCE"
REPO = Path(__file__).resolve().parents[1]
MARKER = "reference"
REFERENCE_TEST = getattr(pytest.mark, MARKER)


def reference_dir() -> Path:
    """Where the reference data is looked for: $MPLSSEC_REFERENCE, else ../shared/reference beside the checkout."""
    override = os.environ.get(ENV)
    if override:
        return Path(override).expanduser().resolve()
    return REPO.parent / "shared" / "reference"


REFERENCE = reference_dir()


def available() -> bool:
    """The reference data is there: both of its indexes exist."""
    return (REFERENCE / "device-output" / "INDEX.md").is_file() and (REFERENCE / "configs" / "INDEX.md").is_file()


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def missing_reason() -> str:
    where = "from $%s" % ENV if os.environ.get(ENV) else "default ../shared/reference"
    outcome = "CI=true, so the tests that need them fail" if in_ci() else "the tests that need them are skipped"
    return (
        "real device captures not found at %s (%s): %s. Point %s=/path/to/reference at a copy "
        "(device-output/ and configs/ with their INDEX.md), or put shared/reference beside the checkout"
        % (REFERENCE, where, outcome, ENV)
    )


def params(values, placeholder_id: str = "reference-missing") -> list:
    """Parameters for a test that is parametrised over reference files: the values themselves, or, when
    the reference is missing, one placeholder so that the test is reported as skipped (or failed under CI)
    with the reason above instead of pytest's "got empty parameter set". Mark the test with REFERENCE_TEST."""
    values = list(values)
    if available():
        return values
    return [pytest.param(None, id=placeholder_id)]


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "%s: needs the real captures (%s, or $%s); skipped without them, failed under CI=true"
        % (MARKER, REFERENCE, ENV))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    if item.get_closest_marker(MARKER) is None or available():
        return
    if in_ci():
        pytest.fail(missing_reason(), pytrace=False)
    pytest.skip(missing_reason())
