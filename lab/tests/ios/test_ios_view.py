"""Config -> DeviceView: the normalised vocabulary of model.py."""
import ipaddress

import pytest
from ios_helpers import COLLECTION_CONFIG, push

from mplssec_lab.ios.view import esp_transform


@pytest.mark.parametrize("tokens,expect", [
    (["esp-gcm", "256"], {"encryption": "aes-gcm-256", "integrity": "none"}),
    (["esp-gcm"], {"encryption": "aes-gcm-128", "integrity": "none"}),
    (["esp-aes", "256", "esp-sha256-hmac"], {"encryption": "aes-cbc-256", "integrity": "sha256"}),
    (["esp-aes", "esp-sha-hmac"], {"encryption": "aes-cbc-128", "integrity": "sha1"}),
    (["esp-aes", "192", "esp-sha512-hmac"], {"encryption": "aes-cbc-192", "integrity": "sha512"}),
    (["esp-3des", "esp-md5-hmac"], {"encryption": "3des", "integrity": "md5"}),
])
def test_esp_transform(tokens, expect):
    assert esp_transform(tokens) == expect


def test_baseline_view(dev):
    v = dev.view()
    assert v.platform == "ios" and v.hostname == "p1"
    assert v.router_id == "203.0.113.1" and v.ldp_enabled
    assert v.ospf == {"process": "1", "router_id": "203.0.113.1"}
    g2 = v.interfaces["GigabitEthernet2"]
    assert g2.kind == "ethernet" and g2.mpls and g2.ldp and g2.enabled
    assert g2.ipv4 == [ipaddress.IPv4Interface("192.0.2.0/31")]
    assert g2.ospf == {"process": "1", "area": "0", "cost": 10, "p2p": False, "passive": False}
    assert v.interfaces["Loopback0"].kind == "loopback"
    assert v.interfaces["GigabitEthernet3"].enabled is False
    assert v.ike == {} and v.ipsec == {} and v.filters == {}


def test_collection_config_view(dev):
    push(dev, COLLECTION_CONFIG.splitlines())
    v = dev.view()
    t = v.interfaces["Tunnel100"]
    assert (t.kind, t.tunnel_source, t.tunnel_destination, t.ipsec_policy) == \
        ("gre", "192.0.2.0", "192.0.2.1", "MPLSSEC-CORE1")
    assert (t.ip_mtu, t.mpls_mtu, t.tcp_mss, t.mpls, t.ldp) == (1418, 1426, 1378, True, True)
    assert t.description == "MPLSSEC core1 to p2"
    ike = v.ike["MPLSSEC-CORE1"]
    assert (ike.version, ike.local_address, ike.peer_address, ike.auth, ike.dpd, ike.lifetime) == \
        (2, "192.0.2.0", "192.0.2.1", "psk", (10, 3), 86400)
    assert ike.proposals == [{"encryption": "aes-gcm-256", "integrity": "none", "prf": "sha384", "dh_group": 20}]
    assert ike.psk == "Sup3rSecretPSK-core1"
    ips = v.ipsec["MPLSSEC-CORE1"]
    assert (ips.ike_peer, ips.mode, ips.pfs_group, ips.lifetime, ips.interface, ips.df_bit) == \
        ("MPLSSEC-CORE1", "transport", 20, 3600, "Tunnel100", "copy")
    assert ips.transforms == [{"encryption": "aes-gcm-256", "integrity": "none"}]
    assert v.filters["MPLSSEC-CORE1-IN"] == [
        {"action": "permit", "proto": "udp", "port": 500}, {"action": "permit", "proto": "udp", "port": 4500},
        {"action": "permit", "proto": "esp", "port": None}, {"action": "deny", "proto": "ip", "port": None}]
    g2 = v.interfaces["GigabitEthernet2"]
    assert g2.filter_in == "MPLSSEC-CORE1-IN" and not g2.mpls and not g2.ldp and g2.ospf is None


def test_svti_cbc_and_changes_invalidate_the_view(dev):
    push(dev, ["crypto ikev2 proposal P", "encryption aes-cbc-256 aes-cbc-128", "integrity sha256",
               "group 19 14", "crypto ikev2 policy P", "proposal P", "crypto ikev2 profile R",
               "match identity remote address 192.0.2.1", "authentication local pre-share",
               "crypto ipsec transform-set T esp-aes 256 esp-sha256-hmac", "crypto ipsec profile I",
               "set transform-set T", "set ikev2-profile R", "set security-association lifetime seconds 1800",
               "crypto ipsec df-bit clear",
               "interface Tunnel1100", "ip address 198.51.100.128 255.255.255.254", "tunnel source Gi2",
               "tunnel mode ipsec ipv4", "tunnel destination 192.0.2.1", "tunnel protection ipsec profile I"])
    v = dev.view()
    assert v.interfaces["Tunnel1100"].kind == "ipsec"
    assert v.ike["R"].local_address == "192.0.2.0"          # from the tunnel that uses it
    assert [(p["encryption"], p["dh_group"]) for p in v.ike["R"].proposals] == [
        ("aes-cbc-256", 19), ("aes-cbc-256", 14), ("aes-cbc-128", 19), ("aes-cbc-128", 14)]
    assert v.ike["R"].proposals[0]["integrity"] == "sha256" and v.ike["R"].proposals[0]["prf"] == "sha256"
    assert (v.ipsec["I"].mode, v.ipsec["I"].lifetime, v.ipsec["I"].df_bit) == ("tunnel", 1800, "clear")
    push(dev, ["interface Tunnel1100", "shutdown"])
    assert dev.view().interfaces["Tunnel1100"].enabled is False


def test_mode_transport_require_reaches_the_view(dev):
    """'mode transport' only requests transport mode; 'mode transport require' refuses the fallback (issue 8 §5)."""
    push(dev, COLLECTION_CONFIG.splitlines())
    pol = dev.view().ipsec["MPLSSEC-CORE1"]
    assert pol.mode == "transport" and pol.mode_required is False
    push(dev, ["crypto ipsec transform-set MPLSSEC-CORE1 esp-gcm 256", "mode transport require"])
    pol = dev.view().ipsec["MPLSSEC-CORE1"]
    assert pol.mode == "transport" and pol.mode_required is True
    assert " mode transport require" in dev.running_config()


def test_router_isis_after_router_ospf_is_read(dev):
    """Issue 8 section 5: a 'router isis' block that follows 'router ospf' in a configuration text was ignored (no
    IS-IS on a router that also runs OSPF)."""
    import re as _re

    text = dev.config_text()
    ospf = _re.search(r"(?m)^router ospf 1\n(?: .*\n)*", text)
    assert ospf, text
    text = (text[:ospf.end()] + "router isis\n net 49.0001.2030.0011.3001.00\n" + text[ospf.end():]).replace(
        "interface GigabitEthernet2\n", "interface GigabitEthernet2\n ip router isis\n", 1)
    assert dev.replace_config(text) == []
    view = dev.view()
    assert view.ospf is not None
    assert view.isis is not None and view.isis.get("net") == "49.0001.2030.0011.3001.00"
    assert view.interfaces["GigabitEthernet2"].isis is not None
