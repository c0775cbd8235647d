"""Real ansible-playbook runs with junipernetworks.junos (junos_config over NETCONF: lines +
confirm + comment, check mode, idempotent rerun, confirm_commit, load error; junos_command over
NETCONF (text, json) and over network_cli) against the emulated device."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ANSIBLE = Path(sys.executable).parent / "ansible-playbook"

PLAY = """
- hosts: p2
  gather_facts: false
  tasks:
    - name: show version (text)
      junipernetworks.junos.junos_command:
        commands: [show version]
      register: ver
    - name: show version (json)
      junipernetworks.junos.junos_command:
        commands: [show version]
        display: json
      register: verj
    - name: check mode
      junipernetworks.junos.junos_config:
        lines: "{{ lines }}"
        comment: mplssec check
      check_mode: true
      register: chk
    - name: confirmed commit
      junipernetworks.junos.junos_config:
        lines: "{{ lines }}"
        confirm: 5
        comment: mplssec core1
      register: cfg
    - name: idempotent rerun
      junipernetworks.junos.junos_config:
        lines: "{{ lines }}"
        confirm: 5
        comment: mplssec core1
      register: rerun
    - name: confirm
      junipernetworks.junos.junos_config:
        confirm_commit: true
      register: conf
    - name: load error
      junipernetworks.junos.junos_config:
        lines: ["set interfaces ge-0/0/1 unit 0 bogus-statement 1"]
      register: bad
      ignore_errors: true
    - name: commit error
      junipernetworks.junos.junos_config:
        lines: ["set interfaces gr-0/0/0 unit 9 family inet address 10.9.9.1/31"]
      register: cerr
      ignore_errors: true
    - copy:
        content: "{{ {'ver': ver, 'verj': verj, 'chk': chk, 'cfg': cfg, 'rerun': rerun, 'conf': conf, 'bad': bad, 'cerr': cerr} | to_json }}"
        dest: "{{ out }}"
      delegate_to: localhost

- hosts: p2cli
  gather_facts: false
  tasks:
    - junipernetworks.junos.junos_command:
        commands: [show version, show security ike security-associations]
      register: cli
    - junipernetworks.junos.junos_command:
        commands: [show version | display json]
      register: clij
    - copy:
        content: "{{ {'cli': cli, 'clij': clij} | to_json }}"
        dest: "{{ out2 }}"
      delegate_to: localhost
"""

LINES = [
    "set interfaces st0 unit 100 family inet address 198.51.100.129/31",
    "set security ike proposal MPLSSEC-CORE1 authentication-method pre-shared-keys",
    "set security ike proposal MPLSSEC-CORE1 dh-group group20",
    "set security ike proposal MPLSSEC-CORE1 encryption-algorithm aes-256-gcm",
    "set security ike policy MPLSSEC-CORE1 proposals MPLSSEC-CORE1",
    'set security ike policy MPLSSEC-CORE1 pre-shared-key ascii-text "vault-psk-0123456789"',
    "set security ike gateway MPLSSEC-CORE1 ike-policy MPLSSEC-CORE1",
    "set security ike gateway MPLSSEC-CORE1 address 192.0.2.0",
    "set security ike gateway MPLSSEC-CORE1 external-interface ge-0/0/0.0",
    "set security ike gateway MPLSSEC-CORE1 version v2-only",
    "set security ipsec vpn MPLSSEC-CORE1 bind-interface st0.100",
    "set security ipsec vpn MPLSSEC-CORE1 ike gateway MPLSSEC-CORE1",
    "set security ipsec vpn MPLSSEC-CORE1 establish-tunnels immediately",
]


def test_playbook(server, dev, lab, tmp_path):
    inv = tmp_path / "hosts.yml"
    inv.write_text(
        json.dumps(
            {
                "all": {
                    "hosts": {
                        "p2": {"ansible_host": "127.0.0.1", "ansible_port": server.port, "ansible_connection": "ansible.netcommon.netconf"},
                        "p2cli": {"ansible_host": "127.0.0.1", "ansible_port": server.port, "ansible_connection": "ansible.netcommon.network_cli"},
                    },
                    "vars": {
                        "ansible_network_os": "junipernetworks.junos.junos",
                        "ansible_user": "admin",
                        "ansible_password": "admin",
                        "lines": LINES,
                        "out": str(tmp_path / "out.json"),
                        "out2": str(tmp_path / "out2.json"),
                    },
                }
            }
        )
    )
    (tmp_path / "play.yml").write_text(PLAY)
    cfg = tmp_path / "ansible.cfg"
    cfg.write_text(
        "[defaults]\nhost_key_checking = False\ngathering = explicit\ninterpreter_python = auto_silent\n"
        "deprecation_warnings = False\n[persistent_connection]\ncommand_timeout = 30\n"
    )
    env = dict(
        os.environ,
        ANSIBLE_CONFIG=str(cfg),
        ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"),
        ANSIBLE_PERSISTENT_CONTROL_PATH_DIR=str(tmp_path / "pc"),
        PATH=f"{ANSIBLE.parent}:{os.environ['PATH']}",
    )
    p = subprocess.run([str(ANSIBLE), "-i", str(inv), str(tmp_path / "play.yml")], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    print(p.stdout)
    assert p.returncode == 0, p.stdout[-4000:] + p.stderr[-2000:]
    r = json.loads((tmp_path / "out.json").read_text())
    assert "Hostname: p2" in r["ver"]["stdout"][0]
    assert r["verj"]["stdout"][0]["software-information"][0]["host-name"][0]["data"] == "p2"
    assert r["chk"]["changed"] is True
    assert r["cfg"]["changed"] is True
    assert r["rerun"]["changed"] is False
    assert r["bad"]["failed"] is True and "syntax error" in r["bad"]["msg"]
    assert r["cerr"]["failed"] is True and "Missing mandatory statement" in json.dumps(r["cerr"])
    r2 = json.loads((tmp_path / "out2.json").read_text())
    assert "Model: vsrx" in r2["cli"]["stdout"][0]
    assert json.loads(r2["clij"]["stdout"][0])["software-information"][0]["junos-version"][0]["data"]

    hist = server.call(lambda: [(c.via, c.comment, c.confirmed) for c in dev.history])
    assert hist[0] == ("netconf", None, None)  # confirm_commit: an empty commit
    assert hist[1] == ("netconf", "mplssec core1", 5)
    assert server.call(dev.confirm_pending) is False
    assert server.call(dev.shared_dirty) is False  # the failed loads left nothing behind
    assert server.call(lambda: dev.view().ike["MPLSSEC-CORE1"].psk) == "vault-psk-0123456789"
