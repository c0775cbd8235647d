# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""playbooks/audit_p2p.yml (and the deploy's check-mode diff) against the emulated lab, in ONE test (one lab, a fixed
order):

1. before encryption: both routers of core1 are reported clear, the play passes (report only); encrypt_p2p.yml
   --check --diff shows a real Ansible diff (IOS-XE lines under their parents, Junos show | compare, PSK masked) and
   changes nothing;
2. after playbooks/encrypt_p2p.yml: both routers matching, nothing changed by the audit;
3. drift made by an operator with the stock modules (another `ip mtu` on the IOS GRE tunnel, the Junos DPD
   statements deleted): each router is reported drifted with exactly those lines, and with p2p_audit_fail=true the
   play ends non-zero; audit-core1.json/.xml/.md are written, and the PSK is in none of them nor in the output;
4. decommissioned (rollback_p2p.yml), then a deploy that stopped after its first phase (the deploy's steps cut to
   phase 1 by an extra var, as a control node that died after phase 1 leaves it): both routers half_deployed.
"""

from __future__ import annotations

import json
import subprocess

import pytest
from test_verify_lab import BIN, ROOT, Lab


@pytest.fixture()
def lab(tmp_path):
    item = Lab(tmp_path)
    item.lab("up", "--inventory", str(item.inventory), timeout=120)
    try:
        yield item
    finally:
        item.lab("down")


def audit(lab: Lab, reports: str, *extra: str) -> tuple[subprocess.CompletedProcess, dict]:
    proc = lab.playbook("audit_p2p.yml", "-e", f"p2p_report_dir={reports}", *extra)
    path = lab.base / reports / "audit-core1.json"
    assert path.exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc, {c["host"]: c for c in json.loads(path.read_text())["checks"]}


def adhoc(lab: Lab, host: str, module: str, args: str) -> None:
    """A change made by hand with a stock module (what an operator's drift looks like)."""
    env = dict(lab.env, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".cache" / "collections"),
               ANSIBLE_NOCOLOR="1", ANSIBLE_LOCAL_TEMP=str(lab.base / "ansible-tmp"))
    proc = subprocess.run([str(BIN / "ansible"), "-i", str(lab.inventory), "--vault-password-file", str(lab.vault_pass),
                           host, "-m", module, "-a", args], env=env, capture_output=True, text=True, timeout=300,
                          cwd=str(lab.base), check=False)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]


def test_audit_clear_matching_drifted(lab):
    proc, before = audit(lab, "before")
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert [before[h]["detail"].split(":")[0] for h in ("p1", "p2")] == ["clear", "clear"], before
    assert "changed=0" in proc.stdout.split("PLAY RECAP")[-1]

    # check mode first: a real Ansible diff with the IOS lines under their parents, Junos show | compare, PSK masked
    check = lab.playbook("encrypt_p2p.yml", "--check", "--diff", "-e", "p2p_verify_after_deploy=false")
    assert check.returncode == 0, check.stdout[-4000:]
    assert "--- before: p1 now\n+++ after: p1 would be" in check.stdout and "--- before: p2 now" in check.stdout
    assert " crypto ikev2 profile MPLSSEC-CORE1\n+ match address local 192.0.2.0\n" in check.stdout
    assert " interface GigabitEthernet2\n+ no mpls ip\n" in check.stdout and "+  pre-shared-key <masked>" in check.stdout
    # Junos: the cut-over deactivates the carrier's LDP interface (kept for an exact rollback), show | compare says so
    assert "[edit protocols ldp]\n !    inactive: interface ge-0/0/0.0 { ... }" in check.stdout
    assert lab.psk() not in check.stdout + check.stderr
    assert audit(lab, "after-check")[1]["p1"]["detail"].startswith("clear"), "check mode changed a router"

    encrypt = lab.playbook("encrypt_p2p.yml", "-e", "p2p_verify_after_deploy=false")
    assert encrypt.returncode == 0, encrypt.stdout[-4000:]
    proc, after = audit(lab, "after")
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert all(after[h]["status"] == "pass" and after[h]["detail"].startswith("matching: all ") for h in ("p1", "p2")), after
    assert "changed=0" in proc.stdout.split("PLAY RECAP")[-1]

    adhoc(lab, "p1", "cisco.ios.ios_config", "lines='ip mtu 1400' parents='interface Tunnel100'")
    adhoc(lab, "p2", "junipernetworks.junos.junos_config", "lines='delete security ike gateway MPLSSEC-CORE1 dead-peer-detection'")
    proc, drift = audit(lab, "drift", "-e", "p2p_audit_fail=true")
    assert proc.returncode != 0 and "Audit failed for link(s) core1" in proc.stdout
    assert drift["p1"]["detail"] == "drifted: 1 line(s) differ from the plan: phase1: interface Tunnel100 / ip mtu 1414"
    assert drift["p2"]["detail"].startswith("drifted: 3 line(s) differ from the plan: phase1: set security ike gateway "
                                            "MPLSSEC-CORE1 dead-peer-detection"), drift["p2"]
    markdown = (lab.base / "drift" / "audit-core1.md").read_text()
    assert markdown.startswith("# audit core1: FAIL") and "ip mtu 1414" in markdown
    psk = lab.psk()
    for text in (proc.stdout, proc.stderr, markdown, (lab.base / "drift" / "audit-core1.xml").read_text(),
                 (lab.base / "drift" / "audit-core1.json").read_text()):
        assert psk not in text

    back = lab.playbook("rollback_p2p.yml")
    assert back.returncode == 0, back.stdout[-4000:]
    assert all(c["detail"].startswith("clear") for c in audit(lab, "decommissioned")[1].values())
    first_phase_only = '{"deploy_steps_encrypt": [{"template": "phase1", "gate": "phase2", "checks": ["ike_sa"]}]}'
    stopped = lab.playbook("encrypt_p2p.yml", "-e", first_phase_only, "-e", "p2p_verify_after_deploy=false")
    assert stopped.returncode == 0, stopped.stdout[-4000:]
    proc, half = audit(lab, "half")
    assert [half[h]["detail"].split(":")[0] for h in ("p1", "p2")] == ["half_deployed", "half_deployed"], half
    assert "phase1 in place" in half["p1"]["detail"] and "phase4" in half["p1"]["detail"], half["p1"]
