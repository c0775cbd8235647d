# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""playbooks/gather_p2p.yml and plan_p2p.yml -e p2p_gather_facts=true against the emulated lab.

One lab, ``--pairs 3 --scenario srx-carrier-no-ike:3``: core1 is IOS (p1) - Junos (p2) as prepared P routers
(the SRX carrier zone admits IKE, MPLS packet mode in effect), core3 is Junos-Junos whose carrier zone admits no
IKE. Two plays: the gather of core1's routers (facts asserted, read only, no PSK in the output), then the plan with
gathered facts of every link, which must refuse core3 (both routers, with the fix) and nothing else.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_deploy_lab import BIN, ROOT, Lab  # noqa: E402

DUMP = """---
- name: Gather
  ansible.builtin.import_playbook: {gather}

- name: Write the gathered facts
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Dump p2p_gathered, one file per router
      ansible.builtin.copy:
        content: "{{{{ p2p_gathered[item] | to_json }}}}"
        dest: "{out}/{{{{ item }}}}.json"
        mode: "0600"
      loop: "{{{{ p2p_gather_hosts }}}}"
"""


class ScenarioLab(Lab):
    def __init__(self, base: Path, pairs: int, *scenarios: str) -> None:
        self.base = base
        self.state = base / "state"
        self.inventory = base / "inv" / "hosts.yml"
        self.vault_pass = self.inventory.parent / ".vault-pass"
        import os
        self.env = dict(os.environ, PATH=str(BIN) + os.pathsep + os.environ.get("PATH", ""))
        args = ["up", "--pairs", str(pairs), "--inventory", str(self.inventory)]
        for s in scenarios:
            args += ["--scenario", s]
        self.lab(*args, timeout=180)


@pytest.fixture
def lab3(tmp_path):
    item = ScenarioLab(tmp_path, 3, "srx-carrier-no-ike:3")
    try:
        yield item
    finally:
        item.down()


def test_gather_facts_and_preflight_refusal(lab3, tmp_path):
    out = tmp_path / "facts"
    out.mkdir()
    play = tmp_path / "dump.yml"
    play.write_text(DUMP.format(gather=ROOT / "playbooks" / "gather_p2p.yml", out=out))
    before = lab3.stats()
    import subprocess
    full = dict(lab3.env, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".cache" / "collections"),
                ANSIBLE_NOCOLOR="1", ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"))
    proc = subprocess.run([str(BIN / "ansible-playbook"), "-i", str(lab3.inventory), "--vault-password-file", str(lab3.vault_pass),
                           str(play), "-e", '{"p2p_deploy_links": ["core1"]}', "-v"],
                          env=full, capture_output=True, text=True, timeout=600, cwd=str(tmp_path), check=False)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    for psk in lab3.psks():
        assert psk not in proc.stdout and psk not in proc.stderr
    ios = json.loads((out / "p1.json").read_text())
    junos = json.loads((out / "p2.json").read_text())
    assert sorted(p.name for p in out.iterdir()) == ["p1.json", "p2.json"]
    # IOS-XE: model/version and the carrier interface as configured in the lab's baseline
    assert ios["platform"] == "ios" and ios["version"] and ios["model"]
    g2 = ios["interfaces"]["GigabitEthernet2"]
    assert "192.0.2.0/31" in g2["ipv4"] and g2["mpls"] and g2["ospf"]["area"] == 0
    # Junos: model, version, the forwarding modes IN EFFECT, the carrier's zone admitting IKE
    assert junos["platform"] == "junos" and junos["model"] == "vsrx" and junos["version"].startswith("23.4")
    assert junos["security"]["flow_active"] == {"inet": "flow-based", "inet6": "drop", "mpls": "packet-based", "iso": "drop"}
    assert junos["security"]["flow_configured"]["mpls"] == "packet-based"
    ge0 = junos["interfaces"]["ge-0/0/0.0"]
    assert ge0["zone"] == "untrust" and ge0["zone_ike"] is True and "192.0.2.1/31" in ge0["ipv4"]
    assert junos["security"]["tcp_mss_ipsec_vpn"] is None
    # read only: no configuration transaction on any router
    after = lab3.stats()
    assert all(after[h]["commits"] == before[h]["commits"] and after[h]["config_transactions"] == before[h]["config_transactions"]
               for h in after)
    assert after["p1"]["ssh_sessions"] > before["p1"]["ssh_sessions"] and after["p5"]["ssh_sessions"] == before["p5"]["ssh_sessions"]

    # plan with gathered facts of every link: core3's SRXs admit no IKE on the carrier -> refused, naming the fix
    proc = lab3.playbook("plan_p2p.yml", "-e", "p2p_gather_facts=true")
    text = proc.stdout + proc.stderr
    assert proc.returncode != 0, text[-3000:]
    for host in ("p5", "p6"):
        assert (f"link core3: {host}: security zone of ge-0/0/0.0: in zone untrust, whose host-inbound-traffic does not "
                "admit IKE") in text
    assert "set security zones security-zone untrust host-inbound-traffic system-services ike" in text
    assert "link core1:" not in text.split("error(s) in p2p_links")[-1] and "link core2:" not in text.split("error(s) in p2p_links")[-1]
    assert "error(s) in p2p_links" in text
    for psk in lab3.psks():
        assert psk not in text
    final = lab3.stats()
    assert all(final[h]["commits"] == before[h]["commits"] for h in final)
