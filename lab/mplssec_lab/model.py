"""The contract between the emulated devices and the link physics.

Each emulated router (``ios`` / ``junos``) keeps its own configuration in its own
vendor form.  After every configuration change it can produce a :class:`DeviceView`:
a vendor-neutral reading of what that configuration *means* (addresses, tunnels,
IKE/IPsec intent, MPLS/LDP/IGP enablement, filters).  :mod:`mplssec_lab.physics`
takes the views of all devices plus the lab topology (which physical ports are joined
by which carrier link, the carrier MTU, faults) and derives the protocol state
(:class:`LinkState` per device) that the show commands render.  Nothing in the state
is stored as a flag: it is recomputed from both ends' views.

Normalised vocabulary (both vendors map their keywords onto these):

* encryption: ``aes-cbc-128``, ``aes-cbc-192``, ``aes-cbc-256``, ``aes-gcm-128``,
  ``aes-gcm-256``, ``3des``, ``des``, ``null``
* integrity / prf: ``sha1``, ``sha256``, ``sha384``, ``sha512``, ``md5``, ``none`` (AEAD)
* dh groups: ints (14, 19, 20, 21, ...)
* ipsec mode: ``tunnel`` | ``transport``
* interface kind: ``ethernet`` | ``loopback`` | ``gre`` | ``ipsec`` (IOS ``tunnel mode
  ipsec ipv4`` sVTI or Junos ``st0.N``) | ``other``

This module shares no code with the collection under test (``plugins/``).
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Optional

IPv4If = ipaddress.IPv4Interface
IPv6If = ipaddress.IPv6Interface


@dataclass
class Interface:
    name: str                       # vendor name: "GigabitEthernet2", "Tunnel100", "ge-0/0/0.0", "gr-0/0/0.100", "st0.100"
    kind: str = "ethernet"
    enabled: bool = True            # not "shutdown" / not "disable"
    ipv4: list = field(default_factory=list)   # [IPv4Interface]
    ipv6: list = field(default_factory=list)   # [IPv6Interface]
    mtu: Optional[int] = None       # L2/physical MTU (IP payload bytes the port carries), None = platform default
    ip_mtu: Optional[int] = None    # largest IP packet sent out of this interface (IOS "ip mtu", Junos "family inet mtu")
    mpls_mtu: Optional[int] = None  # largest labelled packet incl. labels (IOS "mpls mtu", Junos "family mpls mtu")
    tcp_mss: Optional[int] = None   # IOS "ip tcp adjust-mss", Junos "tcp-mss"
    mpls: bool = False              # MPLS forwarding on (IOS "mpls ip"; Junos family mpls + "protocols mpls interface")
    ldp: bool = False               # LDP hellos on this interface (IOS "mpls ip" with LDP; Junos "protocols ldp interface")
    ospf: Optional[dict] = None     # {"process": "1", "area": "0", "cost": int|None, "p2p": bool, "passive": bool}
    isis: Optional[dict] = None     # {"metric": int|None, "p2p": bool, "passive": bool}
    tunnel_source: Optional[str] = None        # address (str) after resolving an interface name
    tunnel_destination: Optional[str] = None   # address (str)
    tunnel_key: Optional[int] = None
    ipsec_policy: Optional[str] = None         # IOS: tunnel protection profile name; Junos: name of the ipsec vpn bound to this st0 unit
    filter_in: Optional[str] = None            # name of an inbound ACL / firewall filter
    description: Optional[str] = None


@dataclass
class IkePeer:
    name: str                       # IOS ikev2 profile (or isakmp profile); Junos ike gateway name
    version: int                    # 1 or 2
    local_address: Optional[str]    # address IKE is sourced from
    peer_address: str
    proposals: list = field(default_factory=list)  # [{"encryption","integrity","prf","dh_group"}] in preference order
    psk: Optional[str] = None       # clear text inside the emulator only (never printed by show commands)
    auth: str = "psk"               # "psk" | "rsa-sig" | "ecdsa-sig"
    local_id: Optional[str] = None  # address/fqdn string; None = local address
    remote_id: Optional[str] = None # what this side expects of the peer; None = accept peer address
    # certificates (auth rsa-sig / ecdsa-sig; lab/mplssec_lab/pki.py, docs/lab.md "PKI")
    local_id_dn: bool = False       # the ID payload is the DN of the local certificate (IOS identity local dn,
                                    # Junos local-identity distinguished-name)
    trustpoint: Optional[str] = None  # IOS profile "pki trustpoint X [sign]": the certificate it signs with
    verify_trustpoints: list = field(default_factory=list)  # IOS "pki trustpoint X [verify]": CAs it verifies with
    local_cert: Optional[str] = None  # Junos ike policy "certificate local-certificate ID"
    cert_map: Optional[str] = None  # IOS profile "match certificate MAP" (None: no match certificate)
    cert_rules: Optional[list] = None  # the map's entries [[(field, op, value), ...] per sequence]; [] = map undefined
    remote_dn: Optional[tuple] = None  # Junos remote-identity distinguished-name: ("container"|"wildcard"|"any", value)
    lifetime: int = 86400
    dpd: Optional[tuple] = None     # (interval, retries)


@dataclass
class IpsecPolicy:
    name: str                       # IOS ipsec profile name; Junos ipsec vpn name
    ike_peer: Optional[str]         # IkePeer.name it uses (None: IOS profile without ikev2-profile, matched by address)
    transforms: list = field(default_factory=list)  # [{"encryption","integrity"}] in preference order
    mode: str = "tunnel"
    mode_required: bool = False     # IOS 'mode transport require': no fallback to tunnel mode
    pfs_group: Optional[int] = None
    lifetime: int = 3600
    interface: Optional[str] = None  # the Interface.name this policy protects (Tunnel100 / st0.100)
    df_bit: str = "copy"            # copy | set | clear


@dataclass
class DeviceView:
    hostname: str
    platform: str                   # "ios" | "junos"
    interfaces: dict = field(default_factory=dict)   # name -> Interface
    ike: dict = field(default_factory=dict)          # name -> IkePeer
    ipsec: dict = field(default_factory=dict)        # name -> IpsecPolicy
    router_id: Optional[str] = None  # LDP/OSPF router id (str)
    ldp_enabled: bool = False        # global LDP on (IOS: "mpls ip"/"mpls label protocol ldp" globally; Junos: protocols ldp)
    ospf: Optional[dict] = None      # {"process": "1", "router_id": str|None}
    isis: Optional[dict] = None      # {"net": str, "level": int}
    filters: dict = field(default_factory=dict)      # name -> [{"action": "permit"|"deny", "proto": "udp"|"esp"|"ip"|..., "port": int|None}]
    host_inbound: Optional[dict] = None  # SRX flow mode: interface name -> set of host-inbound services/protocols
                                     # allowed by its zone ("ike", "ping", "ospf", "ldp", "isis", "all"); an interface
                                     # missing from the dict is in no zone (drops all host traffic). None = not modelled.
    fwd_modes: Optional[dict] = None  # SRX: forwarding mode IN EFFECT per family ("inet", "inet6", "mpls", "iso" ->
                                     # "flow-based" | "packet-based" | "drop"); the configured mode applies only after a
                                     # reboot. None = not modelled (IOS).
    getvpn: Optional["GetvpnView"] = None   # GET VPN (GDOI) key servers, group members, IKEv1 phase 1 (gdoi.py)
    macsec: dict = field(default_factory=dict)       # carrier interface name -> MacsecPort (MKA with a static CAK)
    pki: Optional["PkiView"] = None  # certificates the router holds + trustpoints / CA profiles (pki.py)


@dataclass
class Certificate:
    """An X.509 certificate a router holds (enrolled before the lab starts: scenario pki, docs/lab.md "PKI").
    DNs are kept as written ("CN=p1.mplssec.lab,O=MPLSSEC"); pki.py compares them normalised."""
    name: str                        # IOS trustpoint it is enrolled under / Junos certificate identifier
    subject: str
    issuer: str                      # the issuing CA's subject DN
    serial: str = "02"
    san_ip: Optional[str] = None     # subjectAltName iPAddress
    san_dns: Optional[str] = None    # subjectAltName dNSName
    key: str = "rsa"                 # "rsa" | "ecdsa" (the signature the certificate's key makes)
    bits: int = 2048
    cdp: Optional[str] = None        # CRL distribution point URL
    not_before: str = "2026-01-01 00:00:00"
    not_after: str = "2028-01-01 00:00:00"


@dataclass
class PkiView:
    """What a router can authenticate with: its identity certificates (usable only while their IOS trustpoint is
    configured), the CA certificates per trustpoint / Junos ca-profile, and each one's revocation methods in order
    (IOS ``revocation-check crl none`` = ["crl", "none"]; Junos default ["crl"], ``crl disable on-download-failure``
    = ["crl", "none"], ``revocation-check disable`` = ["none"])."""
    certificates: dict = field(default_factory=dict)   # name -> Certificate
    cas: dict = field(default_factory=dict)            # trustpoint / ca-profile name -> Certificate (the CA's own)
    revocation: dict = field(default_factory=dict)     # trustpoint / ca-profile name -> [methods]
    cdp_reachable: bool = False      # lab decision: no CRL distribution point is reachable (docs/lab.md "PKI")


@dataclass
class MkaKey:
    """One pre-shared key of an IOS ``key chain NAME macsec``: key ID = CKN, key-string = CAK, optional lifetime."""
    ckn: str
    cak: Optional[str]
    mka_algorithm: str = "aes-128-cmac"
    start: Optional[float] = None    # epoch seconds; None: valid from the start (no lifetime, or unparsable)
    end: Optional[float] = None      # epoch seconds; None: infinite
    lifetime: bool = False           # a lifetime line is configured

    def valid(self, now: float) -> bool:
        if self.lifetime and self.start is None:
            return False                 # a lifetime the lab could not read: never valid (no silent default)
        return (self.start is None or self.start <= now) and (self.end is None or now < self.end)


@dataclass
class MacsecPort:
    """MACsec with MKA pre-shared key (static CAK) on one interface, as the device's configuration means it.
    Vendor keywords are normalised: cipher suites ``gcm-aes-128|gcm-aes-256|gcm-aes-xpn-128|gcm-aes-xpn-256``,
    MKA algorithm ``aes-128-cmac|aes-256-cmac``, EAPoL destination as a MAC ``01:80:c2:00:00:03``."""
    interface: str
    ckn: Optional[str] = None        # CAK name, lower-case hex
    cak: Optional[str] = None        # CAK, lower-case hex, clear inside the emulator only (never shown)
    mka_algorithm: Optional[str] = None  # the CMAC the CAK is for (IOS cryptographic-algorithm; Junos: CAK length)
    ciphers: list = field(default_factory=lambda: ["gcm-aes-128"])  # acceptable suites, preferred first
    key_server_priority: int = 0
    offset: int = 0                  # confidentiality offset 0 | 30 | 50
    include_sci: bool = True
    replay_window: Optional[int] = None   # None = replay protection off
    eapol_address: str = "01:80:c2:00:00:03"
    eapol_ethertype: int = 0x888E
    tags_in_clear: int = 0           # 802.1Q tags kept in clear before the SecTAG (IOS dot1q-in-clear, Junos unit)
    must_secure: bool = False        # True: only secured frames (and EAPoL) pass while MKA is not secured
    policy: Optional[str] = None     # IOS mka policy / Junos connectivity-association name
    keychain: Optional[str] = None   # IOS key chain name
    keys: list = field(default_factory=list)   # IOS: every MkaKey of the key chain, chain order (empty on Junos)
    capable: bool = True             # the port of this model does MACsec (False: the config is there, no effect)
    sak_rekey: Optional[int] = None  # seconds, None = no timer-based rekey


@dataclass
class MkaState:
    """One MKA participant (one MACsec port) as seen from its device."""
    interface: str
    policy: Optional[str]
    ckn: Optional[str]
    status: str                      # "Secured" | "Pending" | "Init"
    secured: bool
    key_server: bool = False
    peer: Optional[str] = None       # peer host
    peer_interface: Optional[str] = None
    local_sci: str = ""              # "5254.0012.3456/0001" style parts: (mac, port)
    peer_sci: str = ""
    peer_priority: int = 0           # the live peer's key-server priority (IOS Live Peers List "KS Priority")
    cipher: Optional[str] = None     # the SAK cipher suite in use
    offset: int = 0
    include_sci: bool = True
    since: float = 0.0
    tx_pkts: int = 0
    tx_bytes: int = 0
    rx_pkts: int = 0
    rx_bytes: int = 0
    reason: Optional[str] = None     # why it is not secured


@dataclass
class SaState:
    """One IKE or IPsec SA as seen from one device."""
    name: str                        # IkePeer.name / IpsecPolicy.name on this device
    local: str
    peer: str
    status: str                      # "UP" / "READY" semantics: established when True below
    established: bool
    proposal: dict = field(default_factory=dict)   # the negotiated {"encryption","integrity","prf","dh_group"} / transform
    mode: Optional[str] = None
    interface: Optional[str] = None
    spi_in: Optional[int] = None
    spi_out: Optional[int] = None
    created: float = 0.0             # epoch seconds when it came up
    lifetime: int = 0
    pkts_encaps: int = 0
    pkts_decaps: int = 0
    bytes_encaps: int = 0
    bytes_decaps: int = 0
    reason: Optional[str] = None     # why it is down (for logs/show detail)


@dataclass
class Adjacency:
    protocol: str                    # "ospf" | "isis" | "ldp"
    interface: str                   # local interface
    peer_address: str                # neighbour interface address (LDP: transport address)
    peer_id: str                     # neighbour router id / system id / LDP id
    state: str                       # "FULL"/"Up"/"Operational"
    since: float = 0.0


@dataclass
class LinkState:
    """Everything the physics derived for one device."""
    interfaces_up: dict = field(default_factory=dict)   # Interface.name -> line protocol up (bool)
    ike_sas: list = field(default_factory=list)          # [SaState]
    ipsec_sas: list = field(default_factory=list)        # [SaState]
    adjacencies: list = field(default_factory=list)      # [Adjacency]
    clear_mpls_interfaces: list = field(default_factory=list)  # physical carrier interfaces still carrying labels in clear
    mka: list = field(default_factory=list)              # [MkaState], one per MACsec port
    gdoi: list = field(default_factory=list)             # [GdoiState], one per GET VPN group (member or server)


# -- GET VPN (GDOI, RFC 6407): what the configuration means; lab/mplssec_lab/gdoi.py derives the state -------------
@dataclass
class IsakmpPolicy:
    """One IKEv1 (ISAKMP) phase-1 proposal: IOS ``crypto isakmp policy N``, Junos ``group-vpn member ike proposal``."""
    encryption: str = "des"          # normalised (aes-cbc-256, 3des, des)
    integrity: str = "sha1"
    dh_group: int = 1
    auth: str = "rsa-sig"            # "psk" | "rsa-sig"
    lifetime: int = 86400


@dataclass
class GdoiServer:
    """A key server of one group (IOS ``crypto gdoi group NAME`` with ``server local``)."""
    group: str
    identity: Optional[int]
    address: Optional[str] = None    # "address ipv4 A" under server local (None: the lab uses the loopback)
    acl_name: Optional[str] = None   # "match address ipv4 ACL" of the (first) sa ipsec
    acl: Optional[list] = None       # the ACL's entries [{"action", "proto", "src", "dst"}] (None: ACL not defined)
    profile: Optional[str] = None    # "profile NAME" of the sa ipsec
    transform: Optional[dict] = None  # {"encryption", "integrity"} of the profile's first transform set
    tek_lifetime: int = 3600         # the profile's "set security-association lifetime seconds"
    kek_lifetime: int = 86400        # "rekey lifetime seconds"
    rekey_rsa: Optional[str] = None  # "rekey authentication mypubkey rsa KEY": rekeys are sent (None: no rekey)
    rekey_transport: str = "multicast"   # "rekey transport unicast" else multicast
    rekey_key: Optional[str] = None  # the public key data of the rekey_rsa key pair (None: no such key pair)
    replay: Optional[tuple] = ("counter", 64)   # ("counter", window) | ("time", seconds) | None ("no replay")
    sa_ipsec: Optional[int] = None   # "sa ipsec N"
    redundancy: Optional[dict] = None   # {"priority": int, "peers": [addr]} ("redundancy" / "local priority" / "peer")
    errors: list = field(default_factory=list)  # why this server cannot serve (incomplete configuration)


@dataclass
class GdoiMember:
    """A group member of one group: IOS ``crypto gdoi group`` + ``server address ipv4`` used by a ``crypto map N gdoi``
    applied to an interface; Junos ``security group-vpn member ipsec vpn`` with its ike gateway."""
    group: str                       # IOS group name / Junos vpn name
    identity: Optional[int]
    servers: list = field(default_factory=list)     # key server addresses, in order
    interface: Optional[str] = None  # the interface the crypto map / group-vpn-external-interface is on
    local_address: Optional[str] = None   # registration source (None: the interface's address)
    isakmp: list = field(default_factory=list)      # [IsakmpPolicy] the member proposes
    psk: dict = field(default_factory=dict)         # KS address (or "0.0.0.0") -> pre-shared key (clear in the emulator)
    crypto_map: Optional[str] = None


@dataclass
class GetvpnView:
    servers: dict = field(default_factory=dict)     # group name -> GdoiServer
    members: dict = field(default_factory=dict)     # group/vpn name -> GdoiMember
    isakmp: list = field(default_factory=list)      # the key server's ISAKMP policies [IsakmpPolicy]
    psk: dict = field(default_factory=dict)         # peer address (or "0.0.0.0") -> key (IOS crypto isakmp key)


@dataclass
class GdoiState:
    """One group as seen from one router (a member's registration, or a key server's group)."""
    group: str
    identity: Optional[int]
    role: str                        # "member" | "server"
    registered: bool = False         # member: registered and holding the group's TEK/KEK
    reason: Optional[str] = None     # member: why it is not registered
    server: Optional[str] = None     # member: the KS address it registered with; server: its own address
    local: Optional[str] = None      # member: registration source address
    interface: Optional[str] = None
    since: float = 0.0               # member: registration time; server: when the group's keys were first made
    tek_spi: Optional[int] = None    # the TEK packets are sent with now
    teks: list = field(default_factory=list)        # installed TEKs [{"spi", "remaining"}], newest first
    tek_remaining: int = 0
    tek_lifetime: int = 0
    kek_spi: Optional[str] = None
    kek_remaining: int = 0
    kek_lifetime: int = 0
    transform: dict = field(default_factory=dict)
    replay: Optional[tuple] = None
    acl: list = field(default_factory=list)         # the policy downloaded from the KS
    acl_name: Optional[str] = None
    rekeys: int = 0                  # member: rekeys received since registration; server: rekeys sent
    acks: int = 0
    acks_missed: int = 0
    registrations: int = 0           # member: successful registrations (re-registrations included)
    rekeys_since_registration: int = 0   # member: rekeys received after its latest registration
    last_rekey: Optional[float] = None   # member: when the last rekey arrived
    servers: list = field(default_factory=list)     # member: its key server list
    members: list = field(default_factory=list)     # server: [{"address", "host", "state", "rekeys", "acks", ...}]
    rekey_transport: str = "multicast"
    redundancy: Optional[dict] = None   # server: {"role": "Primary"|"Secondary", "priority", "peers"}
