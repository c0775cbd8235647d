"""The IOS emulator tests: ios_helpers.py importable; the lab and dev fixtures are in lab/tests/conftest.py."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
