"""Drive the lab with the REAL stock Ansible modules (ansible-playbook subprocess, lab inventory).

cisco.ios.ios_command / ios_config (check mode, diff, idempotent rerun), ansible.netcommon.cli_config,
junipernetworks.junos.junos_command (text + json) / junos_config (check mode, confirmed commit + confirm,
idempotent rerun) and an injected Junos commit failure.  Then the lab's own view must agree.
"""
from __future__ import annotations

import json
import os
import subprocess
import textwrap

from lab_runner import BIN

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

PLAYBOOK = textwrap.dedent("""\
    ---
    - name: IOS-XE over network_cli
      hosts: ios
      gather_facts: false
      tasks:
        - name: show version
          cisco.ios.ios_command:
            commands: [show version, show ip interface brief]
          register: v
        - ansible.builtin.assert:
            that: ["'Cisco IOS XE Software' in v.stdout[0] or 'IOS-XE' in v.stdout[0]",
                   "'GigabitEthernet2' in v.stdout[1]"]
        - name: ios_config check mode
          cisco.ios.ios_config:
            parents: interface Loopback77
            lines: [description lab-check-mode]
          check_mode: true
          register: chk
        - ansible.builtin.assert:
            that: [chk is changed]
        - name: ios_config apply
          cisco.ios.ios_config:
            parents: interface Loopback77
            lines: [description mplssec-lab-test, ip address 10.77.77.77 255.255.255.255]
            diff_against: running
          diff: true
          register: cfg
        - ansible.builtin.assert:
            that: [cfg is changed]
        - name: ios_config rerun is idempotent
          cisco.ios.ios_config:
            parents: interface Loopback77
            lines: [description mplssec-lab-test, ip address 10.77.77.77 255.255.255.255]
          register: again
        - ansible.builtin.assert:
            that: [again is not changed]
        - name: cli_config
          ansible.netcommon.cli_config:
            config: |
              interface Loopback78
               description via-cli-config
          register: cc
        - ansible.builtin.assert:
            that: [cc is changed]
        - name: a bad command fails the task
          cisco.ios.ios_config:
            lines: [this is not a command]
          register: bad
          ignore_errors: true
        - ansible.builtin.assert:
            that: [bad is failed]

    - name: Junos over NETCONF
      hosts: junos
      gather_facts: false
      tasks:
        - name: show version (text and json)
          junipernetworks.junos.junos_command:
            commands: [show version]
          register: v
        - ansible.builtin.assert:
            that: ["'Junos' in v.stdout[0]"]
        - name: json
          junipernetworks.junos.junos_command:
            commands: [show version]
            display: json
          register: j
        - ansible.builtin.assert:
            that: ["j.stdout[0] is mapping"]
        - name: junos_config check mode
          junipernetworks.junos.junos_config:
            lines: ["set interfaces lo0 unit 0 description lab-check-mode"]
          check_mode: true
          register: chk
        - ansible.builtin.assert:
            that: [chk is changed]
        - name: junos_config confirmed commit
          junipernetworks.junos.junos_config:
            lines: ["set interfaces lo0 unit 0 description mplssec-lab-test"]
            confirm: 5
            comment: mplssec lab test
          register: cfg
        - ansible.builtin.assert:
            that: [cfg is changed]
        - name: confirm the commit
          junipernetworks.junos.junos_config:
            confirm_commit: true
        - name: junos_config rerun is idempotent
          junipernetworks.junos.junos_config:
            lines: ["set interfaces lo0 unit 0 description mplssec-lab-test"]
          register: again
        - ansible.builtin.assert:
            that: [again is not changed]

    - name: Junos commit failure injected by the lab
      hosts: junos
      gather_facts: false
      tasks:
        - name: inject
          ansible.builtin.command:
            argv: ["{{ lab_cli }}", "--state-dir", "{{ lab_state }}", "fault", "commit-fail", "{{ inventory_hostname }}"]
          delegate_to: localhost
          changed_when: true
        - name: commit fails like a real Junos commit error
          junipernetworks.junos.junos_config:
            lines: ["set interfaces lo0 unit 0 description never-committed"]
          register: failed_commit
          ignore_errors: true
        - ansible.builtin.assert:
            that:
              - failed_commit is failed
              - "'commit failed' in (failed_commit.msg | string)"
""")


def test_stock_modules_against_the_lab(lab_runner, tmp_path):
    lab_runner.up()
    pb = tmp_path / "play.yml"
    pb.write_text(PLAYBOOK)
    env = dict(lab_runner.env, ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, ".cache", "collections"),
               ANSIBLE_FORCE_COLOR="0", ANSIBLE_NOCOLOR="1")
    cmd = [os.path.join(BIN, "ansible-playbook"), "-i", lab_runner.inventory, str(pb),
           "-e", f"lab_cli={os.path.join(BIN, 'mplssec-lab')}", "-e", f"lab_state={lab_runner.state}",
           "--vault-password-file", os.path.join(os.path.dirname(lab_runner.inventory), ".vault-pass")]
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900, cwd=REPO)
    assert p.returncode == 0, p.stdout[-6000:] + p.stderr[-3000:]

    # the lab saw it: state persisted in the running devices, counters moved
    ios_cfg = lab_runner.run("config", "p1").stdout
    assert "interface Loopback77" in ios_cfg and " description mplssec-lab-test" in ios_cfg
    assert "description via-cli-config" in ios_cfg
    junos_cfg = lab_runner.run("config", "p2").stdout
    assert "mplssec-lab-test" in junos_cfg and "never-committed" not in junos_cfg
    stats = json.loads(lab_runner.run("stats").stdout)
    assert stats["p1"]["ssh_sessions"] >= 1 and stats["p1"]["cli_commands"] > 10
    assert stats["p1"]["config_transactions"] >= 2
    assert stats["p2"]["netconf_rpcs"] > 5 and stats["p2"]["commits"] >= 2
