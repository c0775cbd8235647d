"""Configuration grammar: accept/reject tables, round-trip, idempotence, canonical order."""
import re

import pytest
from ios_helpers import COLLECTION_CONFIG, push

from mplssec_lab.ios import parser as P
from mplssec_lab.ios.config import render_lines

INV = "% Invalid input detected at '^' marker."


def caret_col(transcript, line):
    """Column of the caret under `line` (relative to the start of the command text)."""
    lines = transcript.split("\n")
    for i, ln in enumerate(lines):
        if ln.endswith("#" + line) and i + 1 < len(lines) and lines[i + 1].strip() == "^":
            prompt_len = len(ln) - len(line)
            return lines[i + 1].index("^") - prompt_len
    raise AssertionError(f"no caret for {line!r} in\n{transcript}")


ACCEPT = [
    ("interface Tunnel100", ["ip address 198.51.100.0 255.255.255.254"], " ip address 198.51.100.0 255.255.255.254"),
    ("interface Tunnel100", ["tunnel mode ipsec ipv4"], " tunnel mode ipsec ipv4"),
    ("interface Tunnel100", ["tunnel key 100"], " tunnel key 100"),
    ("interface Tunnel100", ["tunnel path-mtu-discovery"], " tunnel path-mtu-discovery"),
    ("interface Tunnel100", ["tun so gi2"], " tunnel source GigabitEthernet2"),
    ("interface Tunnel100", ["ip mtu 1418"], " ip mtu 1418"),
    ("interface Tunnel100", ["ip tcp adjust-mss 1378"], " ip tcp adjust-mss 1378"),
    ("interface Tunnel100", ["ipv6 address 2001:db8:ff::/127"], " ipv6 address 2001:DB8:FF::/127"),
    ("interface Tunnel100", ["ipv6 enable"], " ipv6 enable"),
    ("interface Tunnel100", ["ip ospf network point-to-point"], " ip ospf network point-to-point"),
    ("interface Tunnel100", ["ip router isis"], " ip router isis"),
    ("interface Tunnel100", ["ip ospf hello-interval 5"], " ip ospf hello-interval 5"),
    ("interface Tunnel100", ["ip ospf dead-interval 20"], " ip ospf dead-interval 20"),
    ("interface Tunnel100", ["isis metric 10"], " isis metric 10"),
    ("interface Tunnel100", ["isis network point-to-point"], " isis network point-to-point"),
    ("interface Tunnel100", ["mpls mtu 1426"], " mpls mtu 1426"),
    ("interface Tunnel100", ["shutdown"], " shutdown"),
    ("interface GigabitEthernet2", ["ip access-group F in"], " ip access-group F in"),
    ("crypto ikev2 proposal P", ["encryption aes-gcm-256 aes-gcm-128"], " encryption aes-gcm-256 aes-gcm-128"),
    ("crypto ikev2 proposal P", ["encryption aes-cbc-256", "encryption aes-cbc-128"],
     " encryption aes-cbc-256 aes-cbc-128"),
    ("crypto ikev2 proposal P", ["integrity sha512"], " integrity sha512"),
    ("crypto ikev2 proposal P", ["group 19 20 21"], " group 19 20 21"),
    ("crypto ikev2 keyring K", ["peer X", "address 192.0.2.1 255.255.255.255"], "  address 192.0.2.1 255.255.255.255"),
    ("crypto ikev2 keyring K", ["peer X", "pre-shared-key 6 abcdef0123456789"], "  pre-shared-key 6 abcdef0123456789"),
    ("crypto ikev2 keyring K", ["peer X", "identity address 192.0.2.1"], "  identity address 192.0.2.1"),
    ("crypto ikev2 profile R", ["match identity remote address 192.0.2.1"],
     " match identity remote address 192.0.2.1 255.255.255.255"),
    ("crypto ikev2 profile R", ["lifetime 3600"], " lifetime 3600"),
    ("crypto ikev2 profile R", ["dpd 10 3 on-demand"], " dpd 10 3 on-demand"),
    ("crypto ikev2 profile R", ["pki trustpoint TP"], " pki trustpoint TP"),
    ("crypto ipsec transform-set T esp-aes 256 esp-sha256-hmac", ["mode transport"], " mode transport"),
    # real IOS accepts 'require' (transport only, no fallback to tunnel): issue 8 section 5
    ("crypto ipsec transform-set T esp-aes 256 esp-sha256-hmac", ["mode transport require"], " mode transport require"),
    ("crypto ipsec profile I", ["set security-association lifetime seconds 1800"],
     " set security-association lifetime seconds 1800"),
    ("crypto ipsec profile I", ["set pfs group21"], " set pfs group21"),
    # vendor-truth #9/#10: Cisco IPsec data plane guide ("IPsec Anti-Replay Window: Expanding and Disabling"),
    # genielibs configure_ipsec_profile, public C8000V configs
    ("crypto ipsec profile I", ["set security-association lifetime kilobytes disable"],
     " set security-association lifetime kilobytes disable"),
    ("crypto ipsec profile I", ["set security-association replay window-size 1024"],
     " set security-association replay window-size 1024"),
    ("crypto ipsec profile I", ["set security-association replay disable"], " set security-association replay disable"),
    ("router ospf 1", ["passive-interface GigabitEthernet3"], " passive-interface GigabitEthernet3"),
    ("router ospf 1", ["network 10.0.0.0 0.0.0.255 area 0"], " network 10.0.0.0 0.0.0.255 area 0"),
    ("router isis", ["net 49.0001.2030.0011.3001.00"], " net 49.0001.2030.0011.3001.00"),
    ("router isis", ["metric-style wide"], " metric-style wide"),
    ("ip access-list extended F", ["permit udp host 192.0.2.1 host 192.0.2.0 eq 4500"],
     " 10 permit udp host 192.0.2.1 host 192.0.2.0 eq non500-isakmp"),
    ("ip access-list extended F", ["permit 50 host 192.0.2.1 host 192.0.2.0"],
     " 10 permit esp host 192.0.2.1 host 192.0.2.0"),
    ("ip access-list extended F", ["permit gre any any", "remark fail closed"], " 20 remark fail closed"),
    ("ip access-list extended F", ["15 deny ip any any"], " 15 deny ip any any"),
    ("archive", ["path flash:mplssec-", "maximum 5"], " maximum 5"),
]


@pytest.mark.parametrize("parent,lines,expect", ACCEPT)
def test_accept(dev, parent, lines, expect):
    out = push(dev, [parent, *lines])
    assert INV not in out and "% Incomplete" not in out, out
    assert expect in dev.running_config().split("\n"), dev.running_config()


GLOBAL_ACCEPT = [
    ("crypto ipsec df-bit clear", "crypto ipsec df-bit clear"),
    ("crypto ipsec fragmentation after-encryption", "crypto ipsec fragmentation after-encryption"),
    ("file prompt quiet", "file prompt quiet"),
    ("mpls ldp router-id Loopback0", "mpls ldp router-id Loopback0"),
    ("crypto isakmp key k3y address 192.0.2.1", "crypto isakmp key k3y address 192.0.2.1"),
    ("hostname p1-new", "hostname p1-new"),
]


@pytest.mark.parametrize("line,expect", GLOBAL_ACCEPT)
def test_accept_global(dev, line, expect):
    out = push(dev, [line])
    assert INV not in out, out
    assert expect in dev.running_config().split("\n")


REJECT = [
    # (mode line, bad line, message, caret token index or None)
    ("interface Tunnel100", "tunnel sorce GigabitEthernet2", INV, 1),
    ("interface Tunnel100", "tunnel source", "% Incomplete command.", None),
    ("interface Tunnel100", "tunnel mode gre ipx", INV, 3),
    ("interface Tunnel100", "ip mtu 67", INV, 2),
    ("interface Tunnel100", "ip tcp adjust-mss 1461", INV, 3),
    ("interface Tunnel100", "ip address 10.0.0.1", "% Incomplete command.", None),
    ("interface Tunnel100", "ip address 10.0.0.1 255.0.255.0", "Bad mask 0xFF00FF00 for address 10.0.0.1", None),
    ("interface Tunnel100", "ip address 10.0.0.300 255.255.255.0", INV, 2),
    ("interface GigabitEthernet2", "tunnel source Loopback0", INV, 0),
    ("interface GigabitEthernet2", "ip mtu 1501", INV, 2),
    ("crypto ikev2 proposal P", "encryption aes-gcm-512", INV, 1),
    ("crypto ikev2 proposal P", "group 13", INV, 1),
    ("crypto ikev2 proposal P", "integrity", "% Incomplete command.", None),
    ("crypto ikev2 profile R", "authentication local psk", INV, 2),
    ("crypto ikev2 profile R", "dpd 10 3", "% Incomplete command.", None),
    ("crypto ipsec profile I", "set pfs group13", INV, 2),
    ("crypto ipsec profile I", "set security-association replay window-size 2000", INV, 4),
    ("crypto ipsec profile I", "set security-association replay-window 1024", INV, 2),
    ("crypto ipsec profile I", "set security-association lifetime kilobytes off", INV, 4),
    ("crypto ipsec profile I", "set transform-set", "% Incomplete command.", None),
    ("ip access-list extended F", "permit udp host 192.0.2.1 hots 192.0.2.0", INV, 4),
    ("router ospf 1", "router-id 1.2.3", INV, 1),
]


@pytest.mark.parametrize("parent,bad,msg,pos", REJECT)
def test_reject(dev, parent, bad, msg, pos):
    before = dev.running_config()
    out = push(dev, [parent, bad])
    assert msg in out, out
    if pos is not None:
        tok_cols = [m.start() for m in re.finditer(r"\S+", bad)]
        assert caret_col(out, bad) == tok_cols[pos]
    # the bad line changed nothing but the (possibly new) parent
    added = set(dev.running_config().split("\n")) - set(before.split("\n"))
    assert {a for a in added if not a.startswith(("! Last", "Current config"))} <= {parent, " no ip address"}


def test_reject_global(dev):
    out = push(dev, ["crypto ikev3 proposal X"])
    assert caret_col(out, "crypto ikev3 proposal X") == len("crypto ")
    out = push(dev, ["interface GigabitEthernet9"])
    assert INV in out
    out = push(dev, ["crypto ikev2 proposal"])
    assert "% Incomplete command." in out
    out = push(dev, ["c"])
    assert '% Ambiguous command:  "c"' in out


def test_tunnel_mode_gre_ip_is_hidden(dev):
    push(dev, ["interface Tunnel5", "tunnel mode ipsec ipv4"])
    assert " tunnel mode ipsec ipv4" in dev.running_config()
    push(dev, ["interface Tunnel5", "tunnel mode gre ip"])
    assert "tunnel mode" not in dev.running_config()
    push(dev, ["crypto ipsec transform-set T esp-gcm 256", "mode tunnel"])
    assert "crypto ipsec transform-set T esp-gcm 256 \n!" in dev.running_config()


def test_no_forms_remove_exactly_that_line(dev):
    push(dev, COLLECTION_CONFIG.splitlines())
    rc = dev.running_config()
    push(dev, ["interface Tunnel100", "no tunnel protection ipsec profile MPLSSEC-CORE1", "no ip mtu"])
    rc2 = dev.running_config()
    assert "tunnel protection" not in rc2 and " ip mtu 1418" not in rc2
    assert [ln for ln in rc.split("\n") if "protection" not in ln and "ip mtu" not in ln and "Last conf" not in ln
            and "Current configuration" not in ln] == \
        [ln for ln in rc2.split("\n") if "Last conf" not in ln and "Current configuration" not in ln]
    push(dev, ["no crypto ipsec profile MPLSSEC-CORE1", "no interface Tunnel100",
               "crypto ikev2 keyring MPLSSEC-CORE1", "no peer MPLSSEC-CORE1",
               "ip access-list extended MPLSSEC-CORE1-IN", "no 20", "no deny ip any any"])
    rc3 = dev.running_config()
    assert "crypto ipsec profile" not in rc3 and "interface Tunnel100" not in rc3
    assert "peer MPLSSEC-CORE1" not in rc3 and "non500-isakmp" not in rc3 and "deny ip any any" not in rc3
    assert " 30 permit esp host 192.0.2.1 host 192.0.2.0" in rc3
    push(dev, ["crypto ikev2 proposal MPLSSEC-CORE1", "no group 20", "no encryption"])
    assert " prf sha384" in dev.running_config() and " group 20" not in dev.running_config()


def test_physical_interface_cannot_be_removed(dev):
    out = push(dev, ["no interface GigabitEthernet2"])
    assert "interface GigabitEthernet2" in dev.running_config()
    assert "not permitted" in out


def test_mode_fallthrough(dev):
    out = push(dev, ["interface Tunnel7", "crypto ikev2 proposal P", "encryption aes-cbc-128",
                     "interface Tunnel8", "ip address 10.9.9.9 255.255.255.255"])
    assert "p1(config-ikev2-proposal)#encryption aes-cbc-128" in out
    assert "p1(config-if)#ip address 10.9.9.9" in out
    assert INV not in out


def _canon(dev):
    return [ln for ln in dev.running_config().split("\n") if not ln.startswith(("! Last", "Current configuration"))]


def test_idempotent_repush(dev, lab):
    push(dev, COLLECTION_CONFIG.splitlines())
    first = _canon(dev)
    n = len(lab.changes)
    push(dev, COLLECTION_CONFIG.splitlines())
    assert _canon(dev) == first
    assert len(lab.changes) == n, "re-pushing identical lines must not change the config"
    # pushing the running config's own lines back (what ios_config compares) changes nothing either
    push(dev, [ln for ln in first if ln and not ln.startswith(("!", "Building", "version", "end"))])
    assert _canon(dev) == first
    assert len(lab.changes) == n


def test_round_trip(dev):
    push(dev, COLLECTION_CONFIG.splitlines())
    text = dev.config_text()
    root, errors = P.load_text(text, hardware=dev.hardware)
    assert errors == []
    assert root == dev.root
    assert render_lines(root) == render_lines(dev.root)


def test_order_independent_canonical_render(dev, lab):
    from ios_helpers import BASELINE

    from mplssec_lab.ios import IosDevice
    other = IosDevice("p1", lab, BASELINE)
    blocks, cur = [], []
    for ln in COLLECTION_CONFIG.splitlines():
        if not ln.startswith(" ") and cur:
            blocks.append(cur)
            cur = []
        cur.append(ln)
    blocks.append(cur)
    push(dev, COLLECTION_CONFIG.splitlines())
    # reversed block order, reversed children order (same meaning)
    rev = []
    for b in reversed(blocks):
        if b[0].startswith("crypto ikev2 keyring") or b[0].startswith("ip access-list"):
            rev += b
        else:
            rev += [b[0]] + list(reversed(b[1:]))
    push(other, rev)
    assert _canon(other) == _canon(dev)


def test_canonical_section_order(dev):
    push(dev, COLLECTION_CONFIG.splitlines() + ["router isis", "net 49.0001.2030.0011.3001.00",
                                                 "archive", "path flash:mplssec-", "file prompt quiet",
                                                 "crypto ipsec df-bit clear", "interface Loopback1"])
    lines = [ln for ln in dev.running_config().split("\n") if ln and not ln.startswith((" ", "!"))]
    order = ["version", "service timestamps", "hostname", "boot-start-marker", "file prompt quiet", "archive",
             "username", "crypto ikev2 proposal", "crypto ikev2 policy", "crypto ikev2 keyring",
             "crypto ikev2 profile", "crypto ipsec transform-set", "crypto ipsec df-bit", "crypto ipsec profile",
             "interface Loopback0", "interface Loopback1", "interface Tunnel100", "interface GigabitEthernet1",
             "interface GigabitEthernet2", "interface GigabitEthernet3", "router ospf", "router isis",
             "ip forward-protocol", "ip access-list extended", "mpls ldp router-id", "control-plane",
             "line con 0", "line vty", "end"]
    idx = [next(i for i, ln in enumerate(lines) if ln.startswith(o)) for o in order]
    assert idx == sorted(idx), list(zip(order, idx, strict=True))
    # children in IOS's fixed order
    tun = dev.running_config().split("interface Tunnel100\n", 1)[1].split("!\n", 1)[0].split("\n")
    keys = [" description", " ip address", " ip mtu", " ip tcp adjust-mss", " ip ospf 1", " ip ospf cost",
            " mpls ip", " mpls mtu", " tunnel source", " tunnel destination", " tunnel protection"]
    pos = [next(i for i, ln in enumerate(tun) if ln.startswith(k)) for k in keys]
    assert pos == sorted(pos)


def test_one_space_indent_and_bang_separators(dev):
    push(dev, COLLECTION_CONFIG.splitlines())
    rc = dev.running_config()
    assert "crypto ikev2 keyring MPLSSEC-CORE1\n peer MPLSSEC-CORE1\n  address 192.0.2.1\n" in rc
    assert "\n !\n!\ncrypto ikev2 profile" in rc
    assert "interface Tunnel100\n description" in rc


def test_refused_line_keeps_the_mode(dev):
    out = push(dev, ["interface Tunnel1", "mpls ldp router-id GigabitEthernet7", "description still here"])
    assert "p1(config-if)#description still here" in out
    assert "interface Tunnel1\n no ip address\n description still here" not in dev.running_config()
    assert " description still here" in dev.running_config()


def test_unknown_physical_interface_reference_refused(dev):
    out = push(dev, ["interface Tunnel1", "tunnel source GigabitEthernet9"])
    assert caret_col(out, "tunnel source GigabitEthernet9") == len("tunnel source ")
    assert "GigabitEthernet9" not in dev.running_config()


def test_incomplete_ikev2_proposal_warns_on_exit(dev):
    msg = "IKEv2 proposal MUST either have a set of an encryption algorithm other than aes-gcm"
    out = push(dev, ["crypto ikev2 proposal A", "encryption aes-gcm-256", "integrity sha256", "group 20", "exit"])
    assert msg in out
    out = push(dev, ["crypto ikev2 proposal B", "encryption aes-gcm-256", "prf sha384", "group 20", "exit",
                     "crypto ikev2 proposal C", "encryption aes-cbc-256", "integrity sha256", "group 19"])
    assert msg not in out
    out = push(dev, ["crypto ikev2 proposal D", "encryption aes-cbc-128"])     # left with "end"
    assert msg in out
