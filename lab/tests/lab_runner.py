"""Shared helpers of the lab-core tests (a unique module name: pytest runs tests/ and lab/tests together)."""
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.path.dirname(sys.executable)


def real_devices() -> bool:
    """The lab's device classes are in the repository: a broken import is an error here, never a skip."""
    from mplssec_lab.ios import IosDevice  # noqa: F401
    from mplssec_lab.junos import JunosDevice  # noqa: F401
    return True


class LabRunner:
    """Runs the real `mplssec-lab` console script against its own state dir and inventory."""

    def __init__(self, tmp_path, stub=None):
        self.state = str(tmp_path / "state")
        self.inventory = str(tmp_path / "inv" / "hosts.yml")
        self.env = dict(os.environ, PATH=BIN + os.pathsep + os.environ.get("PATH", ""))
        self.env["PYTHONPATH"] = HERE + os.pathsep + os.environ.get("PYTHONPATH", "")
        self.stub = (not real_devices()) if stub is None else stub
        if self.stub:
            self.env["MPLSSEC_LAB_DEVICES"] = "ios=lab_stubs:StubIos,junos=lab_stubs:StubJunos"
        else:
            self.env.pop("MPLSSEC_LAB_DEVICES", None)

    def run(self, *args, check=True, timeout=60):
        p = subprocess.run([os.path.join(BIN, "mplssec-lab"), "--state-dir", self.state, *args], env=self.env,
                           capture_output=True, text=True, timeout=timeout)
        if check and p.returncode != 0:
            raise AssertionError(f"mplssec-lab {' '.join(args)} -> {p.returncode}\n{p.stdout}\n{p.stderr}")
        return p

    def up(self, pairs=1):
        t0 = time.monotonic()
        self.run("up", "--pairs", str(pairs), "--inventory", self.inventory)
        return time.monotonic() - t0

    def down(self):
        return self.run("down", check=False)

