# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Platform capability map of mplssec.p2p -- data, not code (netlab style).

The plan consults this map and nothing else to decide whether a link's ``mode`` / ``ipsec_mode``
can be built on both of its routers, how the routers name the interfaces the plan creates, and
what a physical interface name must look like. There is no ``if platform == ...`` anywhere else.

Every refusal carries the reason (what the vendor documents), the alternative and the reference
it rests on, so the plan's error message can say all three.

Vendor facts behind the ``vti`` row (the Juniper pages were read in this project's document store,
Nov 2026; the Cisco chapter is the IOS-XE "IPsec Virtual Tunnel Interfaces" configuration guide,
cited by title and address but not re-read here):

* Cisco IOS-XE: a static VTI is ``tunnel mode ipsec ipv4`` (or ``ipv6``): IPsec in tunnel mode
  whose traffic selector is "IP any any" -- it encapsulates IP packets in IP only. Cisco documents
  no MPLS (``mpls ip``) on an sVTI; MPLS over IPsec on IOS-XE is GRE with tunnel protection.
  https://www.cisco.com/c/en/us/td/docs/ios-xml/ios/sec_conn_vpnips/configuration/xe-16/sec-sec-for-vpns-w-ipsec-xe-16-book/sec-ipsec-virt-tunnl.html
* Juniper Junos (SRX/vSRX): the route-based VPN interface st0 is documented with ``family inet``
  and ``family inet6`` only ("to allow both IPv4 and IPv6 traffic on a single IPsec VPN tunnel,
  configure family inet and family inet6 on the st0 interface bound to the tunnel"):
  https://www.juniper.net/documentation/jp/ja/software/junos/vpn-ipsec/topics/topic-map/security-dual-stack-tunnels-over-an-external-interface.html
  MPLS on a security device is packet-based forwarding (``security forwarding-options family mpls
  mode packet-based``; "by default, the device drops MPLS traffic") while IPsec VPN is a flow-based
  service; the two only meet through selective packet services, with MPLS on a GRE interface
  (gr-0/0/0) whose GRE packets are routed through st0:
  https://juniper.net/documentation/en_US/junos/topics/reference/configuration-statement/security-edit-forwarding-options.html
  https://juniper.net/documentation/cn/zh/software/junos/mpls/topics/topic-map/mpls-basic-configuration.html
  ("when the packet forwarding mode is changed to MPLS, all flow-based security features are
  deactivated ... flow-based services such as ... IPsec VPN are not available"; firewall filters can
  select MPLS traffic for packet mode while the rest stays flow-based)
  Juniper documents no ``family mpls`` on st0, so ``vti`` is refused on Junos as well.
"""

from __future__ import annotations

from typing import Any, Mapping

__all__ = ["NETWORK_OS", "PLATFORMS", "MODES", "IPSEC_MODES", "GETVPN", "MACSEC_PORTS", "mode_support", "interface_name",
           "physical_interface_problem", "macsec_port_support", "port_speed_mbps"]

# ansible_network_os -> platform key of PLATFORMS
NETWORK_OS: Mapping[str, str] = {
    "cisco.ios.ios": "ios",
    "junipernetworks.junos.junos": "junos",
}

MODES: tuple[str, ...] = ("gre_ipsec", "vti", "getvpn", "macsec")
IPSEC_MODES: tuple[str, ...] = ("transport", "tunnel")

_GRE = "mode: gre_ipsec"
PLATFORMS: Mapping[str, Mapping[str, Any]] = {
    "ios": {
        "title": "Cisco IOS-XE",
        # Names of the interfaces the plan creates; {id} = tunnel.id
        "interfaces": {
            "tunnel": "Tunnel{id}",  # GRE tunnel carrying MPLS
            "ipsec_tunnel": "Tunnel{ipsec_id}",  # ipsec_mode tunnel: the sVTI (tunnel mode ipsec ipv4) GRE rides on
        },
        "ipsec_id_offset": 1000,  # sVTI number = tunnel.id + 1000
        "physical_interface": {
            "pattern": r"^[A-Z][A-Za-z-]*[0-9]+(/[0-9]+)*(\.[0-9]+)?$",
            "forbidden_prefixes": ("Tunnel", "Loopback", "Null", "Virtual-Template", "Virtual-Access", "NVI"),
            "example": "GigabitEthernet2 or TenGigabitEthernet0/0/1.100",
        },
        "modes": {
            "gre_ipsec": {
                "supported": True,
                "ipsec_modes": {
                    "transport": {"supported": True},
                    "tunnel": {"supported": True},
                },
            },
            "vti": {
                "supported": False,
                "reason": "Cisco documents the IOS-XE static VTI (tunnel mode ipsec ipv4) as IP-only: "
                "it carries IP packets, not MPLS labels",
                "alternative": _GRE + " (GRE carries the labels, tunnel protection encrypts the GRE packets)",
                "reference": "https://www.cisco.com/c/en/us/td/docs/ios-xml/ios/sec_conn_vpnips/configuration/xe-16/"
                "sec-sec-for-vpns-w-ipsec-xe-16-book/sec-ipsec-virt-tunnl.html",
            },
            # GRE between the two carrier addresses protected by a GET VPN group (IOS-XE member: crypto gdoi group,
            # crypto map gdoi on the carrier); the group's rules and refusals are GETVPN below (getvpn.py)
            "getvpn": {"supported": True},
            "macsec": {
                # decided per router from the gathered model and the carrier port: MACSEC_PORTS below
                "supported": True,
                "requires": "macsec_ports",
                "alternative": _GRE,
            },
        },
    },
    "junos": {
        "title": "Juniper Junos (SRX/vSRX)",
        "interfaces": {
            "tunnel": "gr-0/0/0.{id}",  # GRE tunnel carrying MPLS (family mpls)
            "ipsec_tunnel": "st0.{ipsec_id}",  # route-based VPN interface the GRE packets are routed through
        },
        "ipsec_id_offset": 0,  # st0 unit = tunnel.id
        "physical_interface": {
            "pattern": r"^[a-z]+(-[0-9]+/[0-9]+/[0-9]+(:[0-9]+)?|[0-9]+)\.[0-9]+$",
            "forbidden_prefixes": ("st0", "gr-", "ip-", "lo0", "fxp", "em", "lt-", "irb"),
            "example": "ge-0/0/0.0 (a logical unit)",
        },
        "modes": {
            "gre_ipsec": {
                "supported": True,
                "ipsec_modes": {
                    "transport": {
                        "supported": False,
                        "reason": "a Junos route-based VPN (st0) is tunnel mode only; there is no transport-mode "
                        "protection of a GRE tunnel",
                        "alternative": "ipsec_mode: tunnel (gr-0/0/0 sourced from st0; add tunnel.ipsec_ipv4)",
                        "reference": "https://www.juniper.net/documentation/jp/ja/software/junos/vpn-ipsec/topics/"
                        "topic-map/security-dual-stack-tunnels-over-an-external-interface.html",
                    },
                    "tunnel": {"supported": True},
                },
            },
            "vti": {
                "supported": False,
                "reason": "Juniper documents st0 with family inet/inet6 only; MPLS on SRX is packet-based "
                "forwarding and reaches a route-based VPN only inside GRE (gr-0/0/0)",
                "alternative": _GRE + " with ipsec_mode: tunnel",
                "reference": "https://www.juniper.net/documentation/jp/ja/software/junos/vpn-ipsec/topics/topic-map/"
                "security-dual-stack-tunnels-over-an-external-interface.html",
            },
            # GRE (gr-0/0/0) between the two carrier addresses protected by a Group VPNv2 member under a Cisco key
            # server; the interop limits are GETVPN below (getvpn.py)
            "getvpn": {"supported": True},
            "macsec": {
                # decided per router from the gathered model and the carrier port: MACSEC_PORTS below
                "supported": True,
                "requires": "macsec_ports",
                "alternative": _GRE + " with ipsec_mode: tunnel",
            },
        },
    },
}


# GET VPN facts (mode getvpn; plugins/plugin_utils/getvpn.py applies them; docs/data-model.md "GET VPN").
_JUNIPER_INTEROP = ("https://www.juniper.net/documentation/en_US/release-independent/downloads/juniper-library-junos103.zip "
                    "(Junos 10.3 release notes, Group VPN Interoperability with Cisco's GET VPN; same text in the "
                    "Junos 10.4 release notes)")
GETVPN: Mapping[str, Any] = {
    # "Group servers and group members on Juniper Networks security devices cannot interoperate with Cisco GET VPN
    # members. Group members on Juniper Networks security devices can interoperate with Cisco GET VPN servers"
    "key_server_platforms": ("ios",),
    "key_server_reason": "the key server is a Cisco IOS-XE router: a Junos group server does not interoperate with "
    "Cisco GET VPN members, while a Junos member does interoperate with a Cisco key server (" + _JUNIPER_INTEROP + ")",
    # GDOI: the key server is the group controller; a member registers with it (RFC 6407). IOS-XE does not document
    # a member of a group on the router that serves it (the lab never registers one: docs/lab.md "GET VPN").
    "ks_member_reason": "a key server cannot be a group member of the group it serves on the same router",
    # (group field, value) -> the members it breaks
    "member_limits": {
        ("rekey", "unicast"): {
            "platforms": ("junos",), "who": "Junos Group VPNv2 member",
            "reason": "a Cisco key server's unicast rekeys expect a proprietary ACK that a Junos member does not send; "
            "the member is removed from the group and must re-register ('do not enable rekey on a Cisco server when "
            "the VPN group includes a Juniper Networks security device')",
            "reference": _JUNIPER_INTEROP,
            "fix": "set rekey: none (the members re-register before each TEK expires)",
        },
        ("anti_replay", "time"): {
            "platforms": ("junos",), "who": "Junos Group VPNv2 member",
            "reason": "Cisco's time-based anti-replay timestamp is proprietary: a Junos member cannot interoperate "
            "with a Cisco member using it",
            "reference": _JUNIPER_INTEROP,
            "fix": "set anti_replay: none (or counter for a group of exactly two members)",
        },
        ("anti_replay", "counter"): {
            "platforms": ("ios", "junos"), "who": "more than two members", "more_than_two": True,
            "reason": "counter-based anti-replay works only between two members: with more, several senders share "
            "one SA and their sequence numbers overlap ('Counter-based antireplay can be enabled if there are only "
            "two group members')",
            "reference": _JUNIPER_INTEROP,
            "fix": "set anti_replay: time (IOS-XE members only) or none",
        },
    },
}


def mode_support(platform: str, mode: str, ipsec_mode: str | None = None) -> Mapping[str, Any]:
    """Return ``{"supported": bool, "reason"?, "alternative"?, "reference"?}`` for a platform.

    ``ipsec_mode`` is consulted only when the mode itself is supported and has ipsec modes.
    """
    entry = PLATFORMS[platform]["modes"][mode]
    if not entry["supported"] or ipsec_mode is None or "ipsec_modes" not in entry:
        return entry
    return entry["ipsec_modes"][ipsec_mode]


def interface_name(platform: str, role: str, tunnel_id: int) -> str:
    """Name of the ``tunnel`` or ``ipsec_tunnel`` interface for ``tunnel_id`` on ``platform``."""
    spec = PLATFORMS[platform]
    return spec["interfaces"][role].format(id=tunnel_id, ipsec_id=tunnel_id + spec["ipsec_id_offset"])


def physical_interface_problem(platform: str, name: str) -> str | None:
    """Why ``name`` cannot be the physical (carrier) interface on ``platform``; None when it can."""
    import re

    rule = PLATFORMS[platform]["physical_interface"]
    for prefix in rule["forbidden_prefixes"]:
        if name.startswith(prefix):
            return f"{name!r} is a {prefix}* interface, not the physical carrier interface (e.g. {rule['example']})"
    if not re.match(rule["pattern"], name):
        return f"{name!r} is not a {PLATFORMS[platform]['title']} interface name (e.g. {rule['example']})"
    return None


# --------------------------------------------------------------------------- MACsec: which ports can do it
#
# MACsec (IEEE 802.1AE) is done by the port's PHY/MAC hardware, so support is a property of the router model and of the
# port, not of the software: the plan decides per router from the gathered model (IOS-XE show version / show inventory,
# Junos show version / show chassis hardware: p2p_facts.model) and the carrier interface name. Models are matched
# case-insensitively on their product id. A model in neither list is refused (unknown: add it here with its source).
#
# virtual: the model's ports are virtual NICs -- no MACsec engine. capable: the ports that have one (regex on the
# interface name; a Junos name is matched without its unit).
MACSEC_PORTS: Mapping[str, Mapping[str, Any]] = {
    "ios": {
        "virtual": {
            "C8000V": "Catalyst 8000V: virtual NICs; the Catalyst 8000V data sheet lists no MACsec",
            "CSR1000V": "CSR 1000V: virtual NICs, no MACsec (Cisco CSR 1000V data sheet)",
        },
        "capable": {
            # "On the Cisco ASR1001-X router, MACSEC is supported on the built-in ports only": the built-in ports are
            # slot 0 subslot 0 (GigabitEthernet0/0/N, TenGigabitEthernet0/0/N); names without a slot (GigabitEthernetN,
            # as the emulated lab names them) are counted as built-in.
            "ASR1001-X": {
                "ports": r"^(TenGigabit|Gigabit)Ethernet(0/0/)?[0-9]+$",
                "ports_text": "the built-in ports only (GigabitEthernet0/0/N, TenGigabitEthernet0/0/N), not the EPA ports",
                "reference": "https://www.cisco.com/c/en/us/td/docs/ios-xml/ios/macsec/configuration/xe-16-9/"
                "macsec-xe-16-9-book/wan-macsec-mka-support-enhance.html",
            },
        },
    },
    "junos": {
        "virtual": {
            "VSRX": "vSRX: virtual NICs; Juniper Feature Explorer lists no MACsec for vSRX",
            "VSRX3": "vSRX 3.0: virtual NICs; Juniper Feature Explorer lists no MACsec for vSRX",
            "VMX": "vMX: virtual NICs; MACsec needs MIC/MPC hardware ports",
        },
        "capable": {
            # "Starting in Junos OS Release 20.1R1, MACsec is supported on control ports, fabric ports and revenue ports
            # of SRX380 devices"
            "SRX380": {
                "ports": r"^(ge|xe)-0/0/[0-9]+$",
                "ports_text": "the ge-0/0/N and xe-0/0/N revenue ports",
                "reference": "https://www.juniper.net/documentation/en_US/junos/topics/topic-map/"
                "security-chassis-cluster-macsec.html",
            },
        },
    },
}

# Port speed from the interface name (Mb/s), for the XPN rule (plan.py): the first matching prefix.
_SPEEDS: tuple[tuple[str, int], ...] = (
    ("HundredGig", 100000), ("FortyGig", 40000), ("TwentyFiveGig", 25000), ("TenGig", 10000), ("GigabitEthernet", 1000),
    ("FastEthernet", 100), ("et-", 100000), ("xe-", 10000), ("ge-", 1000),
)


def port_speed_mbps(name: str) -> int | None:
    """The nominal speed of an Ethernet port from its name (IOS type name, Junos ge-/xe-/et-); None when unknown.
    Junos et- ports are 40G or 100G: counted as 100G (the faster one decides the XPN rule)."""
    for prefix, speed in _SPEEDS:
        if name.startswith(prefix):
            return speed
    return None


def macsec_port_support(platform: str, model: Any, interface: str) -> Mapping[str, Any]:
    """Can ``interface`` of a router of ``model`` do MACsec? ``{"supported": bool, "reason", "alternative", "reference"}``;
    ``supported`` is None when the model is not known (facts not gathered)."""
    import re

    alternative = PLATFORMS[platform]["modes"]["macsec"]["alternative"]
    if not model:
        return {"supported": None, "reason": "the router model is not known (gather the facts: p2p_gather_facts=true)",
                "alternative": alternative, "reference": None}
    table = MACSEC_PORTS[platform]
    key = str(model).strip().upper()
    if key in table["virtual"]:
        return {"supported": False, "reason": f"model {model} is virtual: {table['virtual'][key]}",
                "alternative": alternative, "reference": None}
    entry = table["capable"].get(key)
    if entry is None:
        known = ", ".join(sorted(table["capable"]))
        return {"supported": False, "reason": f"model {model} is not in the capability map's MACsec list (known: {known})",
                "alternative": alternative + "; or, if its ports do MACsec, add the model to MACSEC_PORTS "
                "(plugins/plugin_utils/capabilities.py) with its vendor source", "reference": None}
    port = interface.split(".")[0] if platform == "junos" else interface
    if not re.match(entry["ports"], port):
        return {"supported": False, "reason": f"{port} of a {model} has no MACsec: {model} does MACsec on "
                f"{entry['ports_text']}", "alternative": f"move the carrier to one of those ports, or {alternative}",
                "reference": entry["reference"]}
    return {"supported": True, "reason": f"{model} {port}: MACsec-capable ({entry['ports_text']})",
            "alternative": None, "reference": entry["reference"]}
