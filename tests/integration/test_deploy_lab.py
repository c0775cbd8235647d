# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The deploy role (playbooks/encrypt_p2p.yml, playbooks/rollback_p2p.yml) against the emulated lab.

Every test starts its own lab (own --state-dir and --inventory under tmp_path), so the module runs
under ``pytest -n 2``.  What is checked:

* converge IOS-Junos (the default lab), then a second run reports changed=0 and the verify summary passes;
  check mode changes nothing; rollback_p2p returns the link to the clear state;
* ``--pairs 3``: IOS-IOS transport, Junos-Junos tunnel and IOS-Junos tunnel in one batch, plus IOS-IOS in
  tunnel mode (the lab's core2 switched to ipsec_mode tunnel);
* failures roll BOTH routers back byte-identically (``mplssec-lab config HOST`` before == after):
  carrier MTU below the plan (the mtu_ping gate), SSH dropped mid-push, Junos commit failure;
* a PSK missing from the vault is refused before any connection (zero SSH sessions);
* the PSK appears nowhere: -vvv output, --diff output, reports, a jsonfile facts cache.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
LAB = BIN / "mplssec-lab"
VOLATILE = re.compile(r"^(! Last configuration change at |## Last commit: )")
FAST = ["-e", "deploy_wait_retries=40", "-e", "deploy_wait_interval=1"]


class Lab:
    def __init__(self, base: Path, pairs: int = 1, scenarios: tuple[str, ...] = (), topology: str | None = None,
                 up: tuple[str, ...] = (), mode: str = "gre_ipsec") -> None:
        self.base = base
        self.state = base / "state"
        self.inventory = base / "inv" / "hosts.yml"
        self.vault_pass = self.inventory.parent / ".vault-pass"
        self.env = dict(os.environ, PATH=str(BIN) + os.pathsep + os.environ.get("PATH", ""))
        shape = ["--topology", topology] if topology else ["--pairs", str(pairs)]
        self.lab("up", *shape, "--mode", mode, "--inventory", str(self.inventory),
                 *[f"--scenario={name}" for name in scenarios], *up, timeout=180)

    def lab(self, *args: str, timeout: int = 60) -> str:
        proc = subprocess.run([str(LAB), "--state-dir", str(self.state), *args], env=self.env, capture_output=True,
                              text=True, timeout=timeout, check=False)
        assert proc.returncode == 0, f"mplssec-lab {' '.join(args)}: {proc.stdout}\n{proc.stderr}"
        return proc.stdout

    def down(self) -> None:
        self.lab("down", timeout=120)

    def config(self, host: str) -> str:
        """The running (IOS) / committed (Junos) configuration without the header lines that change with
        every transaction even when the configuration does not (time of the last change / commit)."""
        return "".join(line for line in self.lab("config", host).splitlines(keepends=True) if not VOLATILE.match(line))

    def configs(self) -> dict[str, str]:
        """Every router of the inventory (the P routers and, with --mode getvpn, the key servers)."""
        def hosts(group: dict) -> set[str]:
            return set(group.get("hosts") or {}) | {h for child in (group.get("children") or {}).values() for h in hosts(child or {})}
        return {h: self.config(h) for h in sorted(hosts(yaml.safe_load(self.inventory.read_text())["all"]))}

    def stats(self) -> dict:
        return json.loads(self.lab("stats"))

    def playbook_env(self, env: dict | None = None) -> dict:
        full = dict(self.env)
        full.update({
            "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"),
            "ANSIBLE_COLLECTIONS_PATH": str(ROOT / ".cache" / "collections"),
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_LOCAL_TEMP": str(self.base / "ansible-tmp"),
        })
        full.update(env or {})
        return full

    def playbook_command(self, playbook: str, *extra: str) -> list[str]:
        return [str(BIN / "ansible-playbook"), "-i", str(self.inventory), "--vault-password-file", str(self.vault_pass),
                str(ROOT / "playbooks" / playbook), "-e", f"p2p_report_dir={self.base / 'reports'}", *FAST, *extra]

    def playbook(self, playbook: str, *extra: str, env: dict | None = None, timeout: int = 1500) -> subprocess.CompletedProcess:
        return subprocess.run(self.playbook_command(playbook, *extra), env=self.playbook_env(env), capture_output=True,
                              text=True, timeout=timeout, cwd=str(self.base), check=False)

    def psks(self) -> list[str]:
        """Every key of the lab (PSKs, MACsec CKNs and CAKs), decrypted from its group_vars (inline !vault values)."""
        from ansible.parsing.vault import VaultLib, VaultSecret

        vault = VaultLib([("default", VaultSecret(self.vault_pass.read_bytes().strip()))])
        text = (self.inventory.parent / "group_vars" / "all" / "vault.yml").read_text()
        out = []
        for blob in re.findall(r"!vault \|\n((?:[ \t]+\S.*\n?)+)", text):
            body = "\n".join(line.strip() for line in blob.splitlines() if line.strip())
            out.append(vault.decrypt(body.encode()).decode())
        assert out, "no vaulted PSK found in the lab inventory"
        return out


def recap(out: str) -> dict[str, dict[str, int]]:
    rows = {}
    for host, counts in re.findall(r"^(\S+)\s+:\s+(ok=.*)$", out, re.M):
        rows[host] = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", counts)}
    return rows


def changed(out: str) -> int:
    """changed= of every host of the run (the routers and localhost); the verify role's reports are not changes."""
    return sum(row.get("changed", 0) for row in recap(out).values())


def finished(out: str) -> list[str]:
    """The links the run finished on both routers (the outcome play's list, playbooks/tasks/p2p_outcome.yml)."""
    block = out.split("TASK [Links that finished on both routers]", 1)[1].split("\nTASK [", 1)[0]
    return re.findall(r"^    - (\S+)$", block, re.M)


@pytest.fixture
def lab1(tmp_path):
    item = Lab(tmp_path, pairs=1)
    try:
        yield item
    finally:
        item.down()


def _explain(proc: subprocess.CompletedProcess) -> str:
    return (proc.stdout[-6000:] + "\n" + proc.stderr[-3000:])


def test_ios_junos_converge_idempotent_then_rollback(lab1):
    before = lab1.configs()
    first = lab1.playbook("encrypt_p2p.yml", "--diff")
    assert first.returncode == 0, _explain(first)
    assert changed(first.stdout) > 0
    assert "<masked>" in first.stdout, "the --diff output shows the key lines masked"
    # the verify summary table ends the play and every check passed
    assert "mtu_ping" in first.stdout and "ike_sa" in first.stdout
    # one progress line per step: link n/N, step k/K, elapsed (issue 11 section 3)
    progress = re.findall(r"link (\S+)\s+\((\d+)/(\d+)\):\s+step\s+(\d+)/(\d+)\s+(\w+),\s+[\d.]+\s+s\s+since\s+its\s+first\s+step", first.stdout)
    assert [(p[3], p[5]) for p in progress][:3] == [("1", "phase1"), ("2", "phase3"), ("3", "phase4")], progress
    for psk in lab1.psks():
        assert psk not in first.stdout + first.stderr
    after = lab1.configs()
    assert after != before

    second = lab1.playbook("encrypt_p2p.yml")
    assert second.returncode == 0, _explain(second)
    assert changed(second.stdout) == 0, "second run must report changed=0:\n" + _explain(second)
    assert lab1.configs() == after

    check = lab1.playbook("encrypt_p2p.yml", "--check", "--diff", "-e", "p2p_verify_fail=false")
    assert check.returncode == 0, _explain(check)
    assert lab1.configs() == after, "check mode must not touch any router"

    back = lab1.playbook("rollback_p2p.yml")
    assert back.returncode == 0, _explain(back)
    cleared = lab1.configs()
    for host, text in cleared.items():
        assert "MPLSSEC" not in text, f"{host} still has mplssec objects after rollback_p2p"
    # decommission: both routers end byte-identical to their configuration before the encryption (IOS-XE and Junos)
    assert cleared == before, {h: _delta(before[h], cleared[h]) for h in before if before[h] != cleared[h]}


def _delta(a: str, b: str) -> str:
    import difflib
    return "".join(difflib.unified_diff(a.splitlines(True), b.splitlines(True), n=1))


@pytest.mark.parametrize("fault,host,expect", [
    (["carrier-mtu", "1400"], None, "mtu_ping"),
    # 4 bytes short of the plan: IP at ip_mtu still passes (mtu_ping), labelled packets at mpls_mtu do not
    (["carrier-mtu", "1496"], None, "lsp_ping"),
    (["ssh-drop", "p1", "--after", "12"], "p1", "p1"),
    (["commit-fail", "p2"], "p2", "p2"),
    # issue 8 section 4b: the session that replaces the dropped one drops too (during the rollback); the rollback
    # notices it in seconds, opens a fresh session and finishes
    (["ssh-drop", "p1", "--after", "18", "--then", "4"], "p1", "p1"),
    (["ssh-drop", "p2", "--after", "12", "--then", "3"], "p2", "p2"),
], ids=["carrier-mtu", "carrier-mtu-labels-only", "ssh-drop-ios", "commit-fail-junos", "ssh-drop-twice-ios",
        "ssh-drop-twice-junos"])
def test_failure_rolls_back_both_routers_byte_identical(lab1, fault, host, expect):
    before = lab1.configs()
    lab1.lab("fault", *fault)
    proc = lab1.playbook("encrypt_p2p.yml", "-e", "deploy_wait_retries=8")
    assert proc.returncode != 0, _explain(proc)
    failed = [x for x in proc.stdout.splitlines() if "link core1 FAILED at" in x]
    assert failed, _explain(proc)
    assert expect in failed[0], failed[0]
    assert "ROLLBACK INCOMPLETE" not in proc.stdout, _explain(proc)
    if "--then" in fault:
        assert "faults: none" in lab1.lab("status"), "both drops fired (the second one during the rollback)"
    lab1.lab("fault", "clear")
    assert lab1.configs() == before, "both routers must be back to their exact prior configuration"


def test_missing_psk_refused_before_any_connection(lab1):
    vault = lab1.inventory.parent / "group_vars" / "all" / "vault.yml"
    vault.write_text("---\n# PSK removed by the test\n{}\n")
    before = lab1.configs()
    proc = lab1.playbook("encrypt_p2p.yml")
    assert proc.returncode != 0
    assert "crypto.psk is missing" in proc.stdout, _explain(proc)
    assert all(s["ssh_sessions"] == 0 for s in lab1.stats().values()), lab1.stats()
    assert lab1.configs() == before


def test_psk_never_logged_vvv_diff_reports_facts(lab1, tmp_path):
    cache = tmp_path / "facts"
    log = tmp_path / "ansible.log"
    # With a log_path, ansible.netcommon's netconf connection sets the ncclient logger to INFO, and ncclient logs
    # every RPC it sends (the Junos load-configuration carries the PSK): log_filter=ncclient is required
    # (docs/deploy.md "Secrets"); everything else is searched as is.
    proc = lab1.playbook("encrypt_p2p.yml", "-vvv", "--diff", env={
        "ANSIBLE_CACHE_PLUGIN": "ansible.builtin.jsonfile", "ANSIBLE_CACHE_PLUGIN_CONNECTION": str(cache),
        "ANSIBLE_LOG_PATH": str(log), "ANSIBLE_LOG_FILTER": "ncclient"})
    assert proc.returncode == 0, _explain(proc)
    haystack = [proc.stdout, proc.stderr, log.read_text() if log.exists() else ""]
    for path in list(cache.rglob("*")) + list((lab1.base / "reports").rglob("*")):
        if path.is_file():
            haystack.append(path.read_text(errors="replace"))
    for psk in lab1.psks():
        for text in haystack:
            assert psk not in text


def test_three_pairs_all_pairings_one_batch(tmp_path):
    lab = Lab(tmp_path, pairs=3)
    try:
        before = lab.configs()
        proc = lab.playbook("encrypt_p2p.yml", "-e", "p2p_batch_size=3")
        assert proc.returncode == 0, _explain(proc)
        configs = lab.configs()
        assert "mode transport" in configs["p3"]          # core2: IOS-IOS transport
        assert "gr-0/0/0" in configs["p5"] and "st0" in configs["p6"]   # core3: Junos-Junos
        again = lab.playbook("encrypt_p2p.yml", "-e", "p2p_batch_size=3")
        assert again.returncode == 0, _explain(again)
        assert changed(again.stdout) == 0, _explain(again)
        # decommission of the three pairings at once, byte-identical (Junos-Junos included)
        back = lab.playbook("rollback_p2p.yml")
        assert back.returncode == 0, _explain(back)
        assert lab.configs() == before, {h: _delta(before[h], c) for h, c in lab.configs().items() if before[h] != c}
    finally:
        lab.down()


def test_ios_ios_tunnel_mode(tmp_path):
    lab = Lab(tmp_path, pairs=2)
    try:
        links_file = lab.inventory.parent / "group_vars" / "all" / "p2p_links.yml"
        data = yaml.safe_load(links_file.read_text())
        core2 = next(link for link in data["p2p_links"] if link["name"] == "core2")
        core2["ipsec_mode"] = "tunnel"
        core2["tunnel"]["ipsec_ipv4"] = "198.51.100.130/31"
        links_file.write_text("---\n" + yaml.safe_dump(data, sort_keys=False))
        proc = lab.playbook("encrypt_p2p.yml", "-e", '{"p2p_deploy_links": ["core2"]}',
                            "-e", '{"p2p_verify_links": ["core2"]}')
        assert proc.returncode == 0, _explain(proc)
        config = lab.config("p3")
        assert "tunnel mode ipsec ipv4" in config and "mode transport" not in config
    finally:
        lab.down()


def test_ios_brownfield_ospf_network_acl_rollback_file(tmp_path):
    """Issue 8: IOS-IOS core2 starts with OSPF by network statement, an inbound ACL and a stale rollback file.
    With gathered facts the deploy adapts (passive-interface, merged ACL, overwrite answered), a re-run changes
    nothing, and rollback_p2p gives back the exact brownfield configuration of both routers."""
    lab = Lab(tmp_path, pairs=2, scenarios=("ospf-network:2", "carrier-acl:2", "rollback-file:2"))
    try:
        before = {h: lab.config(h) for h in ("p3", "p4")}
        assert " network 192.0.2.2 0.0.0.1 area 0" in before["p3"] and " ip access-group CARRIER-IN in" in before["p3"]
        args = ("-e", '{"p2p_deploy_links": ["core2"], "p2p_verify_links": ["core2"], "p2p_gather_facts": true}')
        proc = lab.playbook("encrypt_p2p.yml", *args)
        assert proc.returncode == 0, _explain(proc)
        for host in ("p3", "p4"):
            config = lab.config(host)
            assert " passive-interface GigabitEthernet2" in config, host
            acl = config.split("ip access-list extended MPLSSEC-CORE2\n", 1)[1].split("!", 1)[0]
            assert acl.startswith(" 10 deny udp any any eq snmp\n 20 permit udp"), acl
            state = json.loads(lab.lab("state", host))
            assert [a for a in state["adjacencies"] if a["interface"] == "GigabitEthernet2"] == [], state["adjacencies"]
        again = lab.playbook("encrypt_p2p.yml", *args)
        assert again.returncode == 0, _explain(again)
        assert changed(again.stdout) == 0, _explain(again)
        back = lab.playbook("rollback_p2p.yml", "-e", '{"p2p_deploy_links": ["core2"], "p2p_gather_facts": true}')
        assert back.returncode == 0, _explain(back)
        assert {h: lab.config(h) for h in ("p3", "p4")} == before
    finally:
        lab.down()


def test_controller_killed_mid_change_routers_revert_by_themselves(tmp_path, monkeypatch):
    """Issue 8 section 4: ansible-playbook is killed (SIGKILL, no rescue, no rollback task) while core1's phase1 is on
    both routers. The IOS-XE router returns by itself, by its revert timer (Rollback Confirmed Change, armed before
    the first change), to its exact configuration before the deploy, as the Junos router does by its commit
    confirmed. The carrier is down (fault link-down) so that the deploy waits in phase 1's gate (the IKE SA cannot come
    up; 8 x 3 s) while the test sees phase 1 on both routers and kills the controller: the engine would otherwise be
    past phase 1 before the test looked. deploy_confirm_minutes=6 passes the preflight's budget (30 s + 8 x (8 x 3 s +
    10 s) = 302 s, 8 checks: GET VPN's cut-over gate); the lab's minute is 20 s here (MPLSSEC_LAB_MINUTE_SECONDS), so
    the routers roll back 120 s after the last push."""
    import signal
    import time

    monkeypatch.setenv("MPLSSEC_LAB_MINUTE_SECONDS", "20")
    lab = Lab(tmp_path, pairs=1)
    try:
        before = lab.configs()
        lab.lab("fault", "link-down", "core1")
        full = dict(lab.env, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".cache" / "collections"),
                    ANSIBLE_NOCOLOR="1", ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"))
        cmd = [str(BIN / "ansible-playbook"), "-i", str(lab.inventory), "--vault-password-file", str(lab.vault_pass),
               str(ROOT / "playbooks" / "encrypt_p2p.yml"), "-e", "deploy_wait_retries=8", "-e", "deploy_wait_interval=3",
               "-e", "deploy_confirm_minutes=6", "-e", "p2p_connection_idle_timeout=20", "-e", "p2p_gather_facts=false"]
        out = (tmp_path / "play.out").open("w")
        proc = subprocess.Popen(cmd, env=full, stdout=out, stderr=subprocess.STDOUT, cwd=str(tmp_path), start_new_session=True)
        try:
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline and proc.poll() is None:
                configs = lab.configs()
                if all("MPLSSEC" in text for text in configs.values()):
                    break
                time.sleep(0.3)
            assert proc.poll() is None, "the deploy ended before it could be killed:\n" + (tmp_path / "play.out").read_text()[-4000:]
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)   # the controller dies: no rescue, no restore task runs
            proc.wait(timeout=30)
        killed_at = time.monotonic()
        changed_now = lab.configs()
        assert all("MPLSSEC" in text for text in changed_now.values()), "both routers carry the change after the kill"
        assert "archive" in changed_now["p1"], "the IOS-XE revert timer needs the archive feature during the change"
        configs = changed_now
        while time.monotonic() < killed_at + 180 and configs != before:
            time.sleep(2)
            configs = lab.configs()
        assert configs == before, {h: _delta(before[h], configs[h]) for h in before if before[h] != configs[h]}
        assert time.monotonic() - killed_at > 20, "the routers went back by their timers, not at once"
    finally:
        lab.down()


@pytest.mark.parametrize("reply", ["sent", "lost"])
def test_srx_mpls_not_active_refused_then_rebooted_with_p2p_allow_reboot(tmp_path, monkeypatch, reply):
    """Issue 8 section 1: an SRX whose MPLS packet mode is configured but not in effect (the lab's srx-mpls-not-active:
    committed, not rebooted since) is refused before any change; with p2p_allow_reboot the run reboots it (request
    system reboot: the router goes away, comes back with the configured mode in effect), waits, reads it again, plans
    again and deploys; the LSP ping gates and verify pass; rollback_p2p gives back the exact configuration. ``lost``:
    the router ends the session before its reply to request-reboot is read (the lab's MPLSSEC_LAB_REBOOT_REPLY): the
    reboot is under way all the same, and the run carries on."""
    monkeypatch.setenv("MPLSSEC_LAB_REBOOT_SECONDS", "8")
    if reply == "lost":
        monkeypatch.setenv("MPLSSEC_LAB_REBOOT_REPLY", "lost")
    lab = Lab(tmp_path, pairs=1, scenarios=("srx-mpls-not-active",))
    try:
        before = lab.configs()
        refused = lab.playbook("encrypt_p2p.yml")
        assert refused.returncode != 0
        assert "link core1: p2: MPLS forwarding mode in effect (show security flow status): drop" in refused.stdout, _explain(refused)
        assert "configured but not active" in refused.stdout and "p2p_allow_reboot: true" in refused.stdout
        assert "Reboot the router" not in refused.stdout
        assert lab.configs() == before, "refused before any change"
        sessions = lab.stats()["p2"]["ssh_sessions"]

        proc = lab.playbook("encrypt_p2p.yml", "-e", "p2p_allow_reboot=true", "-e", "deploy_reboot_settle=2",
                            "-e", "deploy_reboot_delay=2")
        assert proc.returncode == 0, _explain(proc)
        if reply == "sent":
            assert re.search(r"TASK \[mplssec\.p2p\.deploy : Request the reboot\] \**\nchanged: \[p2\]",
                             proc.stdout), _explain(proc)
        else:
            assert "Fail unless the session ended under the reboot" in proc.stdout and "rescued=1" in proc.stdout
        assert "FAILED - RETRYING: [p2]: Wait for the router to answer again" in proc.stdout, "the router went away"
        assert "PLAY [Plan again with what the rebooted routers now have in effect]" in proc.stdout
        assert "lsp_ping" in proc.stdout and finished(proc.stdout) == ["core1"], _explain(proc)
        assert lab.stats()["p2"]["ssh_sessions"] > sessions + 1, "the rebooted router was connected to again"
        # the configured mode was already committed (scenario): the reboot changed nothing in the configuration
        back = lab.playbook("rollback_p2p.yml")
        assert back.returncode == 0, _explain(back)
        assert lab.configs() == before
    finally:
        lab.down()


def test_a_reboot_that_fails_holds_the_routers_links(tmp_path, monkeypatch):
    """p2p_allow_reboot on an SRX without packet mode (srx-mpls-absent): the reboot play must commit the mode first, and
    that commit fails (fault commit-fail). The plan was made for the router after its reboot, so its link does not
    start: nothing changes on either router, and the run says why."""
    monkeypatch.setenv("MPLSSEC_LAB_REBOOT_SECONDS", "8")
    lab = Lab(tmp_path, pairs=1, scenarios=("srx-mpls-absent",))
    try:
        before = lab.configs()
        lab.lab("fault", "commit-fail", "p2", "--count", "5")
        proc = lab.playbook("encrypt_p2p.yml", "-e", "p2p_allow_reboot=true", "-e", "deploy_reboot_settle=2")
        assert proc.returncode != 0
        text = " ".join(proc.stdout.split())
        assert "link core1 NOT STARTED: the plan reboots p2 first (p2p_allow_reboot) and that reboot did not happen" \
            in text, _explain(proc)
        lab.lab("fault", "clear")
        assert lab.configs() == before
    finally:
        lab.down()


def test_junos_rollback_without_the_secret_permission(tmp_path):
    """vendor-truth #17: the automation user's login class cannot see secrets (srx-no-secret-view: show configuration
    prints /* SECRET-DATA */). A failed deploy still rolls the SRX back byte-identically, with its keys: the rollback
    is the router's own rollback N of the commit the rollback point recorded, not a load of the text it was shown."""
    lab = Lab(tmp_path, pairs=1, scenarios=("srx-no-secret-view",))
    try:
        before = lab.configs()
        assert "policy OTHER-VPN" in before["p2"] and "$9$" in before["p2"], "the SRX has another VPN's key"
        lab.lab("fault", "carrier-mtu", "1400")
        proc = lab.playbook("encrypt_p2p.yml", "-e", "deploy_wait_retries=8")
        assert proc.returncode != 0
        assert "link core1 FAILED at" in proc.stdout and "mtu_ping" in proc.stdout, _explain(proc)
        assert "ROLLBACK INCOMPLETE" not in proc.stdout, _explain(proc)
        lab.lab("fault", "clear")
        after = lab.configs()
        assert after == before, {h: _delta(before[h], after[h]) for h in before if before[h] != after[h]}
        assert "policy OTHER-VPN" in after["p2"] and "$9$" in after["p2"], "the other VPN's key is back, not wiped"
    finally:
        lab.down()
