"""Interactive CLI over an SSH shell (the junos_command network_cli path)."""

from __future__ import annotations

import asyncio
import json
import re

import asyncssh
import pytest

PROMPT = re.compile(r"({primary:node\d+})?[\r\n]?[\w@+\-\.:\/\[\]]+[>#%] ?$")  # junos terminal_stdout_re


class Shell:
    def __init__(self, port):
        self.port = port

    async def __aenter__(self):
        self.conn = await asyncssh.connect("127.0.0.1", self.port, username="admin", password="admin", known_hosts=None)
        self.p = await self.conn.create_process(term_type="vt100", encoding="utf-8")
        self.banner = await self._until()
        return self

    async def _until(self):
        buf = ""
        while not PROMPT.search(buf):
            chunk = await asyncio.wait_for(self.p.stdout.read(65536), 5)
            if not chunk:
                raise EOFError(buf)
            buf += chunk
        return buf

    async def cmd(self, line):
        self.p.stdin.write(line + "\r")
        out = await self._until()
        out = out.replace("\r\n", "\n")
        assert out.startswith(line + "\n"), out  # echoed
        body = out[len(line) + 1 :]
        return body[: body.rstrip().rfind("\n") + 1] if "\n" in body.rstrip() else "", body

    async def __aexit__(self, *a):
        self.conn.close()


def run(coro):
    return asyncio.run(coro)


def test_operational_session(server, dev, lab):
    async def go():
        async with Shell(server.port) as sh:
            assert sh.banner.endswith("admin@p2> ")
            for c in ("set cli timestamp disable", "set cli screen-length 0", "set cli screen-width 1024"):
                out, _ = await sh.cmd(c)
                assert "error" not in out
            out, _ = await sh.cmd("show version")
            assert re.search(r"^Junos: (\S+)$", out, re.M) and re.search(r"^Model: (\S+)$", out, re.M)
            assert re.search(r"^Hostname: p2$", out, re.M)
            out, _ = await sh.cmd("show version | display json")
            assert json.loads(out)["software-information"][0]["host-name"][0]["data"] == "p2"
            out, _ = await sh.cmd("show configuration system host-name")
            assert out == "host-name p2;\n"
            out, _ = await sh.cmd("show configuration protocols | display set")
            assert "set protocols ldp interface ge-0/0/0.0\n" in out
            out, _ = await sh.cmd("show configuration | display xml")
            assert "<host-name>p2</host-name>" in out
            out, _ = await sh.cmd("bogus command")
            assert out.splitlines()[-1] == "unknown command."
            assert out.splitlines()[0] == " " * len("admin@p2> ") + "^"
            out, _ = await sh.cmd("show ldp sesion")
            assert "syntax error" in out

    run(go())
    assert dev.stats["cli_commands"] >= 9 and dev.stats["ssh_sessions"] == 1


def test_configure_commit_and_compare(server, dev, lab):
    async def go():
        async with Shell(server.port) as sh:
            out, body = await sh.cmd("configure")
            assert "Entering configuration mode" in out and body.endswith("[edit]\nadmin@p2# ")
            out, _ = await sh.cmd("set interfaces ge-0/0/1 unit 0 description core")
            assert out.strip() == "[edit]"
            out, _ = await sh.cmd("set interfaces ge-0/0/1 unit 0 descripton core")
            assert "syntax error." in out
            out, _ = await sh.cmd("show | compare")
            assert out.startswith("[edit interfaces ge-0/0/1 unit 0]\n+   description core;\n")
            out, _ = await sh.cmd("commit check")
            assert out.startswith("configuration check succeeds")
            out, _ = await sh.cmd("commit confirmed 3")
            assert "commit confirmed will be automatically rolled back in 3 minutes unless confirmed" in out
            out, _ = await sh.cmd("commit")
            assert out.startswith("commit complete")
            out, _ = await sh.cmd("set interfaces gr-0/0/0 unit 1 family inet address 10.0.0.1/31")
            out, _ = await sh.cmd("commit")
            assert "Missing mandatory statement: 'source'" in out
            assert "error: commit failed: (missing mandatory statements)" in out
            out, _ = await sh.cmd("rollback 0")
            assert out.startswith("load complete")
            out, _ = await sh.cmd("exit")
            assert "Exiting configuration mode" in out
            out, _ = await sh.cmd("show system commit")
            lines = out.splitlines()
            assert re.match(r"^0   .* by admin via cli$", lines[0])
            assert re.match(r"^1   .* by admin via cli commit confirmed, rollback in 3mins$", lines[1])

    run(go())
    assert dev.committed.leaf("interfaces", "ge-0/0/1", "unit 0", "description") == "core"
    assert not dev.confirm_pending() and lab.changed == ["p2", "p2"]


def test_configure_exclusive_and_private_discard_on_exit(server, dev):
    async def go():
        async with Shell(server.port) as sh:
            await sh.cmd("configure exclusive")
            await sh.cmd("set interfaces ge-0/0/1 unit 0 description temp")
            async with Shell(server.port) as other:
                out, _ = await other.cmd("configure exclusive")
                assert "configuration database locked by" in out
            out, _ = await sh.cmd("exit")
            assert "discarding uncommitted changes" in out
            await sh.cmd("configure private")
            await sh.cmd("set interfaces ge-0/0/1 unit 0 description temp2")
            out, _ = await sh.cmd("show interfaces ge-0/0/1 unit 0 description")
            assert "temp2" in out
            await sh.cmd("exit")

    run(go())
    assert not dev.shared_dirty() and dev.lock_owner is None


def test_on_command_fault_drops_shell(server, lab):
    async def go():
        async with Shell(server.port) as sh:
            lab.drop = True
            sh.p.stdin.write("show version\r")
            with pytest.raises((EOFError, asyncssh.Error, ConnectionError, asyncio.TimeoutError)):
                await sh._until()

    run(go())


def test_request_system_reboot_asks_then_drops_and_refuses_logins(server, dev, monkeypatch):
    monkeypatch.setenv("MPLSSEC_LAB_REBOOT_SECONDS", "1.5")

    async def go():
        async with Shell(server.port) as sh:
            sh.p.stdin.write("request system reboot\r")
            buf = ""
            while "[yes,no] (no)" not in buf:
                buf += await asyncio.wait_for(sh.p.stdout.read(4096), 5)
            assert "Reboot the system ? [yes,no] (no) " in buf
            sh.p.stdin.write("yes\r")
            out = ""
            while True:
                chunk = await asyncio.wait_for(sh.p.stdout.read(4096), 5)
                if not chunk:
                    break
                out += chunk
            assert "Shutdown NOW!" in out
        assert dev.booting()
        # while it boots, SSH sessions are closed at once
        with pytest.raises((asyncssh.Error, OSError, EOFError, asyncio.TimeoutError)):
            async with Shell(server.port) as sh:
                await sh.cmd("show version")
        await asyncio.sleep(1.6)
        async with Shell(server.port) as sh:
            body, _ = await sh.cmd("show security flow status")
            assert "MPLS forwarding mode: packet based" in body

    run(go())
