# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""MACsec CAK rollover (playbooks/rotate_p2p.yml, mode macsec; docs/rotate.md "MACsec") against the lab: ``--pairs 2
--mode macsec --scenario macsec-hw`` (core1 IOS-Junos ASR1001-X/SRX380, core2 IOS-IOS ASR1001-X), both secured first.

* core2 (IOS-IOS): the new CKN/CAK in the vault, the CKN they replace in ``macsec.previous_ckn``; check mode shows the
  key chain lines with every key masked and changes nothing; rotate: a steady
  labelled stream across the link loses **zero** packets (the routers' clocks an hour ahead of the controller's), both
  routers end secured under the new CKN with only the new key in the chain, no key (old or new) in the output, and a re-run changes nothing;
* core1 (IOS-Junos): refused before any router is contacted (no documented hitless rollover on the SRX380);
* core2 again, the carrier lost while the gate waits for the new CKN: both routers back to their exact configuration
  before the rotation (the old key), byte-identical, and secured again under the old CKN once the carrier is back.
"""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import time

import yaml
from ansible.parsing.vault import VaultLib, VaultSecret
from test_deploy_lab import Lab, _explain, changed, finished


def _vault(lab: Lab) -> VaultLib:
    return VaultLib([("default", VaultSecret(lab.vault_pass.read_bytes().strip()))])


def vaulted(lab: Lab, name: str) -> str:
    text = (lab.inventory.parent / "group_vars" / "all" / "vault.yml").read_text()
    blob = re.search(r"(?m)^%s: !vault \|\n((?:[ \t]+\S.*\n?)+)" % name, text).group(1)
    return _vault(lab).decrypt("\n".join(x.strip() for x in blob.splitlines() if x.strip()).encode()).decode()


def set_vaulted(lab: Lab, values: dict[str, str]) -> None:
    """Replace (or add) vaulted variables of the lab's vault.yml."""
    path = lab.inventory.parent / "group_vars" / "all" / "vault.yml"
    text = path.read_text()
    for name, value in values.items():
        body = "".join("  " + line + "\n" for line in _vault(lab).encrypt(value.encode()).decode().splitlines())
        block = "%s: !vault |\n%s" % (name, body)
        text, n = re.subn(r"(?m)^%s: !vault \|\n(?:[ \t]+\S.*\n?)+" % name, lambda _m, b=block: b, text)
        if not n:
            text = text.rstrip("\n") + "\n" + block
    path.write_text(text)


def refer_previous(lab: Lab, link: str) -> None:
    """The link's macsec.previous_ckn refers to the vault variable vault_p2p_ckn_previous_<link>."""
    path = lab.inventory.parent / "group_vars" / "all" / "p2p_links.yml"
    doc = yaml.safe_load(path.read_text())
    for item in doc["p2p_links"]:
        if item["name"] == link:
            item["macsec"]["previous_ckn"] = "{{ vault_p2p_ckn_previous_%s }}" % link
    path.write_text(yaml.safe_dump(doc, sort_keys=False))


def new_pair(lab: Lab, link: str) -> tuple[str, str, str]:
    old = vaulted(lab, "vault_p2p_ckn_" + link)
    ckn, cak = secrets.token_hex(16), secrets.token_hex(32)
    set_vaulted(lab, {"vault_p2p_ckn_" + link: ckn, "vault_p2p_cak_" + link: cak, "vault_p2p_ckn_previous_" + link: old})
    refer_previous(lab, link)
    return old, ckn, cak


def mka(lab: Lab, host: str) -> list:
    return json.loads(lab.lab("state", host))["mka"]


def stream(lab: Lab, action: str, link: str) -> dict:
    return json.loads(lab.lab("stream", action, link))


CORE2 = ("-e", '{"p2p_deploy_links": ["core2"]}')


def test_ios_ios_rollover_without_loss_rerun_and_junos_end_refused(tmp_path):
    lab = Lab(tmp_path, pairs=2, scenarios=("macsec-hw",), mode="macsec")
    try:
        first = lab.playbook("encrypt_p2p.yml")
        assert first.returncode == 0 and finished(first.stdout) == ["core1", "core2"], _explain(first)
        old, ckn, cak = new_pair(lab, "core2")
        assert old.lower() in lab.config("p3").lower()
        # check mode: what each router would get, keys masked, nothing changed
        encrypted = lab.configs()
        dry = lab.playbook("rotate_p2p.yml", "--check", "--diff", *CORE2)
        assert dry.returncode == 0 and "lifetime local" in dry.stdout and "<masked>" in dry.stdout, _explain(dry)
        for secret in (old, ckn, cak):
            assert secret not in dry.stdout and secret.upper() not in dry.stdout
        assert lab.configs() == encrypted
        # the routers' clocks an hour ahead of the controller's (not NTP-synchronised with it): the rollover instant is
        # set in each router's own clock, so both still roll over together
        lab.lab("clock", "advance", "3600")
        assert stream(lab, "start", "core2")["lost"] == 0
        rot = lab.playbook("rotate_p2p.yml", *CORE2)
        seen = stream(lab, "stop", "core2")
        assert rot.returncode == 0 and finished(rot.stdout) == ["core2"], _explain(rot)
        assert seen["sent"] > 0 and seen["lost"] == 0, seen
        for host in ("p3", "p4"):
            run = lab.config(host).lower()
            assert f" key {ckn}" in run and f" key {old.lower()}" not in run, host
            state = [m for m in mka(lab, host) if m["interface"] == "GigabitEthernet2"][0]
            assert state["secured"] and state["ckn"] == ckn, state
        for secret in (old, ckn, cak):
            assert secret not in rot.stdout and secret.upper() not in rot.stdout
        steady = lab.configs()
        again = lab.playbook("rotate_p2p.yml", *CORE2)
        assert again.returncode == 0 and changed(again.stdout) == 0, _explain(again)
        assert lab.configs() == steady

        # the IOS-Junos link: refused with the reason, no router contacted
        new_pair(lab, "core1")
        refused = lab.playbook("rotate_p2p.yml", "-e", '{"p2p_deploy_links": ["core1"]}')
        assert refused.returncode != 0 and "link core1: mode macsec with a Junos end" in refused.stdout, _explain(refused)
        assert "SRX380" in refused.stdout and lab.configs() == steady
    finally:
        lab.down()


def test_rollover_failure_restores_both_routers_byte_identical(tmp_path):
    lab = Lab(tmp_path, pairs=2, scenarios=("macsec-hw",), mode="macsec")
    try:
        first = lab.playbook("encrypt_p2p.yml", *CORE2)
        assert first.returncode == 0, _explain(first)
        before = lab.configs()
        old, ckn, _cak = new_pair(lab, "core2")
        proc = subprocess.Popen(  # the rotation, while the test cuts the carrier once the new key is on p4
            lab.playbook_command("rotate_p2p.yml", *CORE2, "-e", "deploy_wait_retries=45"), env=lab.playbook_env(),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=str(lab.base))
        deadline = time.time() + 300
        while ckn not in lab.config("p4").lower() and time.time() < deadline and proc.poll() is None:
            time.sleep(0.5)
        assert ckn in lab.config("p4").lower(), "the rollover step never reached p4"
        lab.lab("fault", "link-down", "core2")
        out, _err = proc.communicate(timeout=900)
        assert proc.returncode != 0 and "link core2 FAILED at" in out, out[-3000:]
        assert "ROLLBACK INCOMPLETE" not in out and ckn not in out and old not in out
        lab.lab("fault", "clear")
        after = lab.configs()
        for host in ("p3", "p4"):
            assert after[host] == before[host], f"{host} must be back to its exact configuration before the rotation"
            state = [m for m in mka(lab, host) if m["interface"] == "GigabitEthernet2"][0]
            assert state["secured"] and state["ckn"] == old.lower(), state
    finally:
        lab.down()
