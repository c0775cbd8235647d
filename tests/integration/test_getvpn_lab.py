# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""mode getvpn end to end against the emulated lab (``mplssec-lab up --mode getvpn --pairs 2``: core1 IOS-XE - Junos,
core2 IOS-XE - IOS-XE, one group served by the IOS-XE key server ks1).

encrypt_p2p.yml configures the group on the key server first, then the members link by link (registration, the crypto
map on the carrier, GRE beside the clear link, IGP/LDP moved, cut-over); verify proves each member registered, the key
server's view of its members, one TEK across the key server and both members, and labelled forwarding through the
GET VPN-protected GRE; a second run changes nothing; rollback_p2p.yml decommissions both
links and then the key server (no link of its group is left), every router byte-identical to its configuration before;
a carrier 8 bytes short of the plan on core2 fails core2's gate: core2's two routers are rolled back byte-identically,
core1 (same group, same batch) is encrypted and verified, and the key server keeps the group.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml
from test_deploy_lab import ROOT, Lab

RUN = ("-e", "p2p_verify_retries=10", "-e", "p2p_verify_delay=2")


@pytest.fixture
def lab(tmp_path):
    item = Lab(tmp_path, pairs=2, up=("--mode", "getvpn"))
    try:
        yield item
    finally:
        item.down()


def report(lab, link):
    return json.loads((lab.base / "reports" / f"verify-{link}.json").read_text())


def test_getvpn_converge_idempotent_decommission_and_failure(lab):
    before = lab.configs()
    psks = lab.psks()  # the group's registration key, vaulted

    first = lab.playbook("encrypt_p2p.yml", *RUN)
    assert first.returncode == 0, first.stdout[-5000:]
    for link in ("core1", "core2"):
        checks = {(c["host"], c["name"]): c for c in report(lab, link)["checks"]}
        assert all(c["status"] == "pass" for c in checks.values()), checks
        assert {name for _host, name in checks} >= {"gdoi_registered", "lsp_ping", "mtu_ping", "no_carrier_ldp"}
        # across routers: the key server sees both members registered, and they hold its TEK (one group key)
        assert checks[("ks1", "gdoi_ks_members")]["status"] == "pass" and checks[("ks1", "gdoi_tek")]["status"] == "pass"
        assert "held by" in checks[("ks1", "gdoi_tek")]["detail"]
        assert not {"ike_sa", "ipsec_sa"} & {name for _host, name in checks}  # GET VPN has no IKEv2 SA of its own
    after = lab.configs()
    assert "crypto gdoi group MPLSSEC-GV-P2P" in after["ks1"] and "server local" in after["ks1"]
    assert "crypto map" in after["p1"] and "gdoi" in after["p1"] and "group-vpn" in after["p2"]

    again = lab.playbook("encrypt_p2p.yml", *RUN)
    assert again.returncode == 0, again.stdout[-4000:]
    assert "changed=0" in again.stdout.split("PLAY RECAP")[-1], again.stdout[-3000:]
    assert lab.configs() == after

    back = lab.playbook("rollback_p2p.yml", *RUN)
    assert back.returncode == 0, back.stdout[-5000:]
    assert lab.configs() == before  # members and key server: every router exactly as before the encryption

    lab.lab("fault", "carrier-mtu", "1458", "core2")
    try:
        failed = lab.playbook("encrypt_p2p.yml", *RUN)
    finally:
        lab.lab("fault", "clear")
    text = failed.stdout + failed.stderr
    assert failed.returncode != 0
    assert "link core2 FAILED at gate phase3" in text, text[-4000:]
    assert "rolled back: p3 and p4 returned to their exact prior configuration (verified)" in text
    assert "link core1 FAILED" not in text
    now = lab.configs()
    assert now["p3"] == before["p3"] and now["p4"] == before["p4"]
    assert now["p1"] != before["p1"] and "crypto gdoi group MPLSSEC-GV-P2P" in now["ks1"]
    assert all(c["status"] == "pass" for c in report(lab, "core1")["checks"])
    for psk in psks:
        for out in (first, again, back, failed):
            assert psk not in out.stdout + out.stderr


def _unicast_core2(lab) -> Path:
    """Extra vars: the IOS-XE link core2 alone, in the group with unicast rekeys and counter anti-replay."""
    gv = lab.inventory.parent / "group_vars" / "all"
    links = [x for x in yaml.safe_load((gv / "p2p_links.yml").read_text())["p2p_links"] if x["name"] == "core2"]
    groups = yaml.safe_load((gv / "p2p_getvpn_groups.yml").read_text())["p2p_getvpn_groups"]
    for group in groups:
        group.update(rekey="unicast", anti_replay="counter", anti_replay_window=64)
    extra = lab.base / "unicast.yml"
    extra.write_text(yaml.safe_dump({"p2p_links": links, "p2p_getvpn_groups": groups}))
    return extra


def test_getvpn_cooperative_key_servers_with_different_rekey_key_pairs_are_refused(tmp_path):
    """Two key servers holding different RSA key pairs under the group's key name (lab scenario ks-rsa-mismatch): the
    plan refuses before any change, naming the group, the key servers and the commands that make the keys one."""
    lab = Lab(tmp_path, pairs=2, up=("--mode", "getvpn", "--key-servers", "2", "--scenario", "ks-rsa-mismatch"))
    try:
        before = lab.configs()
        run = lab.playbook("encrypt_p2p.yml", *RUN, "-e", "@%s" % _unicast_core2(lab))
        text = run.stdout + run.stderr
        assert run.returncode != 0
        assert ("getvpn group p2p: key_servers: the cooperative key servers ks1, ks2 must hold the same RSA key pair "
                "MPLSSEC-GV-P2P") in " ".join(text.split()), text[-4000:]
        assert lab.configs() == before
    finally:
        lab.down()


def test_getvpn_unicast_rekeys_generate_the_key_servers_key_pair_and_decommission_removes_it(lab):
    """IOS-XE members only (core2) with unicast rekeys: a single key server without the RSA key pair that signs them
    makes no keys (docs/lab.md "RSA key pairs"), so encrypt_p2p.yml generates it before the group; a re-run changes
    nothing; rollback_p2p.yml removes the group, then the key pair."""
    extra = _unicast_core2(lab)
    before = lab.configs()

    def keys() -> str:
        out = subprocess.run([str(ROOT / ".venv" / "bin" / "ansible"), "-i", str(lab.inventory), "ks1", "-m",
                              "cisco.ios.ios_command", "-a", "commands='show crypto key mypubkey rsa'",
                              "--vault-password-file", str(lab.vault_pass)],
                             env=dict(lab.env, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
                                      ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".cache" / "collections"),
                                      ANSIBLE_LOCAL_TEMP=str(lab.base / "ansible-tmp")),
                             capture_output=True, text=True, timeout=120, check=False)
        assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
        return out.stdout

    assert "MPLSSEC-GV-P2P" not in keys()
    first = lab.playbook("encrypt_p2p.yml", *RUN, "-e", "@%s" % extra)
    assert first.returncode == 0, first.stdout[-5000:]
    assert "Key name: MPLSSEC-GV-P2P" in keys()
    checks = {(c["host"], c["name"]): c for c in report(lab, "core2")["checks"]}
    assert all(c["status"] == "pass" for c in checks.values()), checks
    assert "rekey authentication mypubkey rsa MPLSSEC-GV-P2P" in lab.config("ks1")
    assert checks[("ks1", "gdoi_rekey")]["status"] == "pass"
    again = lab.playbook("encrypt_p2p.yml", *RUN, "-e", "@%s" % extra)
    assert again.returncode == 0 and "changed=0" in again.stdout.split("PLAY RECAP")[-1], again.stdout[-3000:]

    # rekeys happen: the lab's clock moved to ~2 minutes before the next rekey, verify waits for it and proves both
    # members received the key server's new TEK by rekey (p2p_verify_rekey_wait)
    member = next(g for g in json.loads(lab.lab("state", "p3"))["gdoi"] if g["role"] == "member")
    lab.lab("clock", "advance", str(member["tek_remaining"] - 90 - 30))
    waited = lab.playbook("verify_p2p.yml", *RUN, "-e", "@%s" % extra, "-e", "p2p_verify_rekey_wait=300")
    assert waited.returncode == 0, waited.stdout[-4000:]
    rekey = {(c["host"], c["name"]): c for c in report(lab, "core2")["checks"]}[("ks1", "gdoi_rekey")]
    assert rekey["status"] == "pass" and rekey["detail"].count("by rekey") == 2, rekey
    assert "GET VPN: waiting" in waited.stdout

    back = lab.playbook("rollback_p2p.yml", *RUN, "-e", "@%s" % extra)
    assert back.returncode == 0, back.stdout[-5000:]
    assert lab.configs() == before and "MPLSSEC-GV-P2P" not in keys()
