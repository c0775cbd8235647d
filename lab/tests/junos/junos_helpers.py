"""Helpers for the Junos emulator tests: a small fake Lab and a minimal asyncssh server on
127.0.0.1 port 0 running in a background thread (so blocking clients such as ncclient and
ansible-playbook can talk to it)."""

from __future__ import annotations

import asyncio
import sys
import threading
from pathlib import Path

LAB = Path(__file__).resolve().parents[2]
if str(LAB) not in sys.path:
    sys.path.insert(0, str(LAB))

REPO = LAB.parent

from lab_ssh import PasswordServer  # noqa: E402  (lab/tests is on sys.path via lab/tests/conftest.py)
from mplssec_reference import REFERENCE  # noqa: E402,F401  (tests/ is on sys.path via lab/tests/conftest.py)

from mplssec_lab import model  # noqa: E402

BASELINE = {
    "hostname": "p2",
    "router_id": "203.0.113.2",
    "loopback": {"name": "lo0.0", "address": "203.0.113.2/32"},
    "interfaces": [
        {"name": "ge-0/0/1.0", "address": "10.2.2.1/30", "role": "core", "mpls": True, "ldp": True, "ospf": {"area": "0", "cost": 10}},
        {"name": "ge-0/0/0.0", "address": "192.0.2.1/31", "role": "carrier", "mpls": True, "ldp": True, "ospf": {"area": "0", "cost": 10}},
    ],
    "ospf": {"process": "1"},
}


def device(lab):
    """The device of the lab/tests/conftest.py ``dev`` fixture: p2 on the baseline."""
    from mplssec_lab.junos import JunosDevice
    return JunosDevice("p2", lab, BASELINE)


class FakeLab:
    """Implements the Lab contract the devices use; the state is whatever the test puts in."""

    def __init__(self):
        self.link_state = model.LinkState()
        self.changed = []
        self.commands = 0
        self.fault = None
        self.drop = False
        self.pings = []
        self.ping_result = True
        self.t = 1_790_000_000.0

    def state(self, hostname):
        return self.link_state

    def config_changed(self, hostname):
        self.changed.append(hostname)

    def ping(self, hostname, destination, size, df, source=None, count=5):
        self.pings.append((hostname, destination, size, df, source, count))
        r = self.ping_result(size) if callable(self.ping_result) else self.ping_result
        return [r] * count

    def on_command(self, hostname):
        self.commands += 1
        if self.drop:
            raise ConnectionAbortedError("fault: drop session")

    def commit_fault(self, hostname):
        return self.fault

    def now(self):
        return self.t


class Server:
    def __init__(self, device):
        self.device = device
        self.dropped = None
        self.loop = asyncio.new_event_loop()
        self.port = None
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        import asyncssh

        asyncio.set_event_loop(self.loop)

        async def start():
            key = asyncssh.generate_private_key("ssh-ed25519")
            self.server = await asyncssh.create_server(
                PasswordServer, "127.0.0.1", 0, server_host_keys=[key], encoding=None, line_editor=False, process_factory=self._handle
            )
            self.port = self.server.sockets[0].getsockname()[1]
            self.ready.set()

        self.loop.run_until_complete(start())
        self.loop.run_forever()

    async def _handle(self, process):
        try:
            await self.device.handle_process(process)
        except Exception as exc:  # fault injection: the device already aborted the connection
            self.dropped = exc

    def start(self):
        self.thread.start()
        self.ready.wait(10)
        return self

    def call(self, fn, *a):
        """Run fn in the server loop thread (device state is owned by that loop)."""
        fut = asyncio.run_coroutine_threadsafe(_acall(fn, *a), self.loop)
        return fut.result(10)

    def stop(self):
        def _stop():
            self.server.close()
            self.loop.stop()

        self.loop.call_soon_threadsafe(_stop)
        self.thread.join(5)


async def _acall(fn, *a):
    return fn(*a)


GRE_IPSEC = """\
set interfaces st0 unit 100 family inet address 198.51.100.129/31
set interfaces gr-0/0/0 unit 100 family inet address 198.51.100.1/31
set interfaces gr-0/0/0 unit 100 family inet mtu 1418
set interfaces gr-0/0/0 unit 100 family mpls mtu 1426
set interfaces gr-0/0/0 unit 100 tunnel source 198.51.100.129
set interfaces gr-0/0/0 unit 100 tunnel destination 198.51.100.128
set interfaces ge-0/0/0 unit 0 family inet address 192.0.2.1/31
set security ike proposal MPLSSEC-CORE1 authentication-method pre-shared-keys
set security ike proposal MPLSSEC-CORE1 dh-group group20
set security ike proposal MPLSSEC-CORE1 authentication-algorithm sha-384
set security ike proposal MPLSSEC-CORE1 encryption-algorithm aes-256-gcm
set security ike proposal MPLSSEC-CORE1 lifetime-seconds 86400
set security ike policy MPLSSEC-CORE1 mode main
set security ike policy MPLSSEC-CORE1 proposals MPLSSEC-CORE1
set security ike policy MPLSSEC-CORE1 pre-shared-key ascii-text "0123456789abcdef-secret"
set security ike gateway MPLSSEC-CORE1 ike-policy MPLSSEC-CORE1
set security ike gateway MPLSSEC-CORE1 address 192.0.2.0
set security ike gateway MPLSSEC-CORE1 external-interface ge-0/0/0.0
set security ike gateway MPLSSEC-CORE1 local-address 192.0.2.1
set security ike gateway MPLSSEC-CORE1 version v2-only
set security ike gateway MPLSSEC-CORE1 dead-peer-detection interval 10
set security ike gateway MPLSSEC-CORE1 dead-peer-detection threshold 3
set security ipsec proposal MPLSSEC-CORE1 protocol esp
set security ipsec proposal MPLSSEC-CORE1 encryption-algorithm aes-256-gcm
set security ipsec proposal MPLSSEC-CORE1 lifetime-seconds 3600
set security ipsec policy MPLSSEC-CORE1 perfect-forward-secrecy keys group20
set security ipsec policy MPLSSEC-CORE1 proposals MPLSSEC-CORE1
set security ipsec vpn MPLSSEC-CORE1 bind-interface st0.100
set security ipsec vpn MPLSSEC-CORE1 ike gateway MPLSSEC-CORE1
set security ipsec vpn MPLSSEC-CORE1 ike ipsec-policy MPLSSEC-CORE1
set security ipsec vpn MPLSSEC-CORE1 establish-tunnels immediately
set security zones security-zone trust host-inbound-traffic system-services ike
set security zones security-zone trust interfaces st0.100
set security zones security-zone trust interfaces gr-0/0/0.100
set security forwarding-options family mpls mode packet-based
set protocols mpls interface gr-0/0/0.100
set protocols ldp interface gr-0/0/0.100
set protocols ospf area 0.0.0.0 interface gr-0/0/0.100 interface-type p2p
set protocols ospf area 0.0.0.0 interface gr-0/0/0.100 metric 10
set firewall family inet filter MPLSSEC-CORE1 term ike from protocol udp
set firewall family inet filter MPLSSEC-CORE1 term ike from destination-port 500
set firewall family inet filter MPLSSEC-CORE1 term ike then accept
set firewall family inet filter MPLSSEC-CORE1 term esp from protocol esp
set firewall family inet filter MPLSSEC-CORE1 term esp then accept
set firewall family inet filter MPLSSEC-CORE1 term rest then discard
"""
