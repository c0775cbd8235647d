"""The stock cisco.ios modules (network_cli) against the emulated IOS-XE device, through a real ansible-playbook."""
import asyncio
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import asyncssh
from ios_helpers import BASELINE, FakeLab
from lab_ssh import PasswordServer

from mplssec_lab.ios import IosDevice

BIN = Path(sys.executable).parent
ANSIBLE = BIN / "ansible-playbook"


class DeviceThread(threading.Thread):
    def __init__(self, dev):
        super().__init__(daemon=True)
        self.dev = dev
        self.port = None
        self.ready = threading.Event()
        self.loop = asyncio.new_event_loop()

    def run(self):
        asyncio.set_event_loop(self.loop)
        key = asyncssh.generate_private_key("ssh-ed25519")

        async def factory(process):
            try:
                await self.dev.handle_process(process)
            except Exception:
                process.channel.get_connection().abort()

        async def start():
            srv = await asyncssh.create_server(PasswordServer, "127.0.0.1", 0, server_host_keys=[key],
                                               process_factory=factory, line_editor=False)
            self.port = srv.sockets[0].getsockname()[1]
            self.ready.set()

        self.loop.run_until_complete(start())
        self.loop.run_forever()

    def stop(self):
        self.loop.call_soon_threadsafe(self.loop.stop)


PLAYBOOK = """
- hosts: p1
  gather_facts: false
  tasks:
    - name: show version
      cisco.ios.ios_command:
        commands: [show version]
      register: ver
    - assert:
        that: ["'Version 17.09' in ver.stdout[0]", "ansible_net_version is not defined or true"]

    - name: tunnel (first push)
      cisco.ios.ios_config:
        parents: interface Tunnel100
        lines:
          - ip address 198.51.100.0 255.255.255.254
          - tunnel source GigabitEthernet2
          - tunnel destination 192.0.2.1
      register: first
    - name: tunnel (again, must be idempotent)
      cisco.ios.ios_config:
        parents: interface Tunnel100
        lines:
          - ip address 198.51.100.0 255.255.255.254
          - tunnel source GigabitEthernet2
          - tunnel destination 192.0.2.1
      register: second
    - name: transform set with a default child that IOS hides
      cisco.ios.ios_config:
        parents: crypto ipsec transform-set MPLSSEC-CORE1 esp-gcm 256
        lines: [mode transport]
      register: ts
    - name: check mode plans without pushing
      cisco.ios.ios_config:
        parents: interface Loopback55
        lines: [description planned only]
      check_mode: true
      register: planned
    - name: cli_config
      ansible.netcommon.cli_config:
        config: |
          interface Loopback1
           description test
      register: cli
    - name: bad line fails with the IOS message
      cisco.ios.ios_config:
        parents: interface Tunnel100
        lines: [tunnel sorce GigabitEthernet2]
      register: bad
      ignore_errors: true
    - name: after a failure inside config mode the next task still works
      cisco.ios.ios_command:
        commands: [show running-config interface Tunnel100, show crypto ikev2 sa]
      register: after
    - name: rollback point as the deploy role takes it (ops.j2), twice; the second time the file exists
      ansible.netcommon.cli_command:
        command: "{{ ops.rollback_point }}"
        prompt: "{{ ops.rollback_point_prompts }}"
        answer: "{{ ops.rollback_point_prompts | map('regex_replace', '.*', '') | list }}"
        check_all: true
      register: snap
      loop: [1, 2]
    - name: delete it
      ansible.netcommon.cli_command:
        command: "{{ ops.delete_rollback_point }}"
      register: deleted
    - copy:
        dest: "{{ out }}"
        content: "{{ {'first': first, 'second': second, 'ts': ts, 'planned': planned, 'cli': cli,
                      'bad': bad, 'after': after, 'snap': snap, 'deleted': deleted} | to_json }}"
      delegate_to: localhost
"""


def test_stock_cisco_ios_modules(tmp_path):
    lab = FakeLab()
    dev = IosDevice("p1", lab, BASELINE)
    th = DeviceThread(dev)
    th.start()
    assert th.ready.wait(10)
    try:
        (tmp_path / "hosts.yml").write_text(
            "all:\n  hosts:\n    p1:\n      ansible_host: 127.0.0.1\n"
            f"      ansible_port: {th.port}\n      ansible_user: admin\n      ansible_password: admin\n"
            "      ansible_connection: ansible.netcommon.network_cli\n      ansible_network_os: cisco.ios.ios\n"
            "      ansible_buffer_read_timeout: 0.02\n")
        (tmp_path / "play.yml").write_text(PLAYBOOK)
        (tmp_path / "ansible.cfg").write_text(
            "[defaults]\nhost_key_checking = False\ngathering = explicit\n"
            "[persistent_connection]\ncommand_timeout = 30\nconnect_timeout = 30\n")
        out = tmp_path / "result.json"
        env = dict(os.environ, ANSIBLE_CONFIG=str(tmp_path / "ansible.cfg"),
                   PATH=str(BIN) + os.pathsep + os.environ.get("PATH", ""),
                   ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"), ANSIBLE_PERSISTENT_CONTROL_PATH_DIR=str(tmp_path / "pc"))
        ops = _ops("flash:mplssec-core1-pre.cfg")
        r = subprocess.run([str(ANSIBLE), "-i", str(tmp_path / "hosts.yml"), str(tmp_path / "play.yml"),
                            "-e", f"out={out}", "-e", json.dumps({"ops": ops})], env=env, cwd=tmp_path, capture_output=True, text=True,
                           timeout=300)
        assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-4000:]
        res = json.loads(out.read_text())
    finally:
        th.stop()
    assert res["first"]["changed"] is True
    assert res["second"]["changed"] is False, res["second"]
    assert res["ts"]["changed"] is True
    assert res["planned"]["changed"] is True and "description planned only" in res["planned"]["commands"]
    assert "interface Loopback55" not in dev.running_config()
    assert res["cli"]["changed"] is True
    assert res["bad"]["failed"] is True and "Invalid input detected" in res["bad"]["msg"]
    assert " tunnel destination 192.0.2.1" in res["after"]["stdout"][0]
    rc = dev.running_config()
    assert "crypto ipsec transform-set MPLSSEC-CORE1 esp-gcm 256 \n mode transport\n" in rc
    assert "interface Loopback1\n description test\n" in rc
    assert dev.stats["ssh_sessions"] >= 1 and dev.stats["config_transactions"] >= 3
    # the second copy met IOS's overwrite question and answered it (vendor-truth #8); then the file is gone
    assert [r["failed"] for r in res["snap"]["results"]] == [False, False]
    assert "bytes copied" in res["snap"]["results"][1]["stdout"]
    assert "mplssec-core1-pre.cfg" not in dev.files


def _ops(rollback_file):
    """The deploy role's IOS operational commands (roles/deploy/templates/ios/ops.j2), rendered like the role."""
    import jinja2
    import yaml
    from ios_helpers import REPO
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(REPO / "roles" / "deploy" / "templates")),
                             trim_blocks=True, undefined=jinja2.StrictUndefined)
    return yaml.safe_load(env.get_template("ios/ops.j2").render(rollback_file=rollback_file))
