# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The MTU math: worked examples, every validation error, properties, and the filter wrapper."""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import sys

import pytest
import yaml
from ansible.errors import AnsibleFilterError
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.mplssec.p2p.plugins.filter import mtu as mtu_filter
from ansible_collections.mplssec.p2p.plugins.plugin_utils import mtu

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
FILTERS = ("wire_size", "max_inner", "tcp_mss", "mtu_overhead")
GCM = {"esp_encryption": "aes-gcm-256"}

# ---------------------------------------------------------------------------------------------
# Worked examples, computed by hand from the RFC formulas (see docs/mtu.md), not from the code.
# ESP = outer IP + [UDP 8] + 8 + IV + align(payload + 2, A) + ICV
# ---------------------------------------------------------------------------------------------
WIRE_SIZE_EXAMPLES = [
    # 20 + 8 + 8 + align4(4 + 8 + 1500 + 2 = 1514) = 1516 + 16
    ({"labels": 2}, 1500, 1568),
    ({"encap": "gre", "ipsec_mode": "transport", "esp_encryption": "aes-gcm-256", "esp_integrity": "none", "labels": 2, "outer": "ipv4"}, 1500, 1568),
    # + 20-byte GRE delivery header inside ESP
    ({"ipsec_mode": "tunnel", "labels": 2}, 1500, 1588),
    ({"encap": "getvpn", "labels": 2}, 1500, 1588),
    # gre tunnel - 20 delivery IP - 4 GRE
    ({"encap": "vti", "labels": 2}, 1500, 1564),
    # 14 SecTAG w/o EtherType + 2 EtherType + 8 labels + 1500 + 16 ICV; without SCI 8 less
    ({"encap": "macsec", "labels": 2}, 1500, 1540),
    ({"encap": "macsec", "labels": 2, "macsec_sci": False}, 1500, 1532),
    ({"encap": "macsec", "labels": 2, "macsec_cipher": "gcm-aes-xpn-128"}, 1500, 1540),
    ({"encap": "none", "labels": 2}, 1500, 1508),
    ({"encap": "none"}, 1500, 1500),
    # 20 + 8 + 16 IV + align16(4 + 8 + 1500 + 2 = 1514) = 1520 + 16
    ({"esp_encryption": "aes-cbc-256", "esp_integrity": "sha256", "labels": 2}, 1500, 1580),
    # 20 + 8 + 16 + align16(4 + 1500 + 2 = 1506) = 1520 + 12
    ({"esp_encryption": "aes-cbc-128", "esp_integrity": "sha1"}, 1500, 1576),
    # 20 + 8 + 0 + align4(4 + 4 + 100 + 2 = 110) = 112 + 16
    ({"esp_encryption": "null", "esp_integrity": "sha256", "labels": 1}, 100, 156),
    # 40 + 8 UDP + 8 + 8 + align4(40 + 4 + 12 + 1500 + 2 = 1558) = 1560 + 16
    ({"ipsec_mode": "tunnel", "outer": "ipv6", "nat_t": True, "esp_encryption": "aes-gcm-128", "labels": 3}, 1500, 1640),
    # 20 + 8 + 8 + align4(8 + 8 + 1500 + 2 = 1518) = 1520 + 16
    ({"gre_key": True, "labels": 2}, 1500, 1572),
    # 40 + 8 + 16 + align16(8 + 1500 + 2 = 1510) = 1520 + 32
    ({"encap": "vti", "outer": "ipv6", "esp_encryption": "aes-cbc-256", "esp_integrity": "sha512", "labels": 2}, 1500, 1616),
    # 20 + 8 + 8 + 16 + align16(64 + 2 = 66) = 80 + 24
    ({"encap": "vti", "nat_t": True, "esp_encryption": "aes-cbc-128", "esp_integrity": "sha384"}, 64, 156),
    # 20 + 8 + 8 + align4(4 + 9000 + 2 = 9006) = 9008 + 16
    ({}, 9000, 9060),
]

MAX_INNER_EXAMPLES = [
    # 52 + align4(inner + 14) <= 1500  ->  inner <= 1434
    ({"labels": 2}, 1500, 1434),
    # 52 + align4(inner + 34) <= 1500  ->  inner <= 1414
    ({"ipsec_mode": "tunnel", "labels": 2}, 1500, 1414),
    ({"encap": "getvpn", "labels": 2}, 1500, 1414),
    # 52 + align4(inner + 10) <= 1500  ->  inner <= 1438
    ({"encap": "vti", "labels": 2}, 1500, 1438),
    ({"encap": "macsec", "labels": 2}, 1500, 1460),
    ({"encap": "macsec", "labels": 2, "macsec_sci": False}, 1500, 1468),
    ({"encap": "none", "labels": 2}, 1500, 1492),
    ({"encap": "none"}, 1280, 1280),
    # 60 + align16(inner + 14) <= 1500  ->  inner <= 1426
    ({"esp_encryption": "aes-cbc-256", "esp_integrity": "sha256", "labels": 2}, 1500, 1426),
    # 52 + align4(inner + 14) <= 9216  ->  inner <= 9150
    ({"labels": 2}, 9216, 9150),
    # 52 + align4(inner + 6) <= 128  ->  inner <= 70 (the smallest carrier that still fits 68: 128)
    ({}, 128, 70),
    ({"encap": "none"}, 100000, 65535),
]


@pytest.mark.parametrize(("profile", "inner", "expected"), WIRE_SIZE_EXAMPLES)
def test_wire_size_examples(profile, inner, expected):
    assert mtu.wire_size(inner, **profile) == expected
    assert mtu.overhead(inner, **profile) == expected - inner
    assert sum(part[1] for part in mtu.breakdown(inner, **profile)) == expected


@pytest.mark.parametrize(("profile", "link_mtu", "expected"), MAX_INNER_EXAMPLES)
def test_max_inner_examples(profile, link_mtu, expected):
    assert mtu.max_inner(link_mtu, **profile) == expected
    assert mtu.tcp_mss(link_mtu, **profile) == expected - 40


def test_breakdown_names_every_component():
    assert mtu.breakdown(1500, ipsec_mode="tunnel", nat_t=True, gre_key=True, labels=2) == [
        ("outer_ip", 20), ("nat_t_udp", 8), ("esp_header", 8), ("esp_iv", 8), ("gre_delivery_ip", 20), ("gre", 8),
        ("mpls_labels", 8), ("inner", 1500), ("esp_padding", 2), ("esp_trailer", 2), ("esp_icv", 16),  # 20+8+8+8+1500+2 = 1546 -> 1548
    ]
    assert mtu.breakdown(1500, encap="macsec", labels=1) == [
        ("macsec_sectag", 14), ("ethertype", 2), ("mpls_labels", 4), ("inner", 1500), ("macsec_icv", 16),
    ]


def test_none_values_mean_defaults():
    everything_none = dict.fromkeys(mtu.PROFILE_KEYWORDS)
    assert mtu.wire_size(1500, **everything_none) == mtu.wire_size(1500) == 1560  # 20 + 8 + 8 + align4(4 + 1500 + 2) + 16
    assert mtu.wire_size(1500, **{**everything_none, "encap": "macsec"}) == 1532
    # a flag given as False is consistent with any encap
    assert mtu.wire_size(1500, encap="macsec", nat_t=False, gre_key=False) == 1532
    assert mtu.wire_size(1500, encap="vti", macsec_sci=False) == 1556


# ---------------------------------------------------------------------------------------------
# Every validation error, with its exact message.
# ---------------------------------------------------------------------------------------------
HMACS = "sha1, sha256, sha384, sha512"
ERRORS = [
    ({"foo": 1}, "unknown profile keyword 'foo'; allowed keywords: "
     "encap, ipsec_mode, esp_encryption, esp_integrity, labels, gre_key, outer, nat_t, macsec_cipher, macsec_sci"),
    ({"encap": "ipip"}, "encap: 'ipip' is not valid; allowed values: gre, vti, getvpn, macsec, none"),
    ({"encap": 4}, "encap: 4 is not valid; allowed values: gre, vti, getvpn, macsec, none"),
    ({"ipsec_mode": "tunel"}, "ipsec_mode: 'tunel' is not valid; allowed values: transport, tunnel"),
    ({"encap": "vti", "ipsec_mode": "transport"},
     "ipsec_mode: 'transport' is not valid with encap 'vti' (vti is always tunnel mode); allowed values: tunnel (or leave ipsec_mode out)"),
    ({"encap": "getvpn", "ipsec_mode": "transport"},
     "ipsec_mode: 'transport' is not valid with encap 'getvpn' (getvpn is always tunnel mode); allowed values: tunnel (or leave ipsec_mode out)"),
    ({"esp_encryption": "aes-ctr"}, "esp_encryption: 'aes-ctr' is not valid; allowed values: aes-cbc-128, aes-cbc-256, aes-gcm-128, aes-gcm-256, null"),
    ({"esp_integrity": "md5"}, "esp_integrity: 'md5' is not valid; allowed values: sha1, sha256, sha384, sha512, none"),
    ({"esp_encryption": "aes-cbc-128"}, f"esp_integrity: required with esp_encryption 'aes-cbc-128'; allowed values: {HMACS}"),
    ({"esp_encryption": "aes-cbc-256", "esp_integrity": "none"},
     f"esp_integrity: 'none' is not valid with esp_encryption 'aes-cbc-256' (ESP without integrity is refused); allowed values: {HMACS}"),
    ({"esp_encryption": "null", "esp_integrity": "none"},
     "esp_integrity: 'none' is not valid with esp_encryption 'null' (ESP with neither encryption nor integrity (RFC 4303 3.2) is refused); "
     f"allowed values: {HMACS}"),
    ({"esp_encryption": "aes-gcm-128", "esp_integrity": "sha256"},
     "esp_integrity: 'sha256' is not valid with esp_encryption 'aes-gcm-128' (AES-GCM authenticates itself with a 16-byte ICV, RFC 4106); "
     "allowed values: none"),
    ({"labels": -1}, "labels: -1 is not valid; allowed values: an integer >= 0 (the MPLS label stack depth)"),
    ({"labels": "2"}, "labels: '2' is not valid; allowed values: an integer >= 0 (the MPLS label stack depth)"),
    ({"labels": True}, "labels: True is not valid; allowed values: an integer >= 0 (the MPLS label stack depth)"),
    ({"gre_key": "yes"}, "gre_key: 'yes' is not valid; allowed values: true, false"),
    ({"nat_t": 1}, "nat_t: 1 is not valid; allowed values: true, false"),
    ({"outer": "ipv5"}, "outer: 'ipv5' is not valid; allowed values: ipv4, ipv6"),
    ({"encap": "macsec", "macsec_cipher": "gcm-aes-512"},
     "macsec_cipher: 'gcm-aes-512' is not valid; allowed values: gcm-aes-128, gcm-aes-256, gcm-aes-xpn-128, gcm-aes-xpn-256"),
    ({"encap": "macsec", "macsec_sci": "no"}, "macsec_sci: 'no' is not valid; allowed values: true, false"),
    ({"encap": "macsec", "outer": "ipv4"},
     "outer: 'ipv4' is not valid with encap 'macsec' (outer only applies to encap gre, vti, getvpn); allowed values: leave outer out with encap 'macsec'"),
    ({"encap": "macsec", "esp_encryption": "aes-gcm-256"},
     "esp_encryption: 'aes-gcm-256' is not valid with encap 'macsec' (esp_encryption only applies to encap gre, vti, getvpn); "
     "allowed values: leave esp_encryption out with encap 'macsec'"),
    ({"encap": "none", "ipsec_mode": "tunnel"},
     "ipsec_mode: 'tunnel' is not valid with encap 'none' (ipsec_mode only applies to encap gre, vti, getvpn); "
     "allowed values: leave ipsec_mode out with encap 'none'"),
    ({"encap": "gre", "macsec_cipher": "gcm-aes-128"},
     "macsec_cipher: 'gcm-aes-128' is not valid with encap 'gre' (macsec_cipher only applies to encap macsec); "
     "allowed values: leave macsec_cipher out with encap 'gre'"),
    ({"encap": "gre", "macsec_sci": True},
     "macsec_sci: True is not valid with encap 'gre' (macsec_sci only applies to encap macsec); allowed values: leave macsec_sci out with encap 'gre'"),
    ({"encap": "getvpn", "nat_t": True},
     "nat_t: True is not valid with encap 'getvpn' (GET VPN preserves the original IP header, which cannot cross NAT); "
     "allowed values: leave nat_t out with encap 'getvpn'"),
    ({"encap": "vti", "gre_key": True},
     "gre_key: True is not valid with encap 'vti' (vti carries MPLS directly in ESP, there is no GRE header); "
     "allowed values: leave gre_key out with encap 'vti'"),
    ({"encap": "macsec", "nat_t": True},
     "nat_t: True is not valid with encap 'macsec' (nat_t only applies to encap gre, vti); allowed values: leave nat_t out with encap 'macsec'"),
]


@pytest.mark.parametrize(("profile", "message"), ERRORS, ids=[error[1].split(":")[0] + "-" + str(i) for i, error in enumerate(ERRORS)])
@pytest.mark.parametrize("function", [mtu.wire_size, mtu.max_inner, mtu.tcp_mss, mtu.overhead], ids=lambda f: f.__name__)
def test_profile_errors(function, profile, message):
    with pytest.raises(mtu.MtuError) as exc:
        function(1500, **profile)
    assert str(exc.value) == message


@pytest.mark.parametrize("inner", [19, 0, -1, 65536, "1500", 1500.0, None, True])
def test_inner_errors(inner):
    message = f"inner: {inner!r} is not valid; allowed values: an integer from 20 to 65535 (an IPv4 packet incl. its header)"
    for function in (mtu.wire_size, mtu.overhead, mtu.breakdown):
        with pytest.raises(mtu.MtuError) as exc:
            function(inner)
        assert str(exc.value) == message


@pytest.mark.parametrize("link_mtu", [-1, "1500", 1500.5, None, False])
def test_link_mtu_type_errors(link_mtu):
    for function in (mtu.max_inner, mtu.tcp_mss):
        with pytest.raises(mtu.MtuError) as exc:
            function(link_mtu)
        assert str(exc.value) == f"link_mtu: {link_mtu!r} is not valid; allowed values: an integer >= 0 (the MTU the carrier delivers)"


@pytest.mark.parametrize(("profile", "link_mtu", "message"), [
    ({}, 127, "link_mtu: 127 is too small for gre/transport aes-gcm-256 outer=ipv4 labels=0: even a 68-byte inner packet "
              "(the IPv4 minimum, RFC 791) needs 128; allowed values: link_mtu >= 128"),
    ({"encap": "vti", "esp_encryption": "aes-cbc-256", "esp_integrity": "sha512", "outer": "ipv6", "nat_t": True, "labels": 3}, 199,
     "link_mtu: 199 is too small for vti/tunnel aes-cbc-256+sha512 outer=ipv6 nat_t labels=3: even a 68-byte inner packet "
     "(the IPv4 minimum, RFC 791) needs 200; allowed values: link_mtu >= 200"),
    ({"encap": "macsec", "macsec_sci": False}, 0, "link_mtu: 0 is too small for macsec gcm-aes-256 sci=no labels=0: even a 68-byte inner packet "
                                                  "(the IPv4 minimum, RFC 791) needs 92; allowed values: link_mtu >= 92"),
    ({"encap": "none", "labels": 1}, 71, "link_mtu: 71 is too small for none (plain MPLS) labels=1: even a 68-byte inner packet "
                                         "(the IPv4 minimum, RFC 791) needs 72; allowed values: link_mtu >= 72"),
])
def test_link_mtu_too_small(profile, link_mtu, message):
    for function in (mtu.max_inner, mtu.tcp_mss):
        with pytest.raises(mtu.MtuError) as exc:
            function(link_mtu, **profile)
        assert str(exc.value) == message
    needed = int(message.rsplit(">= ", 1)[1])
    assert mtu.max_inner(needed, **profile) >= 68  # ESP padding may let a few more bytes through
    assert mtu.wire_size(68, **profile) == needed


# ---------------------------------------------------------------------------------------------
# Properties over every valid profile.
# ---------------------------------------------------------------------------------------------
ESP_COMBOS = [("aes-gcm-128", "none"), ("aes-gcm-256", "none")] + [
    (enc, integ) for enc in ("aes-cbc-128", "aes-cbc-256", "null") for integ in ("sha1", "sha256", "sha384", "sha512")
]


def all_profiles() -> list[dict]:
    profiles = []
    for (enc, integ), outer, nat_t, gre_key in itertools.product(ESP_COMBOS, ("ipv4", "ipv6"), (False, True), (False, True)):
        esp = {"esp_encryption": enc, "esp_integrity": integ, "outer": outer}
        for mode in ("transport", "tunnel"):
            profiles.append({"encap": "gre", "ipsec_mode": mode, "nat_t": nat_t, "gre_key": gre_key, **esp})
        if not gre_key:
            profiles.append({"encap": "vti", "nat_t": nat_t, **esp})
        if not nat_t:
            profiles.append({"encap": "getvpn", "gre_key": gre_key, **esp})
    for cipher, sci in itertools.product(mtu.MACSEC_CIPHERS, (False, True)):
        profiles.append({"encap": "macsec", "macsec_cipher": cipher, "macsec_sci": sci})
    profiles.append({"encap": "none"})
    return profiles


PROFILES = all_profiles()
profiles = st.builds(lambda p, labels: {**p, "labels": labels}, st.sampled_from(PROFILES), st.integers(0, 6))


def test_every_profile_is_valid():
    assert len(PROFILES) == 2 * 14 * 2 * 2 * 2 + 14 * 2 * 2 + 14 * 2 * 2 + 8 + 1
    for profile in PROFILES:
        mtu.wire_size(1500, **profile)


@settings(max_examples=200, deadline=None)
@given(profile=profiles, inner=st.integers(mtu.MIN_INNER, mtu.MAX_INNER - 1))
def test_wire_size_is_monotonic(profile, inner):
    assert mtu.wire_size(inner, **profile) <= mtu.wire_size(inner + 1, **profile)
    assert mtu.wire_size(inner, **profile) > inner or profile["encap"] == "none"


@settings(max_examples=200, deadline=None)
@given(profile=profiles, link_mtu=st.integers(1280, 9216))
def test_max_inner_is_the_largest_that_fits(profile, link_mtu):
    best = mtu.max_inner(link_mtu, **profile)
    assert mtu.wire_size(best, **profile) <= link_mtu < mtu.wire_size(best + 1, **profile)
    assert mtu.tcp_mss(link_mtu, **profile) == best - 40


@settings(max_examples=150, deadline=None)
@given(profile=profiles, inner=st.integers(mtu.MIN_INNER, 9216))
def test_overhead_varies_only_by_padding(profile, inner):
    parts = dict(mtu.breakdown(inner, **profile))
    assert mtu.overhead(inner, **profile) == mtu.wire_size(inner, **profile) - inner == sum(parts.values()) - inner
    if "esp_padding" in parts:
        align = 16 if profile["esp_encryption"].startswith("aes-cbc") else 4
        assert 0 <= parts["esp_padding"] < align
        encrypted = sum(size for name, size in parts.items() if name in ("gre_delivery_ip", "gre", "mpls_labels", "inner", "esp_padding", "esp_trailer"))
        assert encrypted % align == 0
    else:
        assert mtu.overhead(inner, **profile) == mtu.overhead(mtu.MIN_INNER, **profile)


@settings(max_examples=150, deadline=None)
@given(inner=st.integers(mtu.MIN_INNER, 9216), labels=st.integers(0, 4), esp=st.sampled_from(ESP_COMBOS), outer=st.sampled_from(["ipv4", "ipv6"]))
def test_vti_saves_gre_and_its_delivery_header(inner, labels, esp, outer):
    profile = {"esp_encryption": esp[0], "esp_integrity": esp[1], "outer": outer, "labels": labels}
    saved = mtu.wire_size(inner, ipsec_mode="tunnel", **profile) - mtu.wire_size(inner, encap="vti", **profile)
    header = mtu.OUTERS[outer] + 4
    if esp[0].startswith("aes-cbc"):  # the 16-byte block rounds the 24 (44) bytes to a neighbouring block multiple
        assert saved in (header - header % 16, header - header % 16 + 16)
    else:
        assert saved == header
    assert mtu.wire_size(inner, encap="getvpn", **profile) == mtu.wire_size(inner, ipsec_mode="tunnel", **profile)


@settings(max_examples=100, deadline=None)
@given(inner=st.integers(mtu.MIN_INNER, 9216), labels=st.integers(0, 4), sci=st.booleans())
def test_macsec_cipher_does_not_change_the_size(inner, labels, sci):
    sizes = {mtu.wire_size(inner, encap="macsec", macsec_cipher=c, macsec_sci=sci, labels=labels) for c in mtu.MACSEC_CIPHERS}
    assert sizes == {inner + 4 * labels + (32 if sci else 24)}


# ---------------------------------------------------------------------------------------------
# The filter wrapper: FilterModule in process, documentation consistency, and real templating.
# ---------------------------------------------------------------------------------------------
def test_filter_module_registers_the_four_filters():
    filters = mtu_filter.FilterModule().filters()
    assert sorted(filters) == sorted(FILTERS)
    assert filters["wire_size"](1500, encap="gre", labels=2) == 1568
    assert filters["max_inner"](1500, encap="gre", labels=2) == 1434
    assert filters["tcp_mss"](1500, encap="gre", labels=2) == 1394
    assert filters["mtu_overhead"](1500, encap="gre", labels=2) == 68
    # the argument spec converts what Jinja may hand over as strings
    assert filters["max_inner"]("1500", labels="2", nat_t="no") == 1434
    assert filters["max_inner"](1500, labels=2, nat_t="yes") == 1434 - 8


@pytest.mark.parametrize(("args", "kwargs", "message"), [
    ((1500,), {"foo": 1}, "mplssec.p2p.wire_size: unknown keyword 'foo'; allowed keywords: "
                          "encap, ipsec_mode, esp_encryption, esp_integrity, labels, gre_key, outer, nat_t, macsec_cipher, macsec_sci"),
    ((1500,), {"_input": 1}, "mplssec.p2p.wire_size: unknown keyword '_input'; allowed keywords: "
                             "encap, ipsec_mode, esp_encryption, esp_integrity, labels, gre_key, outer, nat_t, macsec_cipher, macsec_sci"),
    ((1500, 2), {}, "mplssec.p2p.wire_size: takes its inner as the only positional argument, got 2"),
    ((1500,), {"encap": "ipip"}, "mplssec.p2p.wire_size: value of encap must be one of: gre, vti, getvpn, macsec, none, got: ipip"),
    (("abc",), {}, "mplssec.p2p.wire_size: argument 'inner' is of type str and we were unable to convert to int"),
    ((1500,), {"labels": "two"}, "mplssec.p2p.wire_size: argument 'labels' is of type str and we were unable to convert to int"),
    ((1500,), {"encap": "vti", "ipsec_mode": "transport"},
     "mplssec.p2p.wire_size: ipsec_mode: 'transport' is not valid with encap 'vti' (vti is always tunnel mode)"),
    ((1500,), {"esp_encryption": "aes-cbc-128", "esp_integrity": "none"},
     "mplssec.p2p.wire_size: esp_integrity: 'none' is not valid with esp_encryption 'aes-cbc-128'"),
    ((1500,), {"labels": -1}, "mplssec.p2p.wire_size: labels: -1 is not valid; allowed values: an integer >= 0"),
    ((10,), {}, "mplssec.p2p.wire_size: inner: 10 is not valid; allowed values: an integer from 20 to 65535"),
])
def test_filter_errors(args, kwargs, message):
    with pytest.raises(AnsibleFilterError) as exc:
        mtu_filter.wire_size(*args, **kwargs)
    assert str(exc.value).startswith(message)


def test_filter_max_inner_too_small():
    with pytest.raises(AnsibleFilterError, match=re.escape("mplssec.p2p.max_inner: link_mtu: 100 is too small for gre/transport")):
        mtu_filter.max_inner(100)
    with pytest.raises(AnsibleFilterError, match=re.escape("mplssec.p2p.tcp_mss: argument 'link_mtu' is of type str")):
        mtu_filter.tcp_mss("big")


@pytest.mark.parametrize("name", FILTERS)
def test_documentation_matches_plugin_utils(name):
    """The argument spec the wrapper validates against is the documentation; check it says what plugin_utils does."""
    doc = mtu_filter.documentation(name)
    options = doc["options"]
    assert doc["name"] == name
    assert list(options) == ["_input", *mtu.PROFILE_KEYWORDS]
    assert options["_input"] == {**options["_input"], "type": "int", "required": True}
    choices = {
        "encap": list(mtu.ENCAPS),
        "ipsec_mode": list(mtu.IPSEC_MODES),
        "esp_encryption": list(mtu.ESP_ENCRYPTIONS),
        "esp_integrity": list(mtu.ESP_INTEGRITIES),
        "outer": list(mtu.OUTERS),
        "macsec_cipher": list(mtu.MACSEC_CIPHERS),
    }
    for keyword, option in options.items():
        assert option.get("choices") == choices.get(keyword), keyword
        if "default" in option:  # only keywords whose default does not depend on encap carry one
            assert option["default"] == mtu.DEFAULTS[keyword], keyword
            assert keyword in ("encap", "labels", "gre_key", "nat_t")
    for keyword in ("ipsec_mode", "esp_encryption", "esp_integrity", "outer", "macsec_cipher", "macsec_sci"):
        assert str(mtu.DEFAULTS[keyword]).lower() in " ".join(options[keyword]["description"]).lower(), keyword


EXAMPLE_RESULTS = {
    "carrier_mtu_for_1500": 1568, "tunnel_mode": 1588, "vti": 1564, "vti_saves": 24,
    "ip_mtu": 1434, "tcp_mss": 1394, "macsec_ip_mtu": 1468, "cbc_overhead": 80,
}


def test_documented_examples_through_ansible(tmp_path):
    """Render the EXAMPLES of every filter's documentation with the real ansible templating."""
    with open(os.path.join(ROOT, "plugins", "filter", "wire_size.yml"), encoding="utf-8") as handle:
        examples = yaml.safe_load(yaml.safe_load(handle)["EXAMPLES"])
    assert set(examples) == set(EXAMPLE_RESULTS)
    for name in FILTERS[1:]:
        with open(os.path.join(ROOT, "plugins", "filter", f"{name}.yml"), encoding="utf-8") as handle:
            assert yaml.safe_load(yaml.safe_load(handle)["EXAMPLES"]) == examples
    env = {
        **os.environ,
        "ANSIBLE_CONFIG": os.path.join(ROOT, "ansible.cfg"),
        "ANSIBLE_COLLECTIONS_PATH": os.path.join(ROOT, ".cache", "collections"),
        "ANSIBLE_LOCALHOST_WARNING": "false",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
    }
    ansible = os.path.join(os.path.dirname(sys.executable), "ansible")

    def debug(msg, tree):
        subprocess.run([ansible, "localhost", "-m", "ansible.builtin.debug", "-a", json.dumps({"msg": msg}), "-t", str(tree)],
                       env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
        with open(tree / "localhost", encoding="utf-8") as handle:
            return json.load(handle)

    rendered = debug(examples, tmp_path / "examples")["msg"]
    assert {key: int(value) for key, value in rendered.items()} == EXAMPLE_RESULTS
    error = debug("{{ 1500 | mplssec.p2p.max_inner(encap='vti', ipsec_mode='transport') }}", tmp_path / "error")["msg"]
    assert "Task failed" in error and "mplssec.p2p.max_inner: ipsec_mode: 'transport' is not valid with encap 'vti'" in error


def test_docs_tables_match_the_functions():
    """docs/mtu.md's tables were generated by the functions; keep them in step."""
    with open(os.path.join(ROOT, "docs", "mtu.md"), encoding="utf-8") as handle:
        rows = [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in handle if line.startswith("| ")]
    modes = {"gre transport": {"ipsec_mode": "transport"}, "gre tunnel": {"ipsec_mode": "tunnel"}, "getvpn": {"encap": "getvpn"},
             "vti": {"encap": "vti"}, "macsec": {"encap": "macsec"}, "none": {"encap": "none"}}
    overhead_rows = [row for row in rows if len(row) == 7 and row[0] in modes]
    assert len(overhead_rows) == 4 * 7 + 3
    for mode, esp, *numbers in overhead_rows:
        profile = {**modes[mode], "labels": 2}
        if mode == "macsec":
            profile["macsec_sci"] = esp.endswith("on")
        elif mode != "none":
            enc, integ = (esp.split(" + ") + ["none"])[:2]
            profile.update(esp_encryption=enc, esp_integrity=integ)
        expected = [mtu.overhead(1500, **profile), mtu.wire_size(1500, **profile), mtu.max_inner(1500, **profile),
                    mtu.tcp_mss(1500, **profile), mtu.max_inner(9000, **profile)]
        assert [int(n) for n in numbers] == expected, (mode, esp)
    label_rows = [row for row in rows if len(row) == 7 and row[0].isdigit()]
    assert len(label_rows) == 4
    for labels, *numbers in label_rows:
        n = int(labels)
        expected = [mtu.wire_size(1500, labels=n), mtu.wire_size(1500, labels=n, ipsec_mode="tunnel"), mtu.wire_size(1500, labels=n, encap="vti"),
                    mtu.wire_size(1500, labels=n, encap="macsec"), mtu.wire_size(1500, labels=n, encap="macsec", macsec_sci=False),
                    mtu.wire_size(1500, labels=n, encap="none")]
        assert [int(x) for x in numbers] == expected, labels


def test_validation_cache_keeps_types_apart_and_never_caches_an_error():
    # filter_args caches validated parameters of hashable calls: a cached call must give the same answer as a
    # fresh one, 1 and True (equal, same hash) get entries of their own, and a refused call is refused again.
    from ansible_collections.mplssec.p2p.plugins.filter import mtu as mtu_filter

    spec = mtu_filter.SPECS["wire_size"]
    spec.cache.clear()
    first = spec.params((1400,), {"encap": "gre", "labels": 2})
    assert spec.params((1400,), {"encap": "gre", "labels": 2}) == first and len(spec.cache) == 1
    first["labels"] = 99  # callers get copies
    assert spec.params((1400,), {"encap": "gre", "labels": 2})["labels"] == 2
    spec.params((1400,), {"encap": "gre", "labels": 1})
    try:
        as_bool = spec.params((1400,), {"encap": "gre", "labels": True})
    except AnsibleFilterError:
        as_bool = None
    assert len(spec.cache) == (2 if as_bool is None else 3)
    for _attempt in range(2):
        with pytest.raises(AnsibleFilterError, match="ipsec_mode"):
            spec.params((1400,), {"encap": "gre", "ipsec_mode": "bogus"})
    assert len(spec.cache) == (2 if as_bool is None else 3)
