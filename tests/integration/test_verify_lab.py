# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The verify role against the emulated lab (`mplssec-lab up`), with ansible-playbook in a subprocess.

1. Before encryption: every check runs on both routers, the reports are written (JSON with exactly the six
   check names per router, JUnit with one testcase per check per host) and the checks that must fail
   (clear MPLS still on the carrier, no SA) fail with their readable detail; the play fails after writing
   the reports, unless p2p_verify_fail is false. The PSK never appears in the output or the reports.
2. After playbooks/encrypt_p2p.yml: every check passes on both routers.
3. Faults injected with `mplssec-lab fault` make the matching check fail: a carrier MTU below the plan
   fails mtu_ping; a carrier link down fails ike_sa. `fault clear` makes them pass again.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
LAB = BIN / "mplssec-lab"
CHECKS = ["ike_sa", "ipsec_sa", "ldp_session", "igp_adjacency", "no_clear_mpls", "mtu_ping", "lsp_ping", "no_carrier_ldp"]


class Lab:
    def __init__(self, base: Path) -> None:
        self.base = base
        self.state = base / "state"
        self.inventory = base / "inv" / "hosts.yml"
        self.vault_pass = self.inventory.parent / ".vault-pass"
        self.env = dict(os.environ, PATH=str(BIN) + os.pathsep + os.environ.get("PATH", ""))
        self.env.pop("MPLSSEC_LAB_DEVICES", None)

    def lab(self, *args: str, timeout: int = 60) -> str:
        proc = subprocess.run([str(LAB), "--state-dir", str(self.state), *args], env=self.env, capture_output=True,
                              text=True, timeout=timeout, check=False)
        assert proc.returncode == 0, f"mplssec-lab {' '.join(args)}: {proc.stdout}\n{proc.stderr}"
        return proc.stdout

    def playbook(self, playbook: str, *extra: str, timeout: int = 900) -> subprocess.CompletedProcess:
        env = dict(self.env)
        env.update({
            "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"),
            "ANSIBLE_COLLECTIONS_PATH": str(ROOT / ".cache" / "collections"),
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_LOCAL_TEMP": str(self.base / "ansible-tmp"),
        })
        cmd = [str(BIN / "ansible-playbook"), "-i", str(self.inventory), "--vault-password-file", str(self.vault_pass),
               str(ROOT / "playbooks" / playbook), *extra]
        return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout, cwd=str(self.base), check=False)

    def psk(self) -> str:
        """The link's PSK, decrypted from the lab's group_vars (inline !vault value)."""
        from ansible.parsing.vault import VaultLib, VaultSecret

        text = (self.inventory.parent / "group_vars" / "all" / "vault.yml").read_text()
        blob = text.split("!vault |", 1)[1].split("\n\n")[0]
        blob = "\n".join(line.strip() for line in blob.strip().splitlines() if line.strip())
        secret = VaultSecret(self.vault_pass.read_bytes().strip())
        return VaultLib([("default", secret)]).decrypt(blob.encode()).decode()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    item = Lab(tmp_path_factory.mktemp("verify-lab"))
    item.lab("up", "--inventory", str(item.inventory), timeout=120)
    try:
        yield item
    finally:
        subprocess.run([str(LAB), "--state-dir", str(item.state), "down"], env=item.env, capture_output=True, timeout=60,
                       check=False)


def verify(lab: Lab, reports: str, *extra: str) -> tuple[subprocess.CompletedProcess, dict]:
    proc = lab.playbook("verify_p2p.yml", "-e", f"p2p_report_dir={reports}", *extra)
    path = lab.base / reports / "verify-core1.json"
    assert path.exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc, json.loads(path.read_text())


def by_check(report: dict) -> dict:
    return {(c["host"], c["name"]): c for c in report["checks"]}


def test_1_before_encryption_reports_and_failures(lab):
    proc, report = verify(lab, "before", "-e", "p2p_verify_fail=false", "-e", "p2p_verify_retries=0")
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert report["link"] == "core1" and report["status"] == "fail"
    assert [(c["host"], c["name"]) for c in report["checks"]] == [(h, c) for h in ("p1", "p2") for c in CHECKS]
    assert all(set(c) == {"name", "host", "status", "detail"} for c in report["checks"])
    checks = by_check(report)
    assert checks[("p1", "no_clear_mpls")]["detail"].startswith("MPLS still enabled on carrier interface GigabitEthernet2")
    assert checks[("p2", "no_clear_mpls")]["status"] == "fail"
    assert checks[("p1", "ike_sa")]["detail"] == "no IKE SA to peer 192.0.2.1 (no IKE SA at all)"
    assert checks[("p2", "ike_sa")]["detail"] == "no IKE SA to peer 192.0.2.0 (no IKE SA at all)"
    assert "not discovered over Tunnel100" in checks[("p1", "ldp_session")]["detail"]
    # no tunnel yet: IOS sends the LSP ping out of Tunnel100 (none: 'Q'), Junos down the LSP over the clear carrier
    assert "QQQQQ" in checks[("p1", "lsp_ping")]["detail"], checks[("p1", "lsp_ping")]
    assert checks[("p2", "lsp_ping")]["status"] == "pass", checks[("p2", "lsp_ping")]
    assert checks[("p1", "no_carrier_ldp")]["detail"].startswith("LDP hello adjacency still on carrier interface")
    junit = ElementTree.parse(lab.base / "before" / "verify-core1.xml").getroot()
    cases = junit.findall("./testsuite/testcase")
    assert len(cases) == 16 and all(c.find("failure") is not None for c in cases if checks[
        (c.get("classname").split(".")[1], c.get("name"))]["status"] == "fail")
    assert "LINK   HOST  CHECK" in proc.stdout and "16 checks, " in proc.stdout
    markdown = (lab.base / "before" / "verify-core1.md").read_text()
    assert markdown.startswith("# verify core1: FAIL") and "| 1500 |" in markdown and "| p1 | ike_sa | **FAIL** |" in markdown
    assert "| core1 | **FAIL** | 16 |" in (lab.base / "before" / "verify-summary.md").read_text()
    psk = lab.psk()
    for text in (proc.stdout, proc.stderr, json.dumps(report), (lab.base / "before" / "verify-core1.xml").read_text(), markdown):
        assert psk not in text


def test_2_failing_checks_fail_the_play_after_the_reports(lab):
    proc, report = verify(lab, "failing", "-e", '{"p2p_verify_checks": ["no_clear_mpls"]}', "-e", "p2p_verify_retries=0")
    assert proc.returncode != 0
    assert [c["name"] for c in report["checks"]] == ["no_clear_mpls", "no_clear_mpls"]
    assert "Verify failed for link(s) core1" in proc.stdout


def test_3_after_encryption_every_check_passes(lab):
    proc = lab.playbook("encrypt_p2p.yml", "-e", "p2p_report_dir=encrypt", "-e", "p2p_verify_retries=5")
    report_path = lab.base / "encrypt" / "verify-core1.json"
    assert report_path.exists(), "encrypt_p2p.yml did not reach verify:\n" + proc.stdout[-4000:]
    report = json.loads(report_path.read_text())
    failed = [c for c in report["checks"] if c["status"] != "pass"]
    assert not failed, json.dumps(failed, indent=1)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert report["status"] == "pass" and len(report["checks"]) == 16


@pytest.mark.parametrize("fault,check,detail", [
    (("carrier-mtu", "1400", "core1"), "mtu_ping", "the planned ip_mtu does not pass"),
    (("link-down", "core1"), "ike_sa", "IKE SA to"),
])
def test_4_fault_fails_the_matching_check(lab, fault, check, detail):
    lab.lab("fault", *fault)
    try:
        proc, report = verify(lab, "fault-" + fault[0], "-e", f'{{"p2p_verify_checks": ["{check}"]}}',
                              "-e", "p2p_verify_retries=0", "-e", "p2p_verify_fail=false")
        results = by_check(report)
        assert results[("p1", check)]["status"] == "fail", results
        assert results[("p2", check)]["status"] == "fail", results
        assert detail in results[("p1", check)]["detail"] or detail in results[("p2", check)]["detail"]
    finally:
        lab.lab("fault", "clear")
    proc, report = verify(lab, "cleared-" + fault[0], "-e", f'{{"p2p_verify_checks": ["{check}"]}}',
                          "-e", "p2p_verify_retries=10", "-e", "p2p_verify_delay=2")
    assert report["status"] == "pass", json.dumps(report, indent=1)
