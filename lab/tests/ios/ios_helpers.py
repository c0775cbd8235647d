"""Helpers for the IOS emulator tests: a fake Lab, a fake SSH process, the baseline and a sample config."""
from __future__ import annotations

import sys
from pathlib import Path

LAB = Path(__file__).resolve().parents[2]          # lab/
if str(LAB) not in sys.path:
    sys.path.insert(0, str(LAB))

from mplssec_reference import REFERENCE  # noqa: E402  (tests/ is on sys.path via lab/tests/conftest.py)

from mplssec_lab import model  # noqa: E402

REPO = LAB.parent
REF_CONFIGS = REFERENCE / "configs" / "ios"
REF_OUTPUT = REFERENCE / "device-output" / "ios"

BASELINE = {
    "hostname": "p1", "router_id": "203.0.113.1",
    "loopback": {"name": "Loopback0", "address": "203.0.113.1/32"},
    "interfaces": [
        {"name": "GigabitEthernet1", "address": "10.1.1.1/30", "role": "core",
         "mpls": True, "ldp": True, "ospf": {"area": "0", "cost": 10}},
        {"name": "GigabitEthernet2", "address": "192.0.2.0/31", "role": "carrier",
         "mpls": True, "ldp": True, "ospf": {"area": "0", "cost": 10}}],
    "ospf": {"process": "1"},
}


def device(lab):
    """The device of the lab/tests/conftest.py ``dev`` fixture: p1 on the baseline."""
    from mplssec_lab.ios import IosDevice
    return IosDevice("p1", lab, BASELINE)


class FakeLab:
    def __init__(self):
        self.t = 1_800_000_000.0
        self.states = {}
        self.changes = []
        self.commands = []
        self.pings = []
        self.ping_result = None
        self.drop_after = None

    def state(self, hostname):
        return self.states.get(hostname, model.LinkState())

    def config_changed(self, hostname):
        self.changes.append(hostname)

    def ping(self, hostname, destination, size, df, source=None, count=5):
        self.pings.append((hostname, destination, size, df, source, count))
        if self.ping_result is not None:
            return self.ping_result(size, df)
        return [True] * count

    def on_command(self, hostname):
        self.commands.append(hostname)
        if self.drop_after is not None and len(self.commands) > self.drop_after:
            raise ConnectionAbortedError("fault: drop session")

    def commit_fault(self, hostname):
        return None

    def now(self):
        return self.t


class _Stdin:
    def __init__(self, chunks):
        self.chunks = list(chunks)

    async def read(self, n=-1):
        import asyncio
        await asyncio.sleep(0)
        if not self.chunks:
            return ""
        return self.chunks.pop(0)


class _Stdout:
    def __init__(self):
        self.data = []

    def write(self, s):
        self.data.append(s)


class _Channel:
    def __init__(self):
        self.aborted = False

    def abort(self):
        self.aborted = True


class FakeProcess:
    """Just enough of asyncssh.SSHServerProcess for Session.run()."""

    def __init__(self, text):
        # one chunk per line, like a client sending command + "\r"
        self.stdin = _Stdin([ln + "\r" for ln in text.split("\n")])
        self.stdout = _Stdout()
        self.channel = _Channel()
        self.exit_status = None

    def exit(self, status):
        self.exit_status = status

    def close(self):
        pass

    @property
    def output(self):
        return "".join(self.stdout.data).replace("\r\n", "\n")


def run_cli(dev, commands):
    """Drive dev.handle_process with a fake process; return the transcript (LF line ends)."""
    import asyncio
    if isinstance(commands, (list, tuple)):
        commands = "\n".join(commands)
    proc = FakeProcess(commands)
    asyncio.run(asyncio.wait_for(dev.handle_process(proc), 10))
    return proc.output


def push(dev, lines):
    """configure terminal + lines + end; returns the transcript."""
    return run_cli(dev, ["configure terminal", *lines, "end"])


COLLECTION_CONFIG = """\
crypto ikev2 proposal MPLSSEC-CORE1
 encryption aes-gcm-256
 prf sha384
 group 20
crypto ikev2 policy MPLSSEC-CORE1
 match address local 192.0.2.0
 proposal MPLSSEC-CORE1
crypto ikev2 keyring MPLSSEC-CORE1
 peer MPLSSEC-CORE1
  address 192.0.2.1
  pre-shared-key local Sup3rSecretPSK-core1
  pre-shared-key remote Sup3rSecretPSK-core1
crypto ikev2 profile MPLSSEC-CORE1
 match identity remote address 192.0.2.1 255.255.255.255
 identity local address 192.0.2.0
 authentication remote pre-share
 authentication local pre-share
 keyring local MPLSSEC-CORE1
 dpd 10 3 periodic
crypto ipsec transform-set MPLSSEC-CORE1 esp-gcm 256
 mode transport
crypto ipsec profile MPLSSEC-CORE1
 set transform-set MPLSSEC-CORE1
 set pfs group20
 set ikev2-profile MPLSSEC-CORE1
ip access-list extended MPLSSEC-CORE1-IN
 permit udp host 192.0.2.1 host 192.0.2.0 eq 500
 permit udp host 192.0.2.1 host 192.0.2.0 eq 4500
 permit esp host 192.0.2.1 host 192.0.2.0
 deny ip any any
interface Tunnel100
 description MPLSSEC core1 to p2
 ip address 198.51.100.0 255.255.255.254
 ip mtu 1418
 ip tcp adjust-mss 1378
 ip ospf 1 area 0
 ip ospf cost 10
 mpls ip
 mpls mtu 1426
 tunnel source GigabitEthernet2
 tunnel destination 192.0.2.1
 tunnel protection ipsec profile MPLSSEC-CORE1
interface GigabitEthernet2
 ip access-group MPLSSEC-CORE1-IN in
 no mpls ip
 no ip ospf 1 area 0
 no ip ospf cost
"""
