# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""GET VPN deploy templates (mode getvpn): golden renders of every phase for an IOS-IOS and an IOS-Junos link and of
the key server, from a plan computed by the plan itself (with mode getvpn let through the capability map, which
still refuses it until the deploy configures key servers), and the renders pushed into the emulated lab: the key
server and both members register, the GRE is encrypted, IGP/LDP move to the tunnel, and undo_restore + undo_remove
(and the key server's removal) give back byte-identical running configurations.

``UPDATE_GOLDEN=1 pytest ...`` rewrites tests/golden/deploy_getvpn/."""
from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import pytest

from ansible_collections.mplssec.p2p.plugins.plugin_utils import capabilities, plan

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_deploy_templates import LAB_HOSTVARS, render  # noqa: E402

ROOT = Path(__file__).resolve().parents[3]
GOLDEN = ROOT / "tests" / "golden" / "deploy_getvpn"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
PHASES = ("phase1", "phase3", "phase4", "phase5", "undo_restore", "undo_remove")
FIXTURE_PSK = "FIXTURE-getvpn-psk-0123456789"          # golden renders only; the lab test generates its key

HOSTVARS = dict(LAB_HOSTVARS, ks1={"ansible_network_os": "cisco.ios.ios", "p2p_router_id": "100.64.0.1"})


def _links():
    """The lab's --pairs 2 --mode getvpn links (lab/mplssec_lab/topology.py), written out."""
    common = {"mode": "getvpn", "getvpn": {"group": "p2p"}, "labels": 2,
              "igp": {"protocol": "ospf", "process_id": 1, "area": 0, "metric": 10}}
    return [
        dict(common, name="core1", tunnel={"id": 100, "ipv4": "198.51.100.0/31"},
             a={"host": "p1", "interface": "GigabitEthernet2", "address": "192.0.2.0/31"},
             b={"host": "p2", "interface": "ge-0/0/0.0", "address": "192.0.2.1/31"}),
        dict(common, name="core2", tunnel={"id": 100, "ipv4": "198.51.100.2/31"},
             a={"host": "p3", "interface": "GigabitEthernet2", "address": "192.0.2.2/31"},
             b={"host": "p4", "interface": "GigabitEthernet2", "address": "192.0.2.3/31"}),
    ]


def getvpn_plan(psk, monkeypatch, **group):
    for platform in ("ios", "junos"):
        monkeypatch.setitem(capabilities.PLATFORMS[platform]["modes"], "getvpn", {"supported": True})
    groups = [dict({"name": "p2p", "identity": 1001, "key_servers": ["ks1"], "psk": psk, "rekey": "none",
                    "anti_replay": "none"}, **group)]
    return plan.build_plan(_links(), HOSTVARS, None, groups)["hosts"]


def _router(fact):
    return {k: v for k, v in fact.items() if k != "links"}


def test_golden(monkeypatch):
    hosts = getvpn_plan(FIXTURE_PSK, monkeypatch)
    seen = []
    for host, fact in sorted(hosts.items()):
        renders = {}
        for link in fact["links"]:
            for phase in PHASES:
                renders[f"{link['name']}/{host}-{fact['platform']}-{phase}.cfg"] = render(
                    f"{fact['platform']}/{phase}.j2", link, _router(fact), FIXTURE_PSK)
        if fact.get("getvpn_servers"):
            for tpl in ("getvpn_ks", "getvpn_ks_remove"):
                renders[f"{host}-ios-{tpl}.cfg"] = render(f"ios/{tpl}.j2", {}, _router(fact), {"p2p": FIXTURE_PSK})
        for rel, text in renders.items():
            path = GOLDEN / rel
            seen.append(rel)
            if UPDATE:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
            assert path.exists(), f"{path} missing: run UPDATE_GOLDEN=1 pytest {__file__}"
            assert text == path.read_text(), f"{rel} differs from the golden render; review, then UPDATE_GOLDEN=1"
            lines = text.splitlines()
            assert "{{" not in text and all(line.strip() and line == line.rstrip() for line in lines), rel
            # the group key only on the lines that configure or remove it
            assert all(("pre-shared-key" in line or "isakmp key" in line) for line in lines if FIXTURE_PSK in line)
    assert "ks1-ios-getvpn_ks.cfg" in seen and "core1/p2-junos-phase1.cfg" in seen
    ks = (GOLDEN / "ks1-ios-getvpn_ks.cfg").read_text()
    assert "permit gre host 192.0.2.2 host 192.0.2.3" in ks and "permit gre host 192.0.2.1 host 192.0.2.0" in ks
    assert "rekey transport unicast" not in ks and "   no replay" in ks         # a Junos member is in the group


# -- the renders in the emulated lab (the oracle) ----------------------------------------------------------------
lab_topology = pytest.importorskip("mplssec_lab.topology")
sys.path.insert(0, str(ROOT / "lab" / "tests"))
sys.path.insert(0, str(ROOT / "lab" / "tests" / "ios"))
from ios_helpers import push  # noqa: E402

from mplssec_lab.junos import tree as T  # noqa: E402
from mplssec_lab.lab import Lab  # noqa: E402


class Clock:
    def __init__(self):
        self.t = 1_800_000_000.0

    def __call__(self):
        return self.t


def _apply(dev, text):
    if dev.platform == "ios":
        out = push(dev, text.splitlines())
        assert "\n% " not in out, out          # every line accepted (IOS errors start with "% ")
        return
    tree, warnings = T.load_set(dev.candidate.copy(), text)
    assert not warnings, warnings
    dev.candidate = tree
    dev.commit(None)


def _stable(config: str) -> list[str]:
    """The configuration without its volatile header lines (IOS last change / NVRAM update, Junos last commit)."""
    return [ln for ln in config.splitlines()
            if not ln.startswith(("! Last configuration change", "! NVRAM config", "## Last commit"))]


def _gdoi(lab, host):
    return next(g for g in lab.state(host).gdoi if g.role == "member")


def test_renders_register_encrypt_and_roll_back_byte_identical(monkeypatch):
    psk = secrets.token_hex(12)
    hosts = getvpn_plan(psk, monkeypatch)
    lab = Lab(lab_topology.build(2, mode="getvpn"), clock=Clock())
    before = {h: lab.running_config(h) for h in ("p1", "p2", "p3", "p4", "ks1")}
    ks = hosts["ks1"]
    _apply(lab.devices["ks1"], render("ios/getvpn_ks.j2", {}, _router(ks), {"p2p": psk}))

    def step(phase):
        for host in ("p1", "p2", "p3", "p4"):
            fact = hosts[host]
            for link in fact["links"]:
                _apply(lab.devices[host], render(f"{fact['platform']}/{phase}.j2", link, _router(fact), psk))
    step("phase1")
    for host in ("p1", "p2", "p3", "p4"):
        assert _gdoi(lab, host).registered, (host, _gdoi(lab, host).reason)
    tek = {_gdoi(lab, h).tek_spi for h in ("p1", "p2", "p3", "p4")}
    assert len(tek) == 1
    ip_mtu = hosts["p3"]["links"][0]["mtu"]["ip_mtu"]
    ok = lab.ping("p3", "198.51.100.3", ip_mtu, True)
    assert ok.reason == "ok" and ok.wire > ip_mtu + 24            # ESP around the GRE: encrypted
    step("phase3")
    step("phase4")
    for host, tun in (("p1", "Tunnel100"), ("p2", "gr-0/0/0.100"), ("p3", "Tunnel100"), ("p4", "Tunnel100")):
        st = lab.state(host)
        assert {a.protocol for a in st.adjacencies if a.interface == tun} == {"ospf", "ldp"}, host
        assert st.clear_mpls_interfaces == [], host
    assert lab.ping("p3", "198.51.100.3", ip_mtu, True).reason == "ok"
    assert lab.ping("p3", "198.51.100.3", ip_mtu + 1, True).reason == "mtu"      # the planned IP MTU holds
    step("phase5")
    assert lab.ping("p1", "198.51.100.1", ip_mtu, True).reason == "ok"          # ESP passes the fail-closed filter
    # two TEK lifetimes after cut-over: the members re-registered from their loopbacks (still routed by the core)
    lab.clock.t += 2 * 3600 + 1
    for host in ("p1", "p2", "p3", "p4"):
        assert _gdoi(lab, host).registered and _gdoi(lab, host).registrations >= 2, (host, _gdoi(lab, host).reason)
    assert lab.ping("p3", "198.51.100.3", ip_mtu, True).reason == "ok"
    step("undo_restore")
    step("undo_remove")
    _apply(lab.devices["ks1"], render("ios/getvpn_ks_remove.j2", {}, _router(ks), {"p2p": psk}))
    after = {h: lab.running_config(h) for h in before}
    for host in ("p1", "p3", "p4", "ks1"):     # byte-identical but the volatile "! Last configuration change" line
        assert _stable(after[host]) == _stable(before[host]), host
    # Junos keeps the emptied gr-0/0/0 (its last unit deleted), as for gre_ipsec's undo_remove: nothing else differs
    extra = [ln for ln in _stable(after["p2"]) if ln not in _stable(before["p2"])]
    assert extra == ["    gr-0/0/0;"] and len(_stable(after["p2"])) == len(_stable(before["p2"])) + 1
