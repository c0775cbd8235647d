# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""GET VPN checks (plugins/plugin_utils/verify_getvpn.py through verify.py): the TextFSM templates against the real
captures (and genieparser's expected values), then the checks against the emulated lab's routers configured from the
vendor guides (lab/tests/gdoi_configs.py): pass when registered, fail for each failure mode."""

from __future__ import annotations

import json
import secrets
import sys
from pathlib import Path

import pytest
from mplssec_reference import REFERENCE, REFERENCE_TEST

from ansible_collections.mplssec.p2p.plugins.plugin_utils import verify, verify_getvpn

ROOT = Path(__file__).resolve().parents[3]
CAPTURES = REFERENCE / "device-output" / "ios"


@REFERENCE_TEST
def test_gdoi_template_reads_the_captures():
    rows = verify_getvpn.gdoi_groups((CAPTURES / "show_crypto_gdoi" / "01.txt").read_text())
    exp = json.loads((CAPTURES / "show_crypto_gdoi" / "01.expected.json").read_text())["group_name"]["getvpn1"]
    info = exp["group_information"]
    spis = info["tek_policy"]["interfaces"]["GigabitEthernet0/0/1"]["ipsec_sa"]["spi"]
    assert [r["spi"] + "(%d)" % int(r["spi"], 16) for r in rows] == list(spis)
    assert {(r["group_name"], r["group_identity"], r["registration"], r["registered_with"], r["tek_interface"])
            for r in rows} == {("getvpn1", info["group_identity"], "Registered", "1.1.1.1", "GigabitEthernet0/0/1")}
    assert rows[0]["acl"] == [" ".join(x.split()[1:]) for x in
                              info["group_member_information"]["acl_download_from_ks"]["1.1.1.1"]["acl_list"]]
    assert [int(r["remaining"]) for r in rows] == [v["sa_remaining_key_lifetime"] for v in spis.values()]
    rows2 = verify_getvpn.gdoi_groups((CAPTURES / "show_crypto_gdoi" / "02.txt").read_text())   # indentation stripped
    assert [r["spi"] for r in rows2] == ["0xBB7AA559", "0x1190A473"] and rows2[0]["group_identity"] == "1000"
    members = verify_getvpn.ks_members((CAPTURES / "show_crypto_gdoi_ks_members" / "01.txt").read_text())
    kexp = json.loads((CAPTURES / "show_crypto_gdoi_ks_members" / "01.expected.json").read_text())["groups"]
    assert {(r["group_name"], r["member"], r["key_server"], r["state"]) for r in members} == {
        (g, m, v["key_server_id"], v["gm_state"]) for g, x in kexp.items() for m, v in x["group_members"].items()}


# -- against the lab ----------------------------------------------------------------------------------------------
sys.path.insert(0, str(ROOT / "lab" / "tests"))
gdoi_configs = pytest.importorskip("gdoi_configs")
from ios_helpers import push, run_cli  # noqa: E402

from mplssec_lab.junos import show as JS  # noqa: E402


def _link(me, peer, phys, platform_peer="ios", identity=1001, kss=("100.64.0.1",), group="GETVPN-P2P"):
    return {"name": "core", "mode": "getvpn", "physical": {"interface": phys, "address": me},
            "peer": {"address": peer, "platform": platform_peer},
            "getvpn": {"group": "p2p", "objects": group, "identity": identity, "key_servers": list(kss)}}


def _run(lab, host, link):
    dev = lab.devices[host]
    plan = {"host": host, "platform": dev.platform, "links": [link]}
    cmds = verify.show_commands("gdoi_registered", plan, link)
    if dev.platform == "ios":
        outs = [run_cli(dev, [c]).split(c, 1)[1].rsplit("\n", 1)[0] for c in cmds]
    else:
        outs = [JS.run(dev, c)[0] for c in cmds]
    return verify.run_check("gdoi_registered", outs, plan, link), outs


@pytest.fixture
def key():
    return secrets.token_hex(12)


P3 = _link("192.0.2.2", "192.0.2.3", "GigabitEthernet2")
P4 = _link("192.0.2.3", "192.0.2.2", "GigabitEthernet2")


def test_registered_members_pass_and_share_the_key_servers_tek(key):
    lab, _configs = gdoi_configs.make_lab()
    gdoi_configs.ios_pair(lab, key)
    r3, o3 = _run(lab, "p3", P3)
    r4, o4 = _run(lab, "p4", P4)
    assert r3["status"] == r4["status"] == "pass", (r3, r4)
    assert "policy covers the GRE both ways" in r3["detail"]
    ks_out = [run_cli(lab.devices["ks1"], [c]) for c in verify_getvpn.ks_show_commands()]
    server = {"objects": "GETVPN-P2P"}
    ks = verify_getvpn.run_ks_check(ks_out, server, ["192.0.2.2", "192.0.2.3"], "ks1")
    assert ks["status"] == "pass", ks
    ks_spis = verify_getvpn.ks_policy_spis(ks_out[1], "GETVPN-P2P")
    match = verify_getvpn.valid_tek_match("p2p", {"p3": verify_getvpn.tek_spis("ios", o3, P3),
                                                  "p4": verify_getvpn.tek_spis("ios", o4, P4)}, ks_spis)
    assert match["status"] == "pass", match


def test_junos_member_passes(key):
    lab, _configs = gdoi_configs.make_lab(pairs=1)
    gdoi_configs.mixed_pair(lab, key)
    link = _link("192.0.2.1", "192.0.2.0", "ge-0/0/0.0", group="GV-VPN")
    r, outs = _run(lab, "p2", link)
    assert r["status"] == "pass", r
    assert verify_getvpn.tek_spis("junos", outs, link) == verify_getvpn.tek_spis(
        "ios", _run(lab, "p1", _link("192.0.2.0", "192.0.2.1", "GigabitEthernet2"))[1], link | {"getvpn": dict(
            link["getvpn"], objects="GETVPN-P2P")})
    wrong = _link("192.0.2.1", "192.0.2.0", "ge-0/0/0.0", identity=77, group="GV-VPN")
    assert _run(lab, "p2", wrong)[0]["status"] == "fail"


def test_each_failure_mode_fails_the_check(key):
    lab, clock = gdoi_configs.make_lab()
    gdoi_configs.ios_pair(lab, key, p4={"identity": 1002})
    r4 = _run(lab, "p4", P4)[0]
    assert r4["status"] == "fail" and "not registered" in r4["detail"]
    ks_out = [run_cli(lab.devices["ks1"], [c]) for c in verify_getvpn.ks_show_commands()]
    ks = verify_getvpn.run_ks_check(ks_out, {"objects": "GETVPN-P2P"}, ["192.0.2.2", "192.0.2.3"], "ks1")
    assert ks["status"] == "fail" and "192.0.2.3" in ks["detail"]
    # registered, but the policy does not cover the GRE
    push(lab.devices["ks1"], ["ip access-list extended GETVPN-POLICY", " no permit gre host 192.0.2.3 host 192.0.2.2"])
    r3 = _run(lab, "p3", P3)[0]
    assert r3["status"] == "fail" and "permit gre host 192.0.2.3 host 192.0.2.2" in r3["detail"]
    # registered with a key server that is not the planned one
    r3 = _run(lab, "p3", _link("192.0.2.2", "192.0.2.3", "GigabitEthernet2", kss=("100.64.0.2",)))[0]
    assert r3["status"] == "fail" and "planned key servers" in r3["detail"]


def _states(lab, links):
    return {h: verify_getvpn.rekey_state("ios", _run(lab, h, link)[1], link) for h, link in links.items()}


def _missed(lab):
    """{member host: Rekey Acks missed} as ks1 shows them (show crypto gdoi ks members, by registration address)."""
    rows = {r["member"]: r for r in verify_getvpn.ks_members(run_cli(lab.devices["ks1"], ["show crypto gdoi ks members"]))}
    out = {}
    for h in ("p3", "p4"):
        local = next(g.local for g in lab.state(h).gdoi if g.role == "member")
        out[h] = int(rows[local]["acks_missed"]) if local in rows else None
    return out


@REFERENCE_TEST
def test_rekey_state_reads_the_captures():
    link = {"getvpn": {"objects": "getvpn1"}}
    st = verify_getvpn.rekey_state("ios", [(CAPTURES / "show_crypto_gdoi" / "01.txt").read_text()], link)
    assert st == {"teks": {"0x5A69F51E": 510, "0xF553AC4C": 35}, "registrations": 1, "rekeys": 25, "last_rekey_age": 90}
    # a real member right after a rekey: 25 rekeys since its one registration, the newest TEK has 510 s left
    assert verify_getvpn.valid_rekey_health("getvpn1", "unicast", 600, {"gm": st}, {"gm": 0})["status"] == "pass"
    assert verify_getvpn.rekey_wait_seconds("unicast", {"gm": st}) == 510 - 90 + 15


def test_rekeys_happen_one_sample_and_across_the_next_rekey(key):
    lab, clock = gdoi_configs.make_lab()
    gdoi_configs.ios_pair(lab, key)          # TEK lifetime 1800 s, unicast rekeys
    links = {"p3": P3, "p4": P4}
    before = _states(lab, links)
    health = verify_getvpn.valid_rekey_health("p2p", "unicast", 1800, before, _missed(lab))
    assert health["status"] == "pass" and "0 rekey(s) since its registration" in health["detail"]
    wait = verify_getvpn.rekey_wait_seconds("unicast", before)
    assert 1800 - 90 <= wait <= 1800 - 90 + 15
    same = verify_getvpn.valid_rekeyed("p2p", "unicast", before, before, set(), 0)
    assert same["status"] == "fail" and "no new TEK" in same["detail"]
    clock.t += wait
    after = _states(lab, links)
    ks = verify_getvpn.ks_policy_spis(run_cli(lab.devices["ks1"], ["show crypto gdoi ks policy"]), "GETVPN-P2P")
    done = verify_getvpn.valid_rekeyed("p2p", "unicast", before, after, ks, wait)
    assert done["status"] == "pass" and done["detail"].count("by rekey") == 2, done
    assert verify_getvpn.valid_rekey_health("p2p", "unicast", 1800, after, _missed(lab))["status"] == "pass"
    # a member whose newest TEK is about to expire with no successor fails at once
    late = {"p3": dict(after["p3"], teks={"0x00000001": 20})}
    assert "expires in 20 s" in verify_getvpn.valid_rekey_health("p2p", "unicast", 1800, late, {})["detail"]


def test_rekeys_that_do_not_come_fail(key):
    # the group on the key server sends no rekey while the plan expects unicast rekeys: the members re-register
    lab, clock = gdoi_configs.make_lab()
    gdoi_configs.ios_pair(lab, key, ks_kw={"rekey": None})
    before = _states(lab, {"p3": P3, "p4": P4})
    clock.t += verify_getvpn.rekey_wait_seconds("unicast", before) + 30
    after = _states(lab, {"p3": P3, "p4": P4})
    r = verify_getvpn.valid_rekeyed("p2p", "unicast", before, after, set(), 0)
    assert r["status"] == "fail" and "by re-registration (registrations 1 -> 2), not by rekey" in r["detail"], r
    assert verify_getvpn.valid_rekeyed("p2p", "none", before, after, set(), 0)["status"] == "pass"


def test_rekeys_a_member_cannot_verify_fail(key):
    """A cooperative pair holding different key pairs (lab scenario ks-rsa-mismatch): p4, registered with ks2, drops
    the primary's rekeys unacknowledged; the key servers count them missed."""
    from gdoi_configs import Clock, gre_acl, ios_gm_lines, ks_lines

    from mplssec_lab import topology
    from mplssec_lab.lab import Lab

    clock = Clock()
    lab = Lab(topology.build(2, mode="getvpn", key_servers=2, scenarios=["ks-rsa-mismatch"]), clock=clock)
    for k, (prio, peer) in ((1, (100, "100.64.0.2")), (2, (90, "100.64.0.1"))):
        push(lab.devices[f"ks{k}"], ks_lines(key, gre_acl("192.0.2.2", "192.0.2.3"), address=f"100.64.0.{k}",
                                             redundancy=(prio, peer), rsa="MPLSSEC-GV-P2P", generate=False))
    push(lab.devices["p3"], ios_gm_lines(key, "198.51.100.2", "192.0.2.3", servers=("100.64.0.1", "100.64.0.2")))
    push(lab.devices["p4"], ios_gm_lines(key, "198.51.100.3", "192.0.2.2", servers=("100.64.0.2", "100.64.0.1")))
    kss = ("100.64.0.1", "100.64.0.2")
    links = {"p3": _link("192.0.2.2", "192.0.2.3", "GigabitEthernet2", kss=kss),
             "p4": _link("192.0.2.3", "192.0.2.2", "GigabitEthernet2", kss=kss)}
    before = _states(lab, links)
    assert verify_getvpn.valid_rekey_health("p2p", "unicast", 1800, before, _missed(lab))["status"] == "pass"
    clock.t += verify_getvpn.rekey_wait_seconds("unicast", before)
    health = verify_getvpn.valid_rekey_health("p2p", "unicast", 1800, _states(lab, links), _missed(lab))
    assert health["status"] == "fail" and "p4: the key server counts 1 rekey(s) it did not acknowledge" in health["detail"]


def test_split_key_servers_fail_the_tek_match(key):
    lab, _configs = gdoi_configs.make_lab(key_servers=2)
    for k in (1, 2):
        push(lab.devices[f"ks{k}"], gdoi_configs.ks_lines(key, gdoi_configs.gre_acl("192.0.2.2", "192.0.2.3"),
                                                          address=f"100.64.0.{k}"))
    push(lab.devices["p3"], gdoi_configs.ios_gm_lines(key, "198.51.100.2", "192.0.2.3", servers=("100.64.0.1",)))
    push(lab.devices["p4"], gdoi_configs.ios_gm_lines(key, "198.51.100.3", "192.0.2.2", servers=("100.64.0.2",)))
    kss = ("100.64.0.1", "100.64.0.2")
    l3 = _link("192.0.2.2", "192.0.2.3", "GigabitEthernet2", kss=kss)
    l4 = _link("192.0.2.3", "192.0.2.2", "GigabitEthernet2", kss=kss)
    (r3, o3), (r4, o4) = _run(lab, "p3", l3), _run(lab, "p4", l4)
    assert r3["status"] == r4["status"] == "pass"       # each is registered...
    ks1 = verify_getvpn.ks_policy_spis(run_cli(lab.devices["ks1"], ["show crypto gdoi ks policy"]), "GETVPN-P2P")
    match = verify_getvpn.valid_tek_match("p2p", {"p3": verify_getvpn.tek_spis("ios", o3, l3),
                                                  "p4": verify_getvpn.tek_spis("ios", o4, l4)}, ks1)
    assert match["status"] == "fail" and "p4" in match["detail"]     # ...but not with the same key


# a real key server's "show crypto gdoi ks policy" (IOS, a public lab transcript; docs/verify.md): the KEK block
KS_POLICY_REAL = """Key Server Policy:
For group GDOI_GROUP (handle: 2147483650) server 192.168.1.254 (handle: 2147483650):

  # of teks : 3  Seq num : 1
  KEK POLICY (transport type : Unicast)
    spi : 0xCC24F40DCEA032105661C392ACB9A5E5
    management alg     : disabled    encrypt alg       : AES
    crypto iv length   : 16          key size          : 32
    orig life(sec): 360         remaining life(sec): 305
    time to rekey (sec): 80
    sig hash algorithm : enabled     sig key length    : 162
    sig size           : 129
    sig key name       : RSA_KEYS
    acknowledgement    : Cisco

  TEK POLICY (encaps : ENCAPS_TUNNEL)
    spi                : 0x9CAE4C22
    access-list        : ICMP
"""


def test_ks_policy_kek_and_its_signing_key(key):
    kek = verify_getvpn.ks_policy_kek(KS_POLICY_REAL, "GDOI_GROUP")
    assert kek == {"spi": "0xCC24F40DCEA032105661C392ACB9A5E5", "sig_key": "RSA_KEYS"}
    assert verify_getvpn.ks_policy_spis(KS_POLICY_REAL, "GDOI_GROUP") == {"0x9CAE4C22"}     # the KEK is not a TEK
    lab, _clock = gdoi_configs.make_lab()
    gdoi_configs.ios_pair(lab, key, ks_kw={"rsa": "MPLSSEC-GV-P2P"})
    outs = [run_cli(lab.devices["ks1"], [c]) for c in verify_getvpn.ks_show_commands()]
    planned = {"objects": "GETVPN-P2P", "rekey": "unicast"}
    r = verify_getvpn.run_ks_check(outs, planned, [], "ks1")
    # the group's objects are GETVPN-P2P but it signs with MPLSSEC-GV-P2P: not the planned key pair
    assert r["status"] == "fail" and "signed with MPLSSEC-GV-P2P" in r["detail"], r
    assert verify_getvpn.run_ks_check(outs, dict(planned, rekey="none"), [], "ks1")["status"] == "pass"
