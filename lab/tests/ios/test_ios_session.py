"""CLI session behaviour: a real asyncssh server/client, prompts, modes, rollback, archive, faults."""
import asyncio
import re

import asyncssh
import pytest
from ios_helpers import BASELINE, COLLECTION_CONFIG, FakeLab, FakeProcess, push, run_cli
from lab_ssh import PasswordServer

from mplssec_lab.ios import IosDevice

INV = "% Invalid input detected at '^' marker."


async def _serve(dev):
    key = asyncssh.generate_private_key("ssh-ed25519")

    async def factory(process):
        try:
            await dev.handle_process(process)
        except Exception:
            process.channel.get_connection().abort()

    srv = await asyncssh.create_server(PasswordServer, "127.0.0.1", 0, server_host_keys=[key], process_factory=factory,
                                       line_editor=False)
    return srv, srv.sockets[0].getsockname()[1]


async def _read_until(proc, pattern, timeout=5):
    buf = ""
    rx = re.compile(pattern)
    end = asyncio.get_running_loop().time() + timeout
    while not rx.search(buf):
        left = end - asyncio.get_running_loop().time()
        if left <= 0:
            raise AssertionError(f"timeout waiting for {pattern!r}; got {buf!r}")
        chunk = await asyncio.wait_for(proc.stdout.read(65536), left)
        if not chunk:
            break
        buf += chunk
    return buf


PROMPT = r"[\r\n]?[\w\+\-\.:\/\[\]]+(?:\([^\)]+\)){0,3}(?:[>#]) ?$"   # cisco.ios terminal_stdout_re


def test_real_ssh_session_like_network_cli():
    lab = FakeLab()
    dev = IosDevice("p1", lab, BASELINE)

    async def main():
        srv, port = await _serve(dev)
        try:
            async with asyncssh.connect("127.0.0.1", port, username="admin", password="admin",
                                        known_hosts=None) as conn:
                proc = await conn.create_process(term_type="xterm")
                greet = await _read_until(proc, PROMPT)
                assert greet == "\r\np1#"
                out = {}
                for cmd in ["terminal length 0", "terminal width 512", "terminal width 0", "show version",
                            "show vlan", "show privilege", "configure terminal", "interface Tunnel0",
                            "ip address 10.255.0.1 255.255.255.252", "bogus command here", "end",
                            "show running-config | section Tunnel0"]:
                    proc.stdin.write(cmd + "\r")
                    out[cmd] = await _read_until(proc, PROMPT)
                # CRLF and bare LF line endings are both one line
                proc.stdin.write("show privilege\r\n")
                crlf = await _read_until(proc, PROMPT)
                proc.stdin.write("show privilege\n")
                lf = await _read_until(proc, PROMPT)
                proc.stdin.write("exit\r")
                await asyncio.wait_for(proc.wait_closed(), 5)
                return out, crlf, lf
        finally:
            srv.close()

    out, crlf, lf = asyncio.run(main())
    assert out["terminal length 0"] == "terminal length 0\r\np1#"
    assert "Cisco IOS XE Software, Version 17.09.04a" in out["show version"]
    assert out["show vlan"] == "show vlan\r\n        ^\r\n" + INV + "\r\n\r\np1#"
    assert "Current privilege level is 15" in out["show privilege"]
    assert out["configure terminal"].endswith("End with CNTL/Z.\r\np1(config)#")
    assert out["interface Tunnel0"].endswith("p1(config-if)#")
    assert out["bogus command here"] == ("bogus command here\r\n" + " " * len("p1(config-if)#") + "^\r\n"
                                         + INV + "\r\n\r\np1(config-if)#")
    assert out["end"].endswith("\r\np1#")
    assert "interface Tunnel0\r\n ip address 10.255.0.1 255.255.255.252\r\n" in out[
        "show running-config | section Tunnel0"]
    assert crlf == lf == "show privilege\r\nCurrent privilege level is 15\r\np1#"
    assert dev.stats["ssh_sessions"] == 1
    assert dev.stats["config_transactions"] == 1
    assert dev.stats["cli_commands"] == 15


def test_fault_drops_the_session(dev, lab):
    lab.drop_after = 2
    proc = FakeProcess("show privilege\nshow privilege\nshow privilege\nshow privilege")
    with pytest.raises(ConnectionAbortedError):
        asyncio.run(dev.handle_process(proc))
    assert proc.channel.aborted
    assert proc.output.count("Current privilege level is 15") == 2


def test_enable_with_password(lab):
    dev = IosDevice("p1", lab, dict(BASELINE, start_privileged=False, enable_password="s3cret"))
    out = run_cli(dev, ["show privilege", "configure terminal", "enable", "wrong", "s3cret", "show privilege"])
    assert out.startswith("\np1>show privilege\nCurrent privilege level is 1\n")
    assert "p1>configure terminal\n" in out and INV in out
    assert "p1>enable\nPassword: \nPassword: \np1#show privilege\nCurrent privilege level is 15" in out
    assert "wrong" not in out and "s3cret" not in out       # passwords are not echoed


def test_abbreviations_and_errors(dev):
    out = run_cli(dev, ["sh ip int br", "conf t", "int Tu100", "ip add 10.0.0.1 255.255.255.254", "end",
                        "sh run int Tu100", "co t", "show", "sh crypto ikev2 sa"])
    assert "Tunnel100              10.0.0.1" not in out       # configured after the first show
    assert "p1(config-if)#" in out
    assert " ip address 10.0.0.1 255.255.255.254" in out
    assert '% Ambiguous command:  "co t"' in out
    assert "p1#show\n% Incomplete command." in out
    assert "IPv4 Crypto IKEv2  SA" in out


def test_do_in_config_mode_and_ctrl_z(dev):
    out = run_cli(dev, ["conf t", "do show privilege", "interface Loopback9", "\x1a", "show privilege"])
    assert "p1(config)#do show privilege\nCurrent privilege level is 15\np1(config)#" in out
    assert "p1(config-if)#^Z\np1#" in out


def test_hostname_changes_prompt(dev):
    out = run_cli(dev, ["conf t", "hostname core-p1", "end"])
    assert "core-p1(config)#end\ncore-p1#" in out
    assert dev.view().hostname == "core-p1"


def test_copy_and_configure_replace_restores_exactly(dev, lab):
    before = dev.config_text()
    out = run_cli(dev, ["copy running-config flash:mplssec-pre", ""])
    assert "Destination filename [mplssec-pre]? " in out and "bytes copied" in out
    push(dev, COLLECTION_CONFIG.splitlines())
    assert "interface Tunnel100" in dev.running_config()
    out = run_cli(dev, ["configure replace flash:mplssec-pre force"])
    assert "Total number of passes: 1\nRollback Done" in out
    def strip(t):
        return [ln for ln in t.split("\n") if not ln.startswith("! Last")]
    assert strip(dev.config_text()) == strip(before)
    assert dev.view().interfaces.get("Tunnel100") is None
    # without force: the IOS question, "no" keeps the running config
    push(dev, ["interface Loopback5"])
    out = run_cli(dev, ["configure replace bootflash:mplssec-pre", "n"])
    assert "Enter Y if you are sure you want to proceed. ? [no]: " in out
    assert "interface Loopback5" in dev.running_config()
    out = run_cli(dev, ["configure replace bootflash:mplssec-pre list", "y"])
    assert "no interface Loopback5" in out and "Rollback Done" in out
    assert "interface Loopback5" not in dev.running_config()
    out = run_cli(dev, ["configure replace flash:nope force"])
    assert "%Error opening flash:nope (No such file or directory)" in out


def test_copy_over_an_existing_file_asks_to_overwrite(dev):
    """Real IOS: a second question when the destination exists (pyATS/genielibs captures, ios/README.md)."""
    out = run_cli(dev, ["copy running-config flash:pre.cfg", ""])
    assert "over write" not in out
    push(dev, ["interface Loopback7"])
    # answering only the first prompt leaves IOS waiting at [confirm]: the next line is its answer
    out = run_cli(dev, ["copy running-config flash:pre.cfg", "", "n"])
    assert ("Destination filename [pre.cfg]? \n%Warning:There is a file already existing with this name \n"
            "Do you want to over write? [confirm]") in out
    assert "bytes copied" not in out and "interface Loopback7" not in dev.files["pre.cfg"]
    out = run_cli(dev, ["copy running-config flash:pre.cfg", "", ""])
    assert "bytes copied" in out and "interface Loopback7" in dev.files["pre.cfg"]
    # file prompt quiet: no question at all
    push(dev, ["file prompt quiet", "interface Loopback8"])
    out = run_cli(dev, ["copy running-config flash:pre.cfg"])
    assert "over write" not in out and "interface Loopback8" in dev.files["pre.cfg"]


def test_file_prompt_quiet_and_dir_delete(dev):
    push(dev, ["file prompt quiet"])
    out = run_cli(dev, ["copy running-config flash:snap1", "dir flash:", "delete /force flash:snap1", "dir flash:"])
    assert "Destination filename" not in out
    listing = out.split("p1#dir flash:\n")
    assert "snap1" in listing[1] and "snap1" not in listing[2]
    assert "Directory of bootflash:/" in out


def test_write_memory_counts_commits(dev):
    out = run_cli(dev, ["write memory", "copy running-config startup-config", ""])
    assert out.count("Building configuration...\n[OK]") == 2
    assert dev.stats["commits"] == 2


def test_revert_timer_needs_the_archive(dev):
    """Cisco: a configuration archive must be configured before a timed rollback (ios/README.md)."""
    base = dev.config_text()
    out = run_cli(dev, ["configure terminal revert timer 2", "interface Loopback7", "end"])
    assert "archive path not configured" in out
    assert dev.revert is None
    assert "interface Loopback7" not in dev.running_config()   # the lines went to exec mode: refused there
    assert dev.config_text() == base


def test_revert_timer_rolls_back_to_the_archive_file_unless_confirmed(dev, lab):
    push(dev, ["archive", "path flash:rb", "maximum 2"])
    base = dev.root.clone()
    out = run_cli(dev, ["configure terminal revert timer 2", "interface Loopback7", "end"])
    assert "Rollback Confirmed Change: Backing up current running config to flash:rb-0" in out
    assert "rb-0" in dev.files and "interface Loopback7" not in dev.files["rb-0"]
    assert "interface Loopback7" in dev.running_config()
    out = run_cli(dev, ["show archive config rollback timer"])
    assert "Timer value: 2 min" in out
    # a second timed rollback while one is pending is refused; configure revert timer resets it
    out = run_cli(dev, ["configure terminal revert timer 5"])
    assert "pending" in out
    lab.t += 100
    run_cli(dev, ["configure revert timer 1"])
    lab.t += 59
    run_cli(dev, ["show privilege"])
    assert "interface Loopback7" in dev.running_config()
    lab.t += 2
    run_cli(dev, ["show privilege"])
    assert "interface Loopback7" not in dev.running_config()
    assert dev.root == base
    assert any("Start rolling to: flash:rb-0" in m for m in dev.log)
    # confirmed: stays
    run_cli(dev, ["configure terminal revert timer 1", "interface Loopback8", "end", "configure confirm"])
    lab.t += 120
    run_cli(dev, ["show privilege"])
    assert "interface Loopback8" in dev.running_config()
    assert "%No Rollback Confirmed Change pending" in run_cli(dev, ["show archive config rollback timer"])


def test_the_rollback_reads_the_archive_file_when_it_happens(dev, lab):
    """The timed rollback replaces the configuration with the archive file as it is on flash at that moment
    (lab decision, ios/README.md): a file copied over it is what the router returns to."""
    run_cli(dev, ["copy running-config flash:pre.cfg", ""])
    pre = dev.config_text()
    push(dev, ["archive", "path flash:rb", "maximum 1"])
    out = run_cli(dev, ["configure terminal revert timer 1", "interface Loopback9", "end",
                        "copy flash:pre.cfg flash:rb-0", "", ""])
    assert "Do you want to over write? [confirm]" in out and "bytes copied" in out
    assert "archive" not in dev.files["rb-0"]
    out = run_cli(dev, ["configure revert now"])
    assert "Rollback Done" in out
    def strip(t):
        return [ln for ln in t.split("\n") if not ln.startswith("! Last")]
    assert strip(dev.config_text()) == strip(pre)
    assert dev.revert is None


def test_configure_replace_time_reverts_unless_confirmed(dev, lab):
    run_cli(dev, ["copy running-config flash:pre.cfg", ""])
    push(dev, ["interface Loopback5"])
    out = run_cli(dev, ["configure replace flash:pre.cfg force time 1"])
    assert "archive path not configured" in out and "interface Loopback5" in dev.running_config()
    push(dev, ["archive", "path flash:rb"])
    with_lo5 = dev.root.clone()
    out = run_cli(dev, ["configure replace flash:pre.cfg force time 1"])
    assert "Backing up current running config to flash:rb-0" in out and "Rollback Done" in out
    assert "interface Loopback5" not in dev.running_config()
    lab.t += 61
    run_cli(dev, ["show privilege"])
    assert dev.root == with_lo5     # not confirmed: back to the state before the replace


def test_revert_timer_fires_without_a_session(dev, lab):
    push(dev, ["archive", "path flash:rb"])
    async def main():
        proc = FakeProcess("configure terminal revert timer 1\ninterface Loopback7\nend")
        await dev.handle_process(proc)
        lab.t += 61
        await asyncio.sleep(0.5)
    asyncio.run(main())
    assert "interface Loopback7" not in dev.running_config()


def test_archive(dev):
    out = run_cli(dev, ["archive config"])
    assert "% Archive path not specified" in out
    push(dev, ["archive", "path flash:mplssec-", "maximum 3"])
    run_cli(dev, ["archive config"] * 4)
    out = run_cli(dev, ["show archive"])
    assert "The maximum archive configurations allowed is 3." in out
    assert "flash:mplssec--3 <- Most Recent" in out
    assert "flash:mplssec--0" not in out
    assert "The next archive file will be named flash:mplssec--4" in out
    names = [n for n in dev.files if n.startswith("mplssec-")]
    assert sorted(names) == ["mplssec--1", "mplssec--2", "mplssec--3"]
    out = run_cli(dev, ["configure replace flash:mplssec--3 force"])
    assert "Rollback Done" in out


def test_config_changed_called_per_changing_line(dev, lab):
    n = len(lab.changes)
    push(dev, ["interface Loopback1", "description x", "description x", "ip address 10.9.9.9 255.255.255.255"])
    assert len(lab.changes) - n == 3        # create, description, address (the repeat changes nothing)


def test_pipes(dev):
    push(dev, COLLECTION_CONFIG.splitlines())
    out = run_cli(dev, ["show running-config | section Tunnel100", "show run | include ^interface",
                        "show run | sec ip access-group", "show run | begin ^router ospf", "show run | count ^interface",
                        "show run | exclude ^ |^!"])
    sec = out.split("p1#show running-config | section Tunnel100\n")[1].split("p1#")[0]
    assert sec.startswith("interface Tunnel100\n no ip address\n") is False
    assert sec.startswith("interface Tunnel100\n description MPLSSEC core1 to p2\n")
    assert "tunnel protection ipsec profile MPLSSEC-CORE1" in sec and "GigabitEthernet1" not in sec
    inc = out.split("p1#show run | include ^interface\n")[1].split("p1#")[0].split("\n")
    assert inc[:3] == ["interface Loopback0", "interface Tunnel100", "interface GigabitEthernet1"]
    acc = out.split("p1#show run | sec ip access-group\n")[1].split("p1#")[0]
    assert acc.startswith("interface GigabitEthernet2\n") and acc.count("interface") == 1
    beg = out.split("p1#show run | begin ^router ospf\n")[1].split("p1#")[0]
    assert beg.startswith("router ospf 1\n") and beg.rstrip().endswith("end")
    assert "Number of lines which match regexp = 5" in out
    assert "pre-shared-key local Sup3rSecretPSK-core1" not in out.split("p1#show run | exclude")[1]


def test_pre_shared_key_type_0_is_shown_without_the_type(dev):
    push(dev, ["crypto ikev2 keyring K", "peer P", "pre-shared-key 0 Abcd-efgh-ijkl-mnop"])
    assert "  pre-shared-key Abcd-efgh-ijkl-mnop\n" in dev.running_config()


def test_configure_replace_keeps_other_sessions_root(dev):
    root = dev.root
    run_cli(dev, ["copy running-config flash:base", "", "configure terminal", "interface Loopback3", "end",
                  "configure replace flash:base force"])
    assert dev.root is root and "Loopback3" not in dev.running_config()


def test_enable_without_password(lab):
    dev = IosDevice("p1", lab, dict(BASELINE, start_privileged=False))
    out = run_cli(dev, ["enable", "show privilege"])
    assert "p1>enable\n% No password set\np1>show privilege\nCurrent privilege level is 1" in out
