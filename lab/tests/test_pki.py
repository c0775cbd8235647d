"""Certificate authentication (auth rsa-sig) against the real device classes and the Lab physics (docs/lab.md "PKI",
sources in lab/mplssec_lab/ios/README.md and junos/README.md "PKI").

``--scenario pki``: every router of the selected links holds a certificate from MPLSSEC-CA. IKEv2 with certificates
comes up only when both ends trust the CA, the received certificate matches the receiver's certificate map /
remote-identity DN, and revocation checking does not block it (the CRL distribution point is never reachable in the
lab: ``revocation-check crl`` alone fails authentication).
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "ios"))

from ios_helpers import push, run_cli  # noqa: E402

from mplssec_lab import pki  # noqa: E402
from mplssec_lab.junos import tree as T  # noqa: E402
from mplssec_lab.lab import Lab  # noqa: E402
from mplssec_lab.topology import build  # noqa: E402

AUTH = {"username": "admin", "password": "pw", "enable_password": "en"}


def _lab(*scenarios, pairs=3):
    # pair 1 IOS-Junos (p1, p2), pair 2 IOS-IOS (p3, p4), pair 3 Junos-Junos (p5, p6)
    return Lab(build(pairs, list(scenarios)), auth=AUTH)


def _addr(lab, host):
    link = lab.topology.link_of(host)
    return link.end(host)[1].split("/")[0], link.end(link.other(host))[1].split("/")[0], link.end(host)[0]


def ios_cert_config(lab, host, peer, *, match="map", revocation="crl none", peer_subject=None, identity="dn",
                    trustpoint="MPLSSEC-CA"):
    """IKEv2 with RSA signatures as the Cisco IKEv2 configuration guide writes it: a certificate map on the peer's
    subject, ``match certificate`` in the profile, ``identity local dn``, ``pki trustpoint``; GRE tunnel protection."""
    local, remote, carrier = _addr(lab, host)
    subject = (peer_subject or pki.subject_of(peer)).lower()
    lines = [
        "crypto pki certificate map MPLSSEC-PEER 10", f" subject-name eq {subject}",
        f"crypto pki trustpoint {trustpoint}", f" revocation-check {revocation}",
        "crypto ikev2 proposal P", " encryption aes-gcm-256", " prf sha384", " group 20",
        "crypto ikev2 policy P", f" match address local {local}", " proposal P",
        "crypto ikev2 profile P", f" match address local {local}",
    ]
    if match in ("map", "both"):
        lines.append(" match certificate MPLSSEC-PEER")
    if match in ("address", "both"):
        lines.append(f" match identity remote address {remote} 255.255.255.255")
    lines += [f" identity local {'dn' if identity == 'dn' else 'address ' + local}",
              " authentication remote rsa-sig", " authentication local rsa-sig", f" pki trustpoint {trustpoint}",
              "crypto ipsec transform-set P esp-gcm 256", " mode transport",
              "crypto ipsec profile P", " set transform-set P", " set pfs group20", " set ikev2-profile P",
              "interface Tunnel100", " ip address 198.51.100.%d 255.255.255.254" % (0 if host < peer else 1),
              f" tunnel source {carrier}", f" tunnel destination {remote}", " tunnel protection ipsec profile P"]
    return lines


def _ike(lab, host):
    sas = lab.state(host).ike_sas
    assert sas, f"{host}: no IKE SA at all"
    return sas[0]


def _ios_pair(lab, a="p3", b="p4", **kw_b):
    push(lab.devices[a], ios_cert_config(lab, a, b))
    push(lab.devices[b], ios_cert_config(lab, b, a, **kw_b))


def test_scenario_gives_each_router_a_certificate_shown_in_real_formats():
    lab = _lab("pki:1,2")
    cfg = lab.running_config("p3")
    assert "crypto pki trustpoint MPLSSEC-CA\n enrollment terminal\n subject-name cn=p3.mplssec.lab,o=MPLSSEC\n" \
           " revocation-check crl\n" in cfg
    out = run_cli(lab.devices["p3"], ["show crypto pki certificates MPLSSEC-CA"])
    assert "Certificate\n  Status: Available\n" in out and "CA Certificate\n" in out
    assert "    cn=p3.mplssec.lab\n    o=MPLSSEC\n" in out and "IP Address: 192.0.2.2" in out
    assert "Associated Trustpoints: MPLSSEC-CA" in out
    from mplssec_lab.junos import show as SH
    out = SH.run(lab.devices["p2"], "show security pki local-certificate")[0]
    assert "Certificate identifier: mplssec-p2\n" in out and "Issued to: p2.mplssec.lab, Issued by: " in out
    out = SH.run(lab.devices["p2"], "show security pki ca-certificate")[0]
    assert "Certificate identifier: MPLSSEC-CA\n" in out
    assert "security pki ca-profile MPLSSEC-CA" not in lab.running_config("p4")   # IOS has no ca-profile
    # a router of no pki link holds no certificate
    assert lab.devices["p5"].view().pki.certificates == {}


def test_ios_certificate_map_and_identity_dn_come_up():
    lab = _lab("pki:2")
    _ios_pair(lab)
    sa = _ike(lab, "p3")
    assert sa.established, sa.reason
    out = run_cli(lab.devices["p3"], ["show crypto ikev2 sa detailed"])
    assert "Auth sign: RSA, Auth verify: RSA" in out


def test_ios_wrong_subject_in_the_map_fails():
    lab = _lab("pki:2")
    _ios_pair(lab, peer_subject="CN=p9.mplssec.lab,O=MPLSSEC")   # p4 pins a subject p3 does not have
    sa = _ike(lab, "p3")
    assert not sa.established and "no IKEv2 profile matches p3" in sa.reason, sa.reason


def test_ios_match_identity_address_accepts_any_certificate_of_the_ca_claiming_the_address():
    """vendor-truth #20: ``match identity remote address`` is ORed with ``match certificate`` and an address ID is not
    tied to the certificate (RFC 7296 3.5), so a rogue certificate of the same CA is accepted; with the map alone it is
    refused."""
    lab = _lab("pki-rogue:2")
    push(lab.devices["p3"], ios_cert_config(lab, "p3", "p4", match="both"))
    push(lab.devices["p4"], ios_cert_config(lab, "p4", "p3", identity="address"))
    assert _ike(lab, "p3").established                       # the rogue p4 gets in through the address match
    push(lab.devices["p3"], ["crypto ikev2 profile P", " no match identity remote address "
                             f"{_addr(lab, 'p4')[0]} 255.255.255.255"])
    sa = _ike(lab, "p3")
    assert not sa.established and "certificate subject CN=rogue.mplssec.lab" in sa.reason, sa.reason


def test_ios_default_revocation_check_crl_fails_when_the_cdp_is_unreachable():
    lab = _lab("pki:2")
    _ios_pair(lab, revocation="crl")
    sa = _ike(lab, "p3")
    assert not sa.established and "revocation check of p3's certificate failed: crl unreachable" in sa.reason, \
        sa.reason
    push(lab.devices["p4"], ["crypto pki trustpoint MPLSSEC-CA", " revocation-check none"])
    assert _ike(lab, "p3").established


def test_ios_untrusted_ca_and_missing_certificate_fail():
    lab = _lab("pki:2")
    _ios_pair(lab)
    # p4 signs with MPLSSEC-CA but verifies with a trustpoint of another CA: p3's chain does not validate
    push(lab.devices["p4"], ["crypto pki trustpoint OTHER-CA", " enrollment terminal", " revocation-check none",
                             "crypto ikev2 profile P", " no pki trustpoint MPLSSEC-CA",
                             " pki trustpoint MPLSSEC-CA sign", " pki trustpoint OTHER-CA verify"])
    sa = _ike(lab, "p3")
    assert not sa.established and "p4 does not trust the issuer of p3's certificate" in sa.reason, sa.reason
    # p4 signs with a trustpoint without an enrolled certificate: it has nothing to send
    push(lab.devices["p4"], ["crypto ikev2 profile P", " no pki trustpoint MPLSSEC-CA sign",
                             " no pki trustpoint OTHER-CA verify", " pki trustpoint OTHER-CA"])
    sa = _ike(lab, "p3")
    assert not sa.established and "p4 has no certificate to send" in sa.reason, sa.reason
    # no certificates at all (no pki scenario): rsa-sig cannot authenticate
    lab = _lab()
    _ios_pair(lab)
    sa = _ike(lab, "p3")
    assert not sa.established and "no certificate to send" in sa.reason, sa.reason


def junos_push(dev, lines):
    dev.candidate, _w = T.load_set(dev.candidate, "\n".join(lines))
    dev.commit(None)


def junos_cert_config(lab, host, peer, *, remote_dn=None, revocation="crl disable on-download-failure"):
    """Route-based VPN with RSA signatures as the Juniper examples write it: local-certificate in the ike policy,
    local-identity / remote-identity distinguished-name on the gateway, the CA profile's revocation-check."""
    local, remote, carrier = _addr(lab, host)
    dn = remote_dn or ("container", pki.subject_of(peer))
    lines = [
        f"set security pki ca-profile MPLSSEC-CA revocation-check {revocation}",
        "set security ike proposal P authentication-method rsa-signatures",
        "set security ike proposal P dh-group group20",
        "set security ike proposal P authentication-algorithm sha-384",
        "set security ike proposal P encryption-algorithm aes-256-gcm",
        "set security ike policy P proposals P",
        f"set security ike policy P certificate local-certificate mplssec-{host}",
        "set security ike gateway G ike-policy P", f"set security ike gateway G address {remote}",
        f"set security ike gateway G external-interface {carrier}", f"set security ike gateway G local-address {local}",
        "set security ike gateway G local-identity distinguished-name",
        f'set security ike gateway G remote-identity distinguished-name {dn[0]} "{dn[1]}"',
        "set security ike gateway G version v2-only",
        "set interfaces st0 unit 100 family inet address 198.51.100.%d/31" % (0 if host < peer else 1),
        "set security zones security-zone untrust interfaces st0.100",
        "set security ipsec proposal P protocol esp", "set security ipsec proposal P encryption-algorithm aes-256-gcm",
        "set security ipsec policy P perfect-forward-secrecy keys group20", "set security ipsec policy P proposals P",
        "set security ipsec vpn V bind-interface st0.100", "set security ipsec vpn V ike gateway G",
        "set security ipsec vpn V ike ipsec-policy P", "set security ipsec vpn V establish-tunnels immediately",
    ]
    return lines


def test_junos_remote_identity_dn_container_comes_up_and_a_wrong_dn_fails():
    lab = _lab("pki:3")
    junos_push(lab.devices["p5"], junos_cert_config(lab, "p5", "p6"))
    junos_push(lab.devices["p6"], junos_cert_config(lab, "p6", "p5"))
    sa = _ike(lab, "p5")
    assert sa.established, sa.reason
    junos_push(lab.devices["p6"], ['set security ike gateway G remote-identity distinguished-name container '
                                   '"CN=p9.mplssec.lab,O=MPLSSEC"'])
    sa = _ike(lab, "p5")
    assert not sa.established and "does not match remote-identity distinguished-name" in sa.reason, sa.reason


def test_junos_default_crl_check_fails_when_the_cdp_is_unreachable():
    lab = _lab("pki:3")
    junos_push(lab.devices["p5"], junos_cert_config(lab, "p5", "p6"))
    junos_push(lab.devices["p6"], junos_cert_config(lab, "p6", "p5"))
    junos_push(lab.devices["p6"], ["delete security pki ca-profile MPLSSEC-CA revocation-check"])
    sa = _ike(lab, "p5")
    assert not sa.established and "revocation check" in sa.reason, sa.reason
    junos_push(lab.devices["p6"], ["set security pki ca-profile MPLSSEC-CA revocation-check disable"])
    assert _ike(lab, "p5").established


def test_ios_junos_certificates_interoperate():
    lab = _lab("pki:1")
    push(lab.devices["p1"], [line.replace(" mode transport", " mode tunnel")
                             for line in ios_cert_config(lab, "p1", "p2")])
    junos_push(lab.devices["p2"], junos_cert_config(lab, "p2", "p1"))
    sa = _ike(lab, "p1")
    assert sa.established, sa.reason


def test_dn_matching_rules():
    cert = pki.load(pki.issue("p3", "ios", "192.0.2.2"))[1]
    assert pki.rule_matches(cert, ("subject-name", "eq", "cn=p3.mplssec.lab,o=mplssec"))
    assert pki.rule_matches(cert, ("subject-name", "eq", "CN = p3.mplssec.lab, O = MPLSSEC"))
    assert not pki.rule_matches(cert, ("subject-name", "eq", "cn=p3.mplssec.lab"))
    assert pki.rule_matches(cert, ("subject-name", "co", "p3.mplssec"))
    assert pki.rule_matches(cert, ("alt-subject-name", "eq", "192.0.2.2"))
    assert pki.rule_matches(cert, ("issuer-name", "eq", "cn=mplssec-ca,o=mplssec"))
    assert pki.junos_dn_matches("container", "CN=p3.mplssec.lab", cert.subject)
    assert not pki.junos_dn_matches("container", "O=MPLSSEC,CN=p3.mplssec.lab", cert.subject)
    assert pki.junos_dn_matches("wildcard", "O=MPLSSEC,CN=p3.mplssec.lab", cert.subject)


def test_ios_junos_rogue_certificate_of_the_same_ca_is_refused_by_the_certificate_map():
    """The deploy's shape (tests/integration/test_pki_lab.py): p2 holds CN=rogue.mplssec.lab (same CA, SAN = p2's
    address); p1 pins CN=p2.mplssec.lab."""
    lab = _lab("pki-rogue:1")
    push(lab.devices["p1"], [line.replace(" mode transport", " mode tunnel")
                             for line in ios_cert_config(lab, "p1", "p2")])
    junos_push(lab.devices["p2"], junos_cert_config(lab, "p2", "p1"))
    sa = _ike(lab, "p1")
    assert not sa.established and "no IKEv2 profile matches p2" in sa.reason and "CN=rogue.mplssec.lab" in sa.reason, \
        sa.reason
