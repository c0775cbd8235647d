# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Key rotation (playbooks/rotate_p2p.yml, issue 9 section 3) against the lab, with a steady labelled stream across
each link (``mplssec-lab stream``): core1 IOS-Junos, core2 IOS-IOS, both encrypted first.

* new PSKs in the vault; check mode shows the key lines masked and changes nothing; rotate: both routers of both
  links hold the new key, the SAs were never taken down (same SPIs) and the streams lost **zero** packets; no PSK,
  old or new, in the output; a re-run changes nothing;
* a failure (a Junos commit fails on p2 during the rotate step) puts the old key back on both routers of core1,
  byte-identical, still without loss;
* ``p2p_rotate_reauth=true`` (core2, another new key): the SAs are negotiated again with the new key (new SPIs, the
  gate passed on them); the lab's stream shows the one re-negotiation window and core1 is not touched.
"""

from __future__ import annotations

import json
import re

from ansible.parsing.vault import VaultLib, VaultSecret
from test_deploy_lab import Lab, _explain, changed, finished

RUN = ("-f", "8", "-e", "p2p_verify_after_deploy=false")


def set_psks(lab: Lab, psks: dict[str, str]) -> None:
    """Replace the vaulted PSK of each link (the lab's vault.yml: vault_p2p_psk_<link>: !vault |)."""
    vault = VaultLib([("default", VaultSecret(lab.vault_pass.read_bytes().strip()))])
    path = lab.inventory.parent / "group_vars" / "all" / "vault.yml"
    text = path.read_text()
    for link, psk in psks.items():
        blob = vault.encrypt(psk.encode()).decode()
        body = "".join("  " + line + "\n" for line in blob.splitlines())
        text, n = re.subn(r"(?m)^vault_p2p_psk_%s: !vault \|\n(?:[ \t]+\S.*\n?)+" % link,
                          lambda _m, link=link, body=body: "vault_p2p_psk_%s: !vault |\n%s" % (link, body), text)
        assert n == 1, "no vaulted PSK for %s in %s" % (link, path)
    path.write_text(text)


def spis(lab: Lab, host: str) -> list:
    return sorted(s["spi_in"] for s in json.loads(lab.lab("state", host))["ipsec_sas"] if s["established"])


def stream(lab: Lab, action: str, link: str) -> dict:
    return json.loads(lab.lab("stream", action, link))


def test_rotate_without_loss_rollback_to_old_key_and_reauth(tmp_path):
    lab = Lab(tmp_path, pairs=2)
    try:
        first = lab.playbook("encrypt_p2p.yml", *RUN)
        assert first.returncode == 0, _explain(first)
        old_psks = lab.psks()
        before = {h: spis(lab, h) for h in ("p1", "p3")}
        for link in ("core1", "core2"):
            assert stream(lab, "start", link)["lost"] == 0

        new = {"core1": "rotated-core1-0123456789abcdef", "core2": "rotated-core2-0123456789abcdef"}
        set_psks(lab, new)
        encrypted = lab.configs()
        dry = lab.playbook("rotate_p2p.yml", "--check", "--diff", *RUN)
        assert dry.returncode == 0, _explain(dry)
        assert lab.configs() == encrypted, "check mode touches no router"
        assert "pre-shared-key <masked>" in dry.stdout and changed(dry.stdout) > 0, _explain(dry)
        for psk in old_psks + list(new.values()):
            assert psk not in dry.stdout + dry.stderr
        rot = lab.playbook("rotate_p2p.yml", *RUN)
        assert rot.returncode == 0, _explain(rot)
        assert finished(rot.stdout) == ["core1", "core2"]
        assert changed(rot.stdout) > 0
        for psk in old_psks + list(new.values()):
            assert psk not in rot.stdout + rot.stderr
        assert "  pre-shared-key " + new["core1"] in lab.config("p1")
        assert "  pre-shared-key " + new["core2"] in lab.config("p3") and "  pre-shared-key " + new["core2"] in lab.config("p4")
        assert new["core1"] not in lab.config("p2")          # Junos stores it encrypted ($9$) ...
        assert {h: spis(lab, h) for h in ("p1", "p3")} == before, "the SAs were never taken down"
        for link in ("core1", "core2"):
            report = stream(lab, "show", link)
            assert report["lost"] == 0 and report["down"] == [], report

        again = lab.playbook("rotate_p2p.yml", *RUN)
        assert again.returncode == 0 and changed(again.stdout) == 0, _explain(again)

        # a failed rotation: the old key back on both routers, exactly
        rotated = lab.configs()
        set_psks(lab, {"core1": "never-lands-0123456789abcdef"})
        lab.lab("fault", "commit-fail", "p2")
        bad = lab.playbook("rotate_p2p.yml", "-e", '{"p2p_deploy_links": ["core1"]}', *RUN)
        assert bad.returncode != 0, _explain(bad)
        assert "link core1 FAILED at" in bad.stdout and "ROLLBACK INCOMPLETE" not in bad.stdout, _explain(bad)
        lab.lab("fault", "clear")
        assert lab.configs() == rotated, "both routers of core1 back to their exact prior configuration (the old key)"
        assert stream(lab, "show", "core1")["lost"] == 0

        # re-authentication on request: core2 negotiated again with its new key
        set_psks(lab, {"core2": "reauth-core2-0123456789abcdef"})
        re_auth = lab.playbook("rotate_p2p.yml", "-e", '{"p2p_deploy_links": ["core2"], "p2p_rotate_reauth": true}', *RUN)
        assert re_auth.returncode == 0, _explain(re_auth)
        assert re.search(r"step\s+3/3\s+reauth", re_auth.stdout), _explain(re_auth)
        assert spis(lab, "p3") != before["p3"], "core2's SAs were negotiated again"
        assert spis(lab, "p1") == before["p1"], "core1 untouched"
        core2 = stream(lab, "stop", "core2")
        assert len(core2["down"]) == 1 and core2["down"][0]["seconds"] >= 1.0, core2
        assert stream(lab, "stop", "core1")["lost"] == 0
    finally:
        lab.down()
