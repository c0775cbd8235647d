# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Mode macsec (issue 10) against the emulated lab: ``mplssec-lab up --mode macsec`` writes MACsec links (MKA CKN/CAK
generated per lab into the vault); ``--scenario macsec-hw`` makes the routers ASR1001-X / SRX380 (MACsec ports).

* IOS-Junos: converge (step 1 should-secure, gate MKA/SAs/IGP/LDP/MTU/LSP; step 2 must-secure), the keys appear
  nowhere in the output (--diff included), audit_p2p finds the link matching, a second run changes nothing, verify
  passes its MACsec checks, then
  rollback_p2p returns both routers to their exact configuration before the deploy;
* IOS-Junos first with an injected Junos commit failure: both routers back to their exact configuration;
* ``--pairs 3`` (IOS-Junos, IOS-IOS, Junos-Junos in one batch) with a carrier 4 bytes short of the plan on the IOS-IOS
  link (fails at the LSP ping of step 1) and a failing commit on the Junos-Junos link: both links are
  rolled back byte-identically on their four routers, the IOS-Junos link is encrypted and verified; once the faults are
  cleared all three converge, and a further run changes nothing;
* on the default virtual models (C8000V, vSRX) the plan refuses MACsec with the model and the alternative, and no
  router's configuration changes;
* a VLAN-tagged carrier (EVPL) between two IOS-XE routers: dot1q-in-clear keeps the tag in front of the SecTAG.
"""

from __future__ import annotations

import re

from test_deploy_lab import Lab, _explain, changed, finished


def _mka_secured(lab: Lab, host: str) -> bool:
    state = lab.lab("state", host)
    return '"secured": true' in state


def test_ios_junos_converge_idempotent_verify_then_rollback(tmp_path):
    lab = Lab(tmp_path, pairs=1, scenarios=("macsec-hw",), mode="macsec")
    try:
        before = lab.configs()
        # injected failure first: the Junos commit of step 1 fails; both routers back to their exact configuration
        lab.lab("fault", "commit-fail", "p2")
        broken = lab.playbook("encrypt_p2p.yml", "-e", "deploy_wait_retries=8")
        assert broken.returncode != 0 and "link core1 FAILED at push macsec_secure to p2" in broken.stdout, _explain(broken)
        assert "ROLLBACK INCOMPLETE" not in broken.stdout
        lab.lab("fault", "clear")
        assert lab.configs() == before, "both routers must be back to their exact prior configuration"

        first = lab.playbook("encrypt_p2p.yml", "--diff")
        assert first.returncode == 0, _explain(first)
        assert changed(first.stdout) > 0 and finished(first.stdout) == ["core1"]
        steps = re.findall(r"link core1 \(1/1\): step (\d)/(\d) (\w+), [\d.]+ s since its first step: ok", first.stdout)
        assert [s[2] for s in steps] == ["macsec_secure", "macsec_enforce"], steps
        # the verify summary: the MACsec checks of both routers, no IPsec check, all passed
        for host in ("p1", "p2"):
            for check in ("mka_session", "macsec_sa", "ldp_session", "igp_adjacency", "mtu_ping", "lsp_ping"):
                assert re.search(rf"core1\s+{host}\s+{check}\s+PASS", first.stdout), (host, check)
        assert "ike_sa" not in first.stdout.split("PLAY [Verify", 1)[-1]
        assert "All 12 checks passed" in first.stdout, _explain(first)
        assert "<masked>" in first.stdout, "the --diff output shows the key lines masked"
        for key in lab.psks():
            assert key not in first.stdout + first.stderr and key.upper() not in first.stdout
        after = lab.configs()
        assert " macsec access-control must-secure" in after["p1"] and "must-secure;" in after["p2"]
        assert " ip mtu 1460" in after["p1"] and " mpls mtu 1468" in after["p1"]
        assert "include-sci;" in after["p2"] and "eapol-address provider-bridge;" in after["p2"]

        audit = lab.playbook("audit_p2p.yml")
        assert audit.returncode == 0 and "matching: all" in audit.stdout, _explain(audit)

        second = lab.playbook("encrypt_p2p.yml")
        assert second.returncode == 0, _explain(second)
        assert changed(second.stdout) == 0, _explain(second)
        assert lab.configs() == after

        back = lab.playbook("rollback_p2p.yml")
        assert back.returncode == 0, _explain(back)
        assert lab.configs() == before, "rollback_p2p returns both routers to their configuration before the deploy"
    finally:
        lab.down()


def test_three_pairings_one_batch_failure_rolls_back_only_its_link(tmp_path):
    lab = Lab(tmp_path, pairs=3, scenarios=("macsec-hw",), mode="macsec")
    try:
        before = lab.configs()
        lab.lab("fault", "carrier-mtu", "1496", "2")  # core2 (p3-p4, IOS-IOS) delivers 4 bytes less than planned
        lab.lab("fault", "commit-fail", "p6")  # core3 (p5-p6, Junos-Junos): p6's first commit fails
        proc = lab.playbook("encrypt_p2p.yml", "-e", "deploy_wait_retries=8")
        assert proc.returncode != 0, _explain(proc)
        failed = [x for x in proc.stdout.splitlines() if "link core2 FAILED at" in x]
        assert failed and "lsp_ping" in failed[0], _explain(proc)
        assert any("link core3 FAILED at" in x for x in proc.stdout.splitlines()), _explain(proc)
        assert "ROLLBACK INCOMPLETE" not in proc.stdout
        assert finished(proc.stdout) == ["core1"], _explain(proc)
        lab.lab("fault", "clear")
        after = lab.configs()
        for host in ("p3", "p4", "p5", "p6"):
            assert after[host] == before[host], f"{host} must be back to its exact prior configuration"
        for host in ("p1", "p2"):
            assert after[host] != before[host] and _mka_secured(lab, host), host
        # the two others again, now that the carrier delivers what the plan needs; then a run that changes nothing
        again = lab.playbook("encrypt_p2p.yml")
        assert again.returncode == 0 and finished(again.stdout) == ["core1", "core2", "core3"], _explain(again)
        for host in ("p3", "p4", "p5", "p6"):
            assert _mka_secured(lab, host), host
        steady = lab.configs()
        third = lab.playbook("encrypt_p2p.yml")
        assert third.returncode == 0 and changed(third.stdout) == 0, _explain(third)
        assert lab.configs() == steady
    finally:
        lab.down()


def test_virtual_models_refused_before_any_change(tmp_path):
    lab = Lab(tmp_path, pairs=1, mode="macsec")
    try:
        before = lab.configs()
        proc = lab.playbook("encrypt_p2p.yml")
        assert proc.returncode != 0
        assert "link core1: p1: MACsec on GigabitEthernet2: not possible: model C8000V is virtual" in proc.stdout, \
            _explain(proc)
        assert "link core1: p2: MACsec on ge-0/0/0.0: not possible: model vsrx is virtual" in proc.stdout, _explain(proc)
        assert "Fix: use mode: gre_ipsec" in proc.stdout
        assert lab.configs() == before
    finally:
        lab.down()


def test_tagged_carrier_ios_ios_dot1q_in_clear(tmp_path):
    # pair 2 of --pairs 2 is IOS-IOS; only its carrier is a VLAN-tagged service
    lab = Lab(tmp_path, pairs=2, scenarios=("macsec-hw", "carrier-tagged:2"), mode="macsec")
    try:
        proc = lab.playbook("encrypt_p2p.yml", "-e", '{"p2p_deploy_links": ["core2"]}')
        assert proc.returncode == 0 and finished(proc.stdout) == ["core2"], _explain(proc)
        assert " macsec dot1q-in-clear 1" in lab.config("p3")
        # the IOS-Junos link on a tagged carrier is refused (no VLAN tag in clear on Junos in this product)
        plan = lab.playbook("plan_p2p.yml", "-e", '{"p2p_links": [' + _tagged(lab, "core1") + "]}")
        assert plan.returncode != 0 and "macsec.tagged_service" in plan.stdout, _explain(plan)
    finally:
        lab.down()


def _tagged(lab: Lab, name: str) -> str:
    import json

    import yaml

    links = yaml.safe_load((lab.inventory.parent / "group_vars" / "all" / "p2p_links.yml").read_text())["p2p_links"]
    link = next(x for x in links if x["name"] == name)
    link["macsec"]["tagged_service"] = True
    return json.dumps(link)
