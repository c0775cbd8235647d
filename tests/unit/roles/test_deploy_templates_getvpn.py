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
from ios_helpers import push, run_cli  # noqa: E402

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


# -- the RSA key pair of unicast rekeys (preflight rsa_key; templates getvpn_ks_keys / getvpn_ks_keys_remove) -------
KS_FACTS = {"platform": "ios", "model": "C8000V", "version": "17.9.4a", "interfaces": {}, "ospf": {}, "isis": [],
            "objects": {}, "files": [], "acls": {}, "hardware": []}
HOSTVARS2 = dict(HOSTVARS, ks2={"ansible_network_os": "cisco.ios.ios", "p2p_router_id": "100.64.0.2"})


def unicast_plan(psk, monkeypatch, keys, key_servers=("ks1",)):
    """The IOS-IOS link core2 in a group with unicast rekeys; ``keys``: {key server: its gathered rsa_keys}."""
    for platform in ("ios", "junos"):
        monkeypatch.setitem(capabilities.PLATFORMS[platform]["modes"], "getvpn", {"supported": True})
    groups = [{"name": "p2p", "identity": 1001, "key_servers": list(key_servers), "psk": psk, "rekey": "unicast"}]
    facts = {ks: dict(KS_FACTS, rsa_keys=keys.get(ks, {})) for ks in key_servers}
    return plan.build_plan(_links()[1:], HOSTVARS2, None, groups, facts)["hosts"]


def test_golden_unicast_key_pair(monkeypatch):
    absent = unicast_plan(FIXTURE_PSK, monkeypatch, {})
    present = unicast_plan(FIXTURE_PSK, monkeypatch, {"ks1": {"MPLSSEC-GV-P2P": {"data": "3082", "exportable": False}}})
    renders = {"unicast/ks1-ios-getvpn_ks.cfg": render("ios/getvpn_ks.j2", {}, _router(absent["ks1"]), {"p2p": FIXTURE_PSK}),
               "unicast/ks1-ios-getvpn_ks_keys.cfg": render("ios/getvpn_ks_keys.j2", {}, _router(absent["ks1"]), {}),
               "unicast/ks1-ios-getvpn_ks_keys_remove.cfg": render("ios/getvpn_ks_keys_remove.j2", {},
                                                                   _router(present["ks1"]), {})}
    for rel, text in renders.items():
        path = GOLDEN / rel
        if UPDATE:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        assert text == path.read_text(), f"{rel} differs from the golden render; review, then UPDATE_GOLDEN=1"
    assert "rekey authentication mypubkey rsa MPLSSEC-GV-P2P" in renders["unicast/ks1-ios-getvpn_ks.cfg"]
    # a key pair already there is not generated again; one not there is not removed
    assert render("ios/getvpn_ks_keys.j2", {}, _router(present["ks1"]), {}).strip() == ""
    assert render("ios/getvpn_ks_keys_remove.j2", {}, _router(absent["ks1"]), {}).strip() == ""


def test_cooperative_key_servers_must_hold_one_key_pair(monkeypatch):
    same = {"MPLSSEC-GV-P2P": {"data": "30820122AA", "exportable": True}}
    hosts = unicast_plan(FIXTURE_PSK, monkeypatch, {"ks1": same, "ks2": same}, ("ks1", "ks2"))
    assert [s["rsa_key"] for s in hosts["ks2"]["getvpn_servers"]] == [
        {"label": "MPLSSEC-GV-P2P", "generate": False, "remove": False}]      # the operator's key: never made here
    for ks2 in ({}, {"MPLSSEC-GV-P2P": {"data": "30820122BB", "exportable": True}}):
        with pytest.raises(plan.PlanValidationError) as err:
            unicast_plan(FIXTURE_PSK, monkeypatch, {"ks1": same, "ks2": ks2}, ("ks1", "ks2"))
        msg = str(err.value)
        assert "getvpn group p2p: key_servers: the cooperative key servers ks1, ks2 must hold the same RSA key pair " \
               "MPLSSEC-GV-P2P" in msg and "crypto key import rsa MPLSSEC-GV-P2P" in msg, msg
        assert ("ks2 has none" in msg) is (not ks2)
    # no rekeys, no key pair needed
    monkeypatch.setitem(capabilities.PLATFORMS["ios"]["modes"], "getvpn", {"supported": True})
    groups = [{"name": "p2p", "identity": 1001, "key_servers": ["ks1", "ks2"], "psk": FIXTURE_PSK, "rekey": "none"}]
    facts = {ks: dict(KS_FACTS, rsa_keys={}) for ks in ("ks1", "ks2")}
    assert plan.build_plan(_links()[1:], HOSTVARS2, None, groups, facts)["hosts"]["ks1"]["getvpn_servers"]


def test_the_generated_key_pair_lets_the_members_register_and_is_removed_at_decommission(monkeypatch):
    psk = secrets.token_hex(12)
    lab = Lab(lab_topology.build(2, mode="getvpn"), clock=Clock())
    before = lab.running_config("ks1")
    ks = _router(unicast_plan(psk, monkeypatch, {})["ks1"])
    _apply(lab.devices["ks1"], render("ios/getvpn_ks.j2", {}, ks, {"p2p": psk}))
    hosts = unicast_plan(psk, monkeypatch, {})
    for host in ("p3", "p4"):
        _apply(lab.devices[host], render("ios/phase1.j2", hosts[host]["links"][0], _router(hosts[host]), psk))
    # the group alone, without its key pair: a real key server makes no keys (docs/lab.md "RSA key pairs")
    assert not _gdoi(lab, "p3").registered and "RSA Keys not created" in _gdoi(lab, "p3").reason
    out = push(lab.devices["ks1"], render("ios/getvpn_ks_keys.j2", {}, ks, {}).splitlines())
    assert "[OK]" in out and "Invalid" not in out, out
    assert _gdoi(lab, "p3").registered and _gdoi(lab, "p4").registered
    assert list(lab.devices["ks1"].rsa_keys) == ["MPLSSEC-GV-P2P"]
    # decommission: the gathered facts now show the key pair; the group goes, then the key pair
    gathered = {"MPLSSEC-GV-P2P": {"data": lab.devices["ks1"].rsa_keys["MPLSSEC-GV-P2P"]["data"], "exportable": False}}
    ks = _router(unicast_plan(psk, monkeypatch, {"ks1": gathered})["ks1"])
    assert render("ios/getvpn_ks_keys.j2", {}, ks, {}).strip() == ""        # a re-run generates nothing
    _apply(lab.devices["ks1"], render("ios/getvpn_ks_remove.j2", {}, ks, {"p2p": psk}))
    out = push(lab.devices["ks1"], render("ios/getvpn_ks_keys_remove.j2", {}, ks, {}).splitlines() + ["yes"])
    assert "Do you really want to remove these keys? [yes/no]:" in out
    assert lab.devices["ks1"].rsa_keys == {} and _stable(lab.running_config("ks1")) == _stable(before)


class _LabPool:
    """The engine's session pool over the in-process lab: each command through the router's CLI."""

    def __init__(self, lab):
        self.lab = lab

    def session(self, host):
        lab = self.lab

        class Session:
            @staticmethod
            def run(commands):
                return [run_cli(lab.devices[host], [c]) for c in commands]
        return Session()


def test_engine_proves_the_next_rekey_or_says_the_wait_is_too_short(monkeypatch):
    from ansible_collections.mplssec.p2p.plugins.plugin_utils import engine

    psk = secrets.token_hex(12)
    clock = Clock()
    lab = Lab(lab_topology.build(2, mode="getvpn"), clock=clock)
    hosts = unicast_plan(psk, monkeypatch, {})
    ks = _router(hosts["ks1"])
    push(lab.devices["ks1"], render("ios/getvpn_ks_keys.j2", {}, ks, {}).splitlines())
    _apply(lab.devices["ks1"], render("ios/getvpn_ks.j2", {}, ks, {"p2p": psk}))
    for host in ("p3", "p4"):
        _apply(lab.devices[host], render("ios/phase1.j2", hosts[host]["links"][0], _router(hosts[host]), psk))
    monkeypatch.setattr(engine.time, "sleep", lambda seconds: setattr(clock, "t", clock.t + seconds))
    eng = engine.Engine(_LabPool(lab), lambda end, template: "")

    def rekey(**kw):
        return next(r for r in eng.getvpn_groups(hosts, ["core2"], **kw) if r["name"] == "gdoi_rekey")
    one = rekey()
    assert one["status"] == "pass" and "0 rekey(s) since its registration" in one["detail"], one
    short = rekey(rekey_wait=60)          # the next rekey is ~3500 s away
    assert short["status"] == "fail" and "raise p2p_verify_rekey_wait" in short["detail"], short
    t0 = clock.t
    proved = rekey(rekey_wait=4000)
    assert proved["status"] == "pass" and proved["detail"].count("by rekey") == 2, proved
    assert 3600 - 90 - 60 < clock.t - t0 <= 3600       # waited (in lab time) until just after the rekey
