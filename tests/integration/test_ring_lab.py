# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Routers that end several links (issue 9 section 2): a ring of 4 (``mplssec-lab up --topology ring:4``: core1 p1-p2,
core2 p2-p3, core3 p3-p4, core4 p4-p1; IOS, Junos, IOS, IOS) encrypted in one run of encrypt_p2p.yml.

* the plan computes 2 batches (the ring is bipartite: no router in two links of a batch) and the deploy runs them
  in order, the links of a batch together;
* core2's carrier delivers only 1400 bytes (fault carrier-mtu): core2 fails its MTU gate and is rolled back on p2 and
  p3, which keep their other link (core1, core3) encrypted; core4, in the same batch as core2, carries on;
* the run fails naming core2 (and only core2); the other three links finished and the verify play passed on them;
* once the fault is cleared a second run deploys core2 as well, and a third changes nothing (changed=0).
"""

from __future__ import annotations

import re

from test_deploy_lab import Lab, _explain, changed, finished


def test_ring_batches_one_link_fails_the_others_deploy_and_verify(tmp_path):
    lab = Lab(tmp_path, topology="ring:4")
    try:
        lab.lab("fault", "carrier-mtu", "1400", "core2")
        proc = lab.playbook("encrypt_p2p.yml", "-f", "8", "-e", "deploy_wait_retries=8")
        out = proc.stdout
        assert proc.returncode != 0, _explain(proc)
        batches = re.findall(r"batch (\d)/(\d) \((\d) links\): (.*?)'?$", out, re.M)  # the plan prints them (twice: encrypt and verify plan)
        assert [b[3].split(", ") for b in batches[:2]] == [["core1 p1-p2", "core3 p3-p4"], ["core2 p2-p3", "core4 p4-p1"]], batches
        # one progress line per link and step (n/N: the place of the link in the run, batch by batch)
        # (the YAML callback folds long lines: any whitespace between the words)
        assert re.search(r"link\s+core1\s+\(1/4\):\s+step\s+1/4\s+phase1,\s+[\d.]+\s+s\s+since\s+its\s+first\s+step:\s+ok", out)
        assert re.search(r"link\s+core3\s+\(2/4\):\s+step\s+1/4", out)
        failed = re.findall(r"link (\S+) FAILED at", out)
        assert set(failed) == {"core2"}, _explain(proc)
        assert "mtu_ping" in out and "rolled back: p2 and p3 returned to their exact prior configuration (verified)" in out
        assert finished(out) == ["core1", "core3", "core4"], _explain(proc)
        assert re.search(r"(\d+) checks, \1 passed, 0 failed", out), "verify passed on the three finished links"
        configs = lab.configs()
        assert "MPLSSEC-CORE2" not in configs["p2"] + configs["p3"], "core2 rolled back on both routers"
        assert "MPLSSEC-CORE1" in configs["p2"] and "MPLSSEC-CORE3" in configs["p3"], "their other link stays encrypted"
        assert "MPLSSEC-CORE4" in configs["p4"] and "MPLSSEC-CORE4" in configs["p1"]

        lab.lab("fault", "clear")
        again = lab.playbook("encrypt_p2p.yml", "-f", "8", "-e", "p2p_verify_after_deploy=false")
        assert again.returncode == 0, _explain(again)
        assert finished(again.stdout) == ["core1", "core2", "core3", "core4"]
        assert "MPLSSEC-CORE2" in lab.config("p2") and "MPLSSEC-CORE2" in lab.config("p3")
        third = lab.playbook("encrypt_p2p.yml", "-f", "8", "-e", "p2p_verify_after_deploy=false")
        assert third.returncode == 0 and changed(third.stdout) == 0, _explain(third)
    finally:
        lab.down()
