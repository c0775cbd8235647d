# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Make ``ansible_collections.mplssec.p2p`` importable: `make bootstrap` links this checkout into .cache/collections."""

import os
import sys

COLLECTIONS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), ".cache", "collections")
if COLLECTIONS not in sys.path:
    sys.path.insert(0, COLLECTIONS)

# Ansible's collection loader, installed once before any test imports the collection: a test that uses the
# plugin loader (Templar) would otherwise install it after other tests imported ansible_collections.mplssec.p2p
# from sys.path, and later imports of its modules fail ("collection metadata was not loaded").
from ansible.plugins.loader import init_plugin_loader  # noqa: E402

init_plugin_loader([COLLECTIONS])

# The reference-data policy (skip with one reason, fail under CI=true): tests/mplssec_reference.py.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mplssec_reference import pytest_configure, pytest_runtest_setup  # noqa: E402,F401 pylint: disable=unused-import
