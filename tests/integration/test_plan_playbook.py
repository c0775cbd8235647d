# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""playbooks/plan_p2p.yml end to end, with ansible-playbook in a subprocess.

Every router of every inventory here points at 127.0.0.1 on a port where this test listens and
counts connections: the plan must never open one, whether it succeeds or fails. Bad inventories
must fail with the plan's own message (not an unreachable host, not a template error).
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "inventory" / "example"
VAULT_PASSWORD = EXAMPLE / "vault-password.txt"
PLAYBOOK = ROOT / "playbooks" / "plan_p2p.yml"
BIN = Path(sys.executable).parent   # the venv's ansible tools (make bootstrap), whatever PATH says
PSK = "Tq7-Ld2_Wm9=Rx4.Kp6@"  # test-only, 20 characters


class Listener:
    """A TCP listener on 127.0.0.1 that counts connection attempts."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.is_set():
            try:
                conn = self.sock.accept()[0]
            except OSError:
                continue
            self.accepted += 1
            conn.close()

    def close(self) -> None:
        self.stop.set()
        self.thread.join(2)
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    item = Listener()
    yield item
    item.close()


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"),
        "ANSIBLE_COLLECTIONS_PATH": str(ROOT / ".cache" / "collections"),
        "ANSIBLE_STDOUT_CALLBACK": "ansible.builtin.json",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_LOCAL_TEMP": str(Path(os.environ.get("TMPDIR", "/tmp")) / "ansible-local-plan-test"),
    })
    return env


def run_playbook(inventory: Path, *extra: str, playbook: Path = PLAYBOOK) -> tuple[int, dict[str, Any], str]:
    cmd = [str(BIN / "ansible-playbook"), "-i", str(inventory), str(playbook), *extra]
    proc = subprocess.run(cmd, cwd=ROOT, env=environment(), capture_output=True, text=True, timeout=300, check=False)
    try:
        report = json.loads(proc.stdout[proc.stdout.index("{"):])
    except ValueError:
        report = {}
    return proc.returncode, report, proc.stdout + proc.stderr


def results(report: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(task name, host, result) of every task of every play."""
    out = []
    for play in report.get("plays", []):
        for task in play["tasks"]:
            for host, result in task["hosts"].items():
                out.append((task["task"]["name"].split(" : ")[-1], host, result))
    return out


def failure_message(report: dict[str, Any]) -> str:
    failed = [r for _name, _host, r in results(report) if r.get("failed")]
    assert len(failed) == 1, failed
    return str(failed[0].get("msg", ""))


def router(port: int, network_os: str, router_id: str) -> dict[str, Any]:
    connection = "ansible.netcommon.netconf" if network_os.startswith("junipernetworks") else "ansible.netcommon.network_cli"
    return {"ansible_host": "127.0.0.1", "ansible_port": port, "ansible_connection": connection, "ansible_user": "nobody",
            "ansible_password": "never-used", "ansible_network_os": network_os, "p2p_router_id": router_id}


GOOD_LINK: dict[str, Any] = {
    "name": "core1",
    "mode": "gre_ipsec",
    "ipsec_mode": "tunnel",
    "crypto": {"preset": "strong", "psk": PSK},
    "tunnel": {"id": 100, "ipv4": "198.51.100.0/31", "ipsec_ipv4": "198.51.100.128/31"},
    "a": {"host": "p1", "interface": "GigabitEthernet2", "address": "192.0.2.0/31"},
    "b": {"host": "p2", "interface": "ge-0/0/0.0", "address": "192.0.2.1/31"},
}


def write_inventory(tmp_path: Path, port: int, links: list[dict[str, Any]]) -> Path:
    """hosts.yml with p1 (IOS-XE) and p2 (Junos) on the listener's port, links in group_vars/all."""
    inventory = {"all": {"children": {"routers": {"hosts": {
        "p1": router(port, "cisco.ios.ios", "203.0.113.1"),
        "p2": router(port, "junipernetworks.junos.junos", "203.0.113.2"),
    }}}}}
    (tmp_path / "group_vars" / "all").mkdir(parents=True)
    (tmp_path / "hosts.yml").write_text(yaml.safe_dump(inventory))
    (tmp_path / "group_vars" / "all" / "links.yml").write_text(yaml.safe_dump({"p2p_links": links}))
    return tmp_path / "hosts.yml"


def with_(patch: dict[str, Any]) -> dict[str, Any]:
    link = json.loads(json.dumps(GOOD_LINK))
    for key, value in patch.items():
        if isinstance(value, dict):
            link[key].update(value)
        else:
            link[key] = value
    return link


# --------------------------------------------------------------------------- the example inventory


def test_example_inventory_plans_without_touching_a_router(tmp_path):
    # the example inventory as shipped (routers on unused ports of 127.0.0.1), plus a play that reads the facts
    check = tmp_path / "check.yml"
    facts_of_routers = "{{ hostvars['localhost'].p2p_plans }}"
    check.write_text(yaml.safe_dump([
        {"import_playbook": str(PLAYBOOK)},
        {"name": "Read the facts back", "hosts": "localhost", "gather_facts": False,
         "tasks": [{"name": "facts", "ansible.builtin.debug": {"msg": facts_of_routers}}]},
    ]))
    rc, report, output = run_playbook(EXAMPLE / "hosts.yml", "--vault-password-file", str(VAULT_PASSWORD), playbook=check)
    assert rc == 0, output
    facts = [r for name, _host, r in results(report) if name == "facts"][0]["msg"]
    assert sorted(facts) == ["p1", "p2", "p3", "p4"]
    p1 = facts["p1"]
    assert (p1["platform"], p1["router_id"]) == ("ios", "203.0.113.1")
    core1 = p1["links"][0]
    assert (core1["name"], core1["tunnel"]["interface"], core1["ipsec_tunnel"]["interface"]) == ("core1", "Tunnel100", "Tunnel1100")
    assert facts["p2"]["links"][0]["tunnel"]["interface"] == "gr-0/0/0.100"
    assert facts["p3"]["links"][0]["ipsec_mode"] == "transport"
    assert "UNREACHABLE" not in output
    # the table is printed and no PSK leaves the vault
    table = [r for name, _host, r in results(report) if name == "Show the planned links"][0]["msg"]
    assert isinstance(table, list) and table[0].startswith("link ")  # a list of lines: readable with any callback
    assert "vault_p2p_psk" not in json.dumps(facts)


def test_example_inventory_needs_the_vault_password():
    rc, _report, output = run_playbook(EXAMPLE / "hosts.yml")
    assert rc != 0
    assert "vault" in output.lower()


def test_good_inventory_no_connection(tmp_path, listener):
    rc, report, output = run_playbook(write_inventory(tmp_path, listener.port, [GOOD_LINK]))
    assert rc == 0, output
    plans = [r for name, _host, r in results(report) if name == "Set p2p_plans (router -> plan) and p2p_batches on the control node"][0]
    assert sorted(plans["ansible_facts"]["p2p_plans"]) == ["p1", "p2"]
    assert listener.accepted == 0
    assert PSK not in output


# --------------------------------------------------------------------------- bad inventories fail in the plan

BAD = [
    pytest.param(
        [with_({"ipsec_mdoe": "tunnel"})],
        ["link core1: ipsec_mdoe: unknown field. Fix: did you mean 'ipsec_mode'?"],
        id="unknown-field",
    ),
    pytest.param(
        [with_({"crypto": {"psk": "short-psk", "ike": {"encryption": "3des"}}})],
        ["link core1: crypto.ike.encryption: '3des' is refused as weak crypto",
         "link core1: crypto.psk: is shorter than 16 characters."],
        id="weak-crypto-and-short-psk",
    ),
    pytest.param(
        [with_({"b": {"host": "p7"}})],
        ["link core1: b.host: host 'p7' is not in the inventory."],
        id="host-not-in-inventory",
    ),
    pytest.param(
        [with_({"mode": "vti", "ipsec_mode": None, "tunnel": {"ipsec_ipv4": None}})],
        ["link core1: mode: vti is not supported on p1 (Cisco IOS-XE)", "VTI would have saved 24 bytes",
         "link core1: mode: vti is not supported on p2 (Juniper Junos (SRX/vSRX))"],
        id="vti-refused",
    ),
    pytest.param(
        [with_({"ipsec_mode": "transport", "tunnel": {"ipsec_ipv4": None}})],
        ["link core1: ipsec_mode: transport is not supported on p2 (Juniper Junos (SRX/vSRX))"],
        id="junos-transport-refused",
    ),
    pytest.param(
        [with_({"carrier_mtu": 1300})],
        ["link core1: carrier_mtu: 1300 cannot carry a 1280-byte inner packet", "set carrier_mtu: 1368 or more"],
        id="carrier-mtu-too-small",
    ),
    pytest.param(
        [GOOD_LINK, with_({"name": "core2", "a": {"interface": "GigabitEthernet3", "address": "192.0.2.2/31"},
                           "b": {"interface": "ge-0/0/1.0", "address": "192.0.2.3/31"}})],
        ["link core2: tunnel.ipv4: 198.51.100.0/31 overlaps tunnel.ipv4 198.51.100.0/31 of link core1.",
         "link core2: tunnel.id: 100 makes Tunnel100 on p1, which link core1 already uses (duplicate tunnel id)."],
        id="two-links-collide",
    ),
    # issue 8 section 4b, from the independent table of bad inputs
    pytest.param([], ["p2p_links: is empty (or undefined): there is no link to plan."], id="empty-links"),
    pytest.param(
        [with_({"crypto": {"preset": "compatible", "ike": {"integrity": "sha1", "prf": "sha1"}}})],
        ["link core1: crypto.ike.integrity: 'sha1' is legacy (RFC 8247 MUST-", "link core1: crypto.ike.prf: 'sha1' is legacy",
         "set crypto.allow_legacy: true"],
        id="sha1-refused",
    ),
    pytest.param([GOOD_LINK, "core2"], ["link #2: must be a mapping (a link), got str."], id="element-not-a-mapping"),
]


@pytest.mark.parametrize(("links", "expected"), BAD)
def test_bad_inventory_fails_in_the_plan_before_any_connection(tmp_path, listener, links, expected):
    rc, report, output = run_playbook(write_inventory(tmp_path, listener.port, links))
    assert rc != 0
    message = failure_message(report)
    assert "mplssec.p2p.p2p_plan:" in message, message
    for text in expected:
        assert text in message, message
    failed_tasks = [name for name, _host, r in results(report) if r.get("failed")]
    assert failed_tasks == ["Compute the p2p plan (validates every link, fails with every problem found)"]
    assert not any(r.get("unreachable") for _name, _host, r in results(report))
    assert listener.accepted == 0
    assert PSK not in output and "short-psk" not in output


def test_the_listener_does_see_a_connection_attempt(tmp_path, listener):
    """Control experiment: a task that does connect to a router is counted (so 0 above means 0)."""
    inventory = write_inventory(tmp_path, listener.port, [GOOD_LINK])
    cmd = [str(BIN / "ansible"), "-i", str(inventory), "p1", "-m", "ansible.netcommon.cli_command", "-a", "command='show version'",
           "-e", "ansible_connect_timeout=5 ansible_command_timeout=5"]
    subprocess.run(cmd, cwd=ROOT, env=environment(), capture_output=True, text=True, timeout=120, check=False)
    assert listener.accepted >= 1


def test_undefined_vault_psk_names_its_link_before_the_plan(tmp_path, listener):
    # core2's PSK refers to a vault variable that is not defined: the role's first task names core2 (and only
    # core2), in one task whatever the number of links, before the plan filter templates p2p_links.
    core2 = with_({"name": "core2", "crypto": {"psk": "{{ vault_p2p_psk_core2 }}"}, "tunnel": {"id": 101, "ipv4": "198.51.100.2/31",
                   "ipsec_ipv4": "198.51.100.130/31"}, "a": {"interface": "GigabitEthernet3", "address": "192.0.2.2/31"},
                   "b": {"interface": "ge-0/0/1.0", "address": "192.0.2.3/31"}})
    certs = with_({"name": "core3", "crypto": {"auth": "rsa-sig", "psk": None, "trustpoint": "CA"},
                   "tunnel": {"id": 102, "ipv4": "198.51.100.4/31", "ipsec_ipv4": "198.51.100.132/31"},
                   "a": {"interface": "GigabitEthernet4", "address": "192.0.2.4/31", "certificate_subject": "CN=a,O=X"},
                   "b": {"interface": "ge-0/0/2.0", "address": "192.0.2.5/31", "certificate_subject": "CN=b,O=X",
                         "certificate": "c"}})
    certs["crypto"].pop("psk")
    rc, report, output = run_playbook(write_inventory(tmp_path, listener.port, [GOOD_LINK, core2, certs]))
    assert rc != 0
    message = failure_message(report)
    assert message.startswith("link core2: crypto.psk: is undefined"), message
    assert "core1" not in message and "core3" not in message
    failed_tasks = [name for name, _host, r in results(report) if r.get("failed")]
    assert failed_tasks == ["Refuse a link whose crypto.psk refers to an undefined variable (names the link)"]
    assert listener.accepted == 0 and PSK not in output


def test_rotate_preflight_refuses_certificate_and_short_psk_links_before_any_connection(tmp_path, listener):
    """The deploy preflight (one assert for every link, encrypt/rollback/rotate): a short PSK and, for rotate_p2p.yml, a
    certificate link are refused with the link named, before any router is contacted."""
    certs = with_({"name": "core3", "crypto": {"auth": "rsa-sig", "trustpoint": "CA"},
                   "tunnel": {"id": 102, "ipv4": "198.51.100.4/31", "ipsec_ipv4": "198.51.100.132/31"},
                   "a": {"interface": "GigabitEthernet4", "address": "192.0.2.4/31", "certificate_subject": "CN=a,O=X"},
                   "b": {"interface": "ge-0/0/2.0", "address": "192.0.2.5/31", "certificate_subject": "CN=b,O=X",
                         "certificate": "c"}})
    certs["crypto"].pop("psk")
    short = with_({"name": "core2", "crypto": {"psk": "short-psk"}, "tunnel": {"id": 101, "ipv4": "198.51.100.2/31",
                   "ipsec_ipv4": "198.51.100.130/31"}, "a": {"interface": "GigabitEthernet3", "address": "192.0.2.2/31"},
                   "b": {"interface": "ge-0/0/1.0", "address": "192.0.2.3/31"}})
    inventory = write_inventory(tmp_path, listener.port, [GOOD_LINK, short, certs])
    rc, report, output = run_playbook(inventory, playbook=ROOT / "playbooks" / "rotate_p2p.yml")
    assert rc != 0
    failed = [r for name, _host, r in results(report) if r.get("failed")]
    msgs = [m for r in failed for m in r.get("msg", [])]
    assert len(msgs) == 2, msgs
    assert msgs[0].startswith("link core2: crypto.psk is missing or shorter than 16 characters"), msgs
    assert msgs[1].startswith("link core3: crypto.auth is rsa-sig: rotate_p2p rotates pre-shared keys"), msgs
    assert all(m.endswith("Nothing was changed: no router was contacted.") for m in msgs), msgs
    assert listener.accepted == 0
    assert PSK not in output and "short-psk" not in output
    # encrypt_p2p.yml does not refuse the certificate link for that reason (only rotation does)
    rc, report, output = run_playbook(inventory, playbook=ROOT / "playbooks" / "encrypt_p2p.yml")
    msgs = [m for _n, _h, r in results(report) if r.get("failed") for m in r.get("msg", [])]
    assert [m.split(":")[0] for m in msgs] == ["link core2"], msgs
    assert listener.accepted == 0


def test_rotate_preflight_refuses_macsec_links_with_the_reason_before_any_connection(tmp_path, listener):
    """rotate_p2p.yml refuses a mode macsec link with a Junos end (no documented hitless CAK rollover on the SRX380,
    docs/rotate.md "MACsec"), names the link, the reason and the fix, contacts no router and prints neither the CKN
    nor the CAK; an IOS-IOS macsec link without macsec.previous_ckn is refused too, naming the field."""
    ckn, cak = secrets.token_hex(16), secrets.token_hex(32)
    mka = {k: v for k, v in GOOD_LINK.items() if k not in ("tunnel", "crypto", "ipsec_mode")}
    mka.update(name="core5", mode="macsec", macsec={"ckn": ckn, "cak": cak})
    rc, report, output = run_playbook(write_inventory(tmp_path, listener.port, [mka]),
                                      playbook=ROOT / "playbooks" / "rotate_p2p.yml")
    assert rc != 0
    msgs = [m for _n, _h, r in results(report) if r.get("failed") for m in r.get("msg", [])]
    assert len(msgs) == 1 and msgs[0].startswith("link core5: mode macsec with a Junos end: a MACsec CAK cannot be "
                                                 "rolled over hitlessly on it"), msgs
    assert "SRX380" in msgs[0] and "Fix: change it with rollback_p2p then encrypt_p2p" in msgs[0], msgs
    assert msgs[0].endswith("Nothing was changed: no router was contacted.")
    assert listener.accepted == 0
    assert ckn not in output and cak not in output
    ios_ios = dict(mka, b={"host": "p1", "interface": "GigabitEthernet3", "address": "192.0.2.1/31"})
    (tmp_path / "group_vars").rename(tmp_path / "group_vars.0")
    rc, report, output = run_playbook(write_inventory(tmp_path, listener.port, [ios_ios]),
                                      playbook=ROOT / "playbooks" / "rotate_p2p.yml")
    msgs = [m for _n, _h, r in results(report) if r.get("failed") for m in r.get("msg", [])]
    assert rc != 0 and len(msgs) == 1 and "macsec.previous_ckn" in msgs[0], msgs
    assert listener.accepted == 0 and ckn not in output and cak not in output
