"""Real device classes + physics: push encryption configs over SSH (as an operator would) and check what the
lab derives.  Pair 1 (IOS–Junos, GRE over sVTI/st0, tunnel mode) uses the deploy role's golden renders for
core1 (committed; a missing one fails; same addressing as the lab); pair 2 (IOS–IOS, GRE + tunnel protection, transport mode)
uses a hand-written configuration."""
from __future__ import annotations

import asyncio
import json
import os
import time

import asyncssh
import yaml

GOLDEN = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "golden", "deploy", "core1")
PHASES = ("phase1", "phase3", "phase4", "phase5")

IOS_IOS = {
    "p3": ("192.0.2.2", "192.0.2.3", "198.51.100.2"),
    "p4": ("192.0.2.3", "192.0.2.2", "198.51.100.3"),
}


def ios_transport(host, psk="lab-e2e-psk-0123456789", group=20):
    local, peer, tun = IOS_IOS[host]
    return f"""crypto ikev2 proposal MPLSSEC-CORE2
 encryption aes-gcm-256
 prf sha384
 group {group}
crypto ikev2 policy MPLSSEC-CORE2
 proposal MPLSSEC-CORE2
crypto ikev2 keyring MPLSSEC-CORE2
 peer MPLSSEC-CORE2
  address {peer}
  pre-shared-key {psk}
crypto ikev2 profile MPLSSEC-CORE2
 match identity remote address {peer} 255.255.255.255
 identity local address {local}
 authentication remote pre-share
 authentication local pre-share
 keyring local MPLSSEC-CORE2
crypto ipsec transform-set MPLSSEC-CORE2 esp-gcm 256
 mode transport
crypto ipsec profile MPLSSEC-CORE2
 set transform-set MPLSSEC-CORE2
 set pfs group20
 set ikev2-profile MPLSSEC-CORE2
interface Tunnel100
 ip address {tun} 255.255.255.254
 ip mtu 1434
 ip ospf 1 area 0
 ip ospf network point-to-point
 mpls ip
 tunnel source GigabitEthernet2
 tunnel destination {peer}
 tunnel protection ipsec profile MPLSSEC-CORE2
interface GigabitEthernet2
 no mpls ip
 no ip ospf 1 area 0
""".splitlines()


async def _shell(port, password, enable, lines, platform):
    async with asyncssh.connect("127.0.0.1", port=port, username="admin", password=password,
                                known_hosts=None, connect_timeout=20) as conn:
        proc = await conn.create_process(term_type="vt100")
        out = []

        async def prompt():
            buf = ""
            while True:
                chunk = await asyncio.wait_for(proc.stdout.read(65536), 30)
                if not chunk:
                    return buf
                buf += chunk
                tail = buf.rstrip(" ")
                if tail.endswith((">", "#", "assword:")):
                    return buf

        async def send(line):
            proc.stdin.write(line + "\r")
            text = await prompt()
            out.append(text)
            return text
        await prompt()
        if platform == "ios":
            if (await send("enable")).rstrip().endswith("assword:"):
                await send(enable)
            await send("configure terminal")
            for line in lines:
                await send(line)
            await send("end")
        else:
            await send("configure")
            for line in lines:
                await send(line)
            await send("commit and-quit")
        proc.stdin.write("exit\r")
        return "".join(out)


def _login(runner, host):
    """(port, password, enable password, platform) of ``host`` from the lab's inventory."""
    with open(runner.inventory) as fh:
        inv = yaml.safe_load(fh)
    groups = inv["all"]["children"]["routers"]["children"]
    platform = "ios" if host in groups.get("ios", {}).get("hosts", {}) else "junos"
    port = groups[platform]["hosts"][host]["ansible_port"]
    enable = groups.get("ios", {}).get("vars", {}).get("ansible_become_password")
    return port, inv["all"]["vars"]["ansible_password"], enable, platform


def push(runner, host, lines):
    port, password, enable, platform = _login(runner, host)
    out = asyncio.run(_shell(port, password, enable, lines, platform))
    bad = [x for x in out.splitlines() if "% Invalid" in x or "syntax error" in x or x.startswith("error:")]
    assert not bad, f"{host} rejected configuration: {bad}\n{out[-3000:]}"
    return out


def state(runner, host):
    return json.loads(runner.run("state", host).stdout)


def adj(st, proto):
    return sorted(a["interface"] for a in st["adjacencies"] if a["protocol"] == proto)


def ping(runner, host, dst, size, labels=0):
    p = runner.run("ping", host, dst, "--size", str(size), "--df", "--count", "2", "--labels", str(labels),
                   check=False)
    return p.returncode == 0, p.stdout


def test_ios_ios_transport_end_to_end(lab_runner):
    lab_runner.up(pairs=2)
    assert state(lab_runner, "p3")["clear_mpls_interfaces"] == ["GigabitEthernet2"]
    push(lab_runner, "p3", ios_transport("p3"))
    mid = state(lab_runner, "p3")
    assert not any(s["established"] for s in mid["ipsec_sas"])     # one side only: no SA yet
    push(lab_runner, "p4", ios_transport("p4"))
    for h in ("p3", "p4"):
        st = state(lab_runner, h)
        assert [s["established"] for s in st["ike_sas"]] == [True], st["ike_sas"]
        assert [(s["established"], s["mode"]) for s in st["ipsec_sas"]] == [(True, "transport")], st["ipsec_sas"]
        assert "Tunnel100" in adj(st, "ospf") and "Tunnel100" in adj(st, "ldp")
        assert st["clear_mpls_interfaces"] == []
    ok, out = ping(lab_runner, "p3", "198.51.100.3", 1434)
    assert ok, out
    ok, out = ping(lab_runner, "p3", "198.51.100.3", 1435)
    assert not ok and "reason=mtu" in out
    # labelled transit traffic at the planned size still fits a full 1500 carrier ...
    assert ping(lab_runner, "p3", "198.51.100.3", 1434, labels=0)[0]
    # ... and a carrier that silently delivers only 1496 breaks the largest packets
    lab_runner.run("fault", "carrier-mtu", "1496", "2")
    ok, out = ping(lab_runner, "p3", "198.51.100.3", 1434, labels=2)
    assert not ok and "reason=timeout" in out
    lab_runner.run("fault", "clear")
    # PSK changed on one side: the running SAs keep their authentication (RFC 7296: the PSK is used in
    # IKE_AUTH only) until they are set up again; a clear does that, and then the SA goes away, LDP with it
    push(lab_runner, "p4", ["crypto ikev2 keyring MPLSSEC-CORE2", " peer MPLSSEC-CORE2",
                            "  pre-shared-key another-psk-that-differs"])
    assert all(s["established"] for s in state(lab_runner, "p3")["ipsec_sas"])
    asyncio.run(_exec(lab_runner, "p4", "clear crypto session remote 192.0.2.2"))
    time.sleep(1.2)
    st = state(lab_runner, "p3")
    assert not any(s["established"] for s in st["ipsec_sas"])
    assert "pre-shared key mismatch" in st["ike_sas"][0]["reason"]
    assert "Tunnel100" not in adj(st, "ldp")


def test_ios_junos_golden_core1_end_to_end(lab_runner):
    lab_runner.up(pairs=1)
    for phase in PHASES:
        for host, plat in (("p1", "ios"), ("p2", "junos")):
            path = os.path.join(GOLDEN, f"{host}-{plat}-{phase}.cfg")  # committed golden render: must exist
            with open(path) as fh:
                push(lab_runner, host, [x for x in fh.read().splitlines() if x.strip()])
    p1, p2 = state(lab_runner, "p1"), state(lab_runner, "p2")
    for st in (p1, p2):
        assert any(s["established"] for s in st["ike_sas"]), st["ike_sas"]
        assert any(s["established"] and s["mode"] == "tunnel" for s in st["ipsec_sas"]), st["ipsec_sas"]
        assert st["clear_mpls_interfaces"] == []
    assert p1["interfaces_up"]["Tunnel1100"] and p1["interfaces_up"]["Tunnel100"]
    assert p2["interfaces_up"]["st0.100"] and p2["interfaces_up"]["gr-0/0/0.100"]
    assert "Tunnel100" in adj(p1, "ospf") and "Tunnel100" in adj(p1, "ldp")
    assert "gr-0/0/0.100" in adj(p2, "ldp")


def stream(runner, action, link="core1"):
    return json.loads(runner.run("stream", action, link).stdout)


def ike_up(runner, host):
    return [s["established"] for s in state(runner, host)["ike_sas"]] == [True]


def test_psk_change_keeps_the_sas_clear_renegotiates_with_the_new_key(lab_runner):
    """RFC 7296: the PSK is used in IKE_AUTH only; an IKEv2 SA survives a changed key and is rekeyed without
    one. A cleared SA is re-negotiated from scratch with the keys in force: a mismatch keeps it down."""
    lab_runner.up(pairs=1)
    for phase in PHASES:
        for host, plat in (("p1", "ios"), ("p2", "junos")):
            with open(os.path.join(GOLDEN, f"{host}-{plat}-{phase}.cfg")) as fh:
                push(lab_runner, host, [x for x in fh.read().splitlines() if x.strip()])
    assert ike_up(lab_runner, "p1") and ike_up(lab_runner, "p2")
    spi = state(lab_runner, "p1")["ipsec_sas"][0]["spi_in"]
    assert stream(lab_runner, "start")["lost"] == 0
    # one side only gets a new key: nothing happens to the running SAs
    push(lab_runner, "p1", ["crypto ikev2 keyring MPLSSEC-CORE1", " peer MPLSSEC-CORE1", "  pre-shared-key NEW-key-only-on-p1"])
    time.sleep(0.3)
    assert ike_up(lab_runner, "p1") and state(lab_runner, "p1")["ipsec_sas"][0]["spi_in"] == spi
    assert stream(lab_runner, "show")["lost"] == 0
    # a clear re-authenticates: the keys differ, the SA stays down and the stream loses packets
    out = asyncio.run(_exec(lab_runner, "p1", "clear crypto session"))
    assert "Invalid" not in out, out
    time.sleep(1.5)
    st = state(lab_runner, "p1")["ike_sas"][0]
    assert not st["established"] and "pre-shared key mismatch" in st["reason"], st
    lost = stream(lab_runner, "show")
    assert lost["lost"] > 0 and lost["down"] and lost["down"][0]["seconds"] > 0, lost
    # the same key on the other side: the next negotiation succeeds, with new SPIs
    push(lab_runner, "p2", ['set security ike policy MPLSSEC-CORE1 pre-shared-key ascii-text "NEW-key-only-on-p1"'])
    assert ike_up(lab_runner, "p1") and ike_up(lab_runner, "p2")
    assert state(lab_runner, "p1")["ipsec_sas"][0]["spi_in"] != spi
    final = stream(lab_runner, "stop")
    assert final["down"][-1]["seconds"] >= 1.0 and not any(w.get("open") for w in final["down"]), final


def test_junos_clear_ike_renegotiates_after_a_hold(lab_runner):
    lab_runner.up(pairs=1)
    for phase in PHASES:
        for host, plat in (("p1", "ios"), ("p2", "junos")):
            with open(os.path.join(GOLDEN, f"{host}-{plat}-{phase}.cfg")) as fh:
                push(lab_runner, host, [x for x in fh.read().splitlines() if x.strip()])
    stream(lab_runner, "start")
    out = asyncio.run(_exec(lab_runner, "p2", "clear security ike security-associations 192.0.2.0"))
    assert "error" not in out, out
    assert not ike_up(lab_runner, "p2")
    time.sleep(1.3)
    assert ike_up(lab_runner, "p2") and ike_up(lab_runner, "p1")
    report = stream(lab_runner, "stop")
    assert len(report["down"]) == 1 and 0.9 <= report["down"][0]["seconds"] < 2.5, report
    assert report["lost"] >= 90, report      # 100 packets/s for about a second


async def _exec_shell(port, password, enable, line, platform):
    async with asyncssh.connect("127.0.0.1", port=port, username="admin", password=password,
                                known_hosts=None, connect_timeout=20) as conn:
        proc = await conn.create_process(term_type="vt100")
        buf = ""

        async def prompt():
            nonlocal buf
            while True:
                chunk = await asyncio.wait_for(proc.stdout.read(65536), 30)
                buf += chunk
                if not chunk or buf.rstrip(" ").endswith((">", "#", "assword:")):
                    return
        await prompt()
        if platform == "ios":
            proc.stdin.write("enable\r")
            await prompt()
            if buf.rstrip().endswith("assword:"):
                proc.stdin.write(enable + "\r")
                await prompt()
        mark = len(buf)
        proc.stdin.write(line + "\r")
        await prompt()
        proc.stdin.write("exit\r")
        return buf[mark:]


async def _exec(runner, host, line):
    port, password, enable, platform = _login(runner, host)
    return await _exec_shell(port, password, enable, line, platform)


def test_lsp_ping_cli_both_vendors(lab_runner):
    """``ping mpls ipv4 ... force-explicit-null`` (IOS) and ``ping mpls ldp`` (Junos) answer from the physics:
    labels cross the encrypted tunnel up to the MPLS MTU; above it IOS does not send ('Q'); without MPLS on the
    far end of the tunnel there is no LDP binding ('Q'); before encryption the LSP runs over the carrier."""
    lab_runner.up(pairs=2)
    run = lambda host, line: asyncio.run(_exec(lab_runner, host, line))  # noqa: E731
    clear = run("p3", "ping mpls ipv4 203.0.113.4/32 size 1500 repeat 5 force-explicit-null")
    assert "Sending 5, 1500-byte MPLS Echos to 203.0.113.4/32," in clear and "!!!!!" in clear, clear
    for h in ("p3", "p4"):
        push(lab_runner, h, ios_transport(h))
    out = run("p3", "ping mpls ipv4 203.0.113.4/32 size 1434 repeat 5 force-explicit-null")
    assert "!!!!!" in out and "Success rate is 100 percent (5/5)" in out, out
    out = run("p3", "ping mpls ipv4 203.0.113.4/32 size 1435 repeat 5 force-explicit-null")
    assert "QQQQQ" in out and "Success rate is 0 percent (0/5)" in out, out
    push(lab_runner, "p4", ["interface Tunnel100", " no mpls ip"])
    out = run("p3", "ping mpls ipv4 203.0.113.4/32 size 200 repeat 5 force-explicit-null")
    assert "QQQQQ" in out, out
    for phase in PHASES:
        for host, plat in (("p1", "ios"), ("p2", "junos")):
            with open(os.path.join(GOLDEN, f"{host}-{plat}-{phase}.cfg")) as fh:
                push(lab_runner, host, [x for x in fh.read().splitlines() if x.strip()])
    out = run("p2", "ping mpls ldp 203.0.113.1 size 1300 count 5")
    assert "!!!!!" in out and "5 packets transmitted, 5 packets received, 0% packet loss" in out, out
    out = run("p2", "ping mpls ldp 203.0.113.9 count 3")
    assert "..." in out and "3 packets transmitted, 0 packets received, 100% packet loss" in out, out
