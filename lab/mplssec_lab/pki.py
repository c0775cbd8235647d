"""Certificate authentication of IKEv2 (auth ``rsa-sig`` / ``ecdsa-sig``), derived from both routers' views.

The lab has one CA (``MPLSSEC-CA``) that issued, before the lab started, one identity certificate per router of a
link selected by ``--scenario pki[:LINK,...]`` (``pki-rogue[:LINK]``: side b's certificate names another subject while
still claiming b's carrier address in its subjectAltName). Every behaviour below is sourced in
``lab/mplssec_lab/ios/README.md`` / ``junos/README.md`` ("PKI") and summarised in docs/lab.md "PKI".

For each direction (a *verifier* checks what the *presenter* sends), :func:`check` returns ``None`` when the
presenter is authenticated, else the reason, in this order:

1. the presenter has a certificate to send: IOS the one enrolled under the profile's (first) ``pki trustpoint
   [sign]``, Junos the
   ike policy's ``certificate local-certificate`` (or its only certificate when none is named);
2. its key fits the method (rsa-sig: an RSA key, ecdsa-sig: an ECDSA key);
3. the verifier trusts the issuer: IOS one of the profile's ``pki trustpoint [verify]`` holds the issuing CA's
   certificate; Junos a ca-profile does;
4. revocation: the trustpoint's / ca-profile's methods in order; ``crl`` needs the CRL distribution point, which the
   lab never reaches (**lab decision**: on a P-P link the CDP is behind the link being built), so the next method is
   tried; ``none`` accepts; no method left = authentication fails (IOS default ``revocation-check crl``, Junos default
   CRL checking without ``disable on-download-failure``);
5. identity: IOS: the responder's profile must match the peer, by ``match identity remote`` (the ID payload) **or**
   ``match certificate`` (the certificate map; a sequence matches when all its rules do, the map when one sequence
   does). Junos: ``remote-identity distinguished-name container|wildcard`` against the ID payload, which must then be
   the DN of the certificate sent; ``remote-identity inet`` against an address ID (not tied to the certificate:
   RFC 7296 section 3.5).
"""
from __future__ import annotations

from dataclasses import asdict

from . import model

CA_NAME = "MPLSSEC-CA"
CA_SUBJECT = "CN=MPLSSEC-CA,O=MPLSSEC"
CDP = "http://198.18.255.1/MPLSSEC-CA.crl"   # never reachable from the lab's routers (lab decision)
DOMAIN = "mplssec.lab"


def subject_of(host: str) -> str:
    return f"CN={host}.{DOMAIN},O=MPLSSEC"


def rogue_subject() -> str:
    return f"CN=rogue.{DOMAIN},O=MPLSSEC"


def ca_certificate() -> model.Certificate:
    return model.Certificate(name=CA_NAME, subject=CA_SUBJECT, issuer=CA_SUBJECT, serial="01", bits=4096,
                             not_after="2036-01-01 00:00:00")


def issue(host: str, platform: str, address: str | None, subject: str | None = None, key: str = "rsa") -> dict:
    """The PKI spec a router of a pki scenario starts with (``baseline["pki"]``): the CA certificate and one identity
    certificate (IOS: enrolled under trustpoint MPLSSEC-CA; Junos: certificate id ``mplssec-<host>``)."""
    name = CA_NAME if platform == "ios" else f"mplssec-{host}"
    serial = format(2 + sum(ord(c) for c in host) % 250, "02X")
    cert = model.Certificate(name=name, subject=subject or subject_of(host), issuer=CA_SUBJECT, serial=serial,
                             san_ip=address, san_dns=f"{host}.{DOMAIN}", key=key, cdp=CDP)
    return {"ca": asdict(ca_certificate()), "certificate": asdict(cert)}


def load(spec: dict | None) -> tuple[model.Certificate, model.Certificate] | None:
    """(CA certificate, identity certificate) of a baseline PKI spec (plain dicts, as the daemon stores them)."""
    if not spec:
        return None
    return model.Certificate(**spec["ca"]), model.Certificate(**spec["certificate"])


# -- distinguished names ---------------------------------------------------------------------------------------
def rdns(dn: str | None) -> list[tuple[str, str]]:
    """'CN=p1.x, O=Y' -> [('cn', 'p1.x'), ('o', 'y')]: attribute types and values compared case-insensitively,
    blanks around separators ignored (lab decision, docs/lab.md "PKI")."""
    out = []
    for part in str(dn or "").split(","):
        if "=" not in part:
            continue
        k, _, v = part.partition("=")
        out.append((k.strip().lower(), v.strip().lower()))
    return out


def dn_equal(a: str | None, b: str | None) -> bool:
    return bool(rdns(a)) and rdns(a) == rdns(b)


def ios_dn(dn: str) -> str:
    """IOS prints a subject as 'cn=p1.mplssec.lab,o=MPLSSEC' (attribute types in lower case)."""
    return ",".join(f"{k}={v}" for k, v in ((p.partition("=")[0].strip().lower(), p.partition("=")[2].strip())
                                              for p in dn.split(",") if "=" in p))


def _field(cert: model.Certificate, name: str) -> list[str]:
    if name == "subject-name":
        return [cert.subject]
    if name == "issuer-name":
        return [cert.issuer]
    if name == "alt-subject-name":
        return [x for x in (cert.san_ip, cert.san_dns) if x]
    if name == "name":
        return [cert.subject, cert.issuer]
    return []


def rule_matches(cert: model.Certificate, rule: tuple) -> bool:
    """One certificate map rule ``FIELD eq|ne|co|nc VALUE`` (Cisco: eq equal, ne not equal, co contains, nc does not
    contain; name fields compared case-insensitively)."""
    field_name, op, value = rule
    vals = [v.lower() for v in _field(cert, field_name)]
    value = value.lower()
    if field_name in ("subject-name", "issuer-name"):
        norm = ",".join(f"{k}={v}" for k, v in rdns(value)) or value
        vals = [",".join(f"{k}={v}" for k, v in rdns(x)) for x in vals]
        value_eq = norm
    else:
        value_eq = value
    if op == "eq":
        return value_eq in vals
    if op == "ne":
        return value_eq not in vals
    if op == "co":
        return any(value in v or value_eq in v for v in vals)
    if op == "nc":
        return not any(value in v or value_eq in v for v in vals)
    return False


def map_matches(cert: model.Certificate, rules: list | None) -> bool:
    """A certificate map matches when one of its sequences matches, a sequence when all its rules match. A sequence
    without rules matches nothing (lab decision)."""
    return any(seq and all(rule_matches(cert, r) for r in seq) for seq in (rules or []))


def junos_dn_matches(kind: str, pattern: str, dn: str) -> bool:
    """Junos remote-identity distinguished-name: ``container`` — the configured fields appear in the peer's DN in
    the same order; ``wildcard`` — each configured field appears, in any order; ``any`` — any DN."""
    peer = rdns(dn)
    if kind == "any":
        return bool(peer)
    want = rdns(pattern)
    if not want:
        return False
    if kind == "wildcard":
        return all(w in peer for w in want)
    it = iter(peer)
    return all(any(w == p for p in it) for w in want)


# -- authentication ------------------------------------------------------------------------------------------------
def presented(view: model.DeviceView, peer: model.IkePeer) -> model.Certificate | None:
    pki = view.pki
    if pki is None:
        return None
    if view.platform == "ios":
        return pki.certificates.get(peer.trustpoint) if peer.trustpoint else None
    if peer.local_cert:
        return pki.certificates.get(peer.local_cert)
    return next(iter(pki.certificates.values())) if len(pki.certificates) == 1 else None


def sent_id(view: model.DeviceView, peer: model.IkePeer, local_addr: str) -> tuple[str, str]:
    """The ID payload a router sends: ("dn", subject) with identity local dn / local-identity distinguished-name,
    else ("address", configured identity or the local address)."""
    if peer.local_id_dn:
        cert = presented(view, peer)
        return ("dn", cert.subject if cert else "")
    return ("address", str(peer.local_id or local_addr))


def _trusting(view: model.DeviceView, peer: model.IkePeer, issuer: str) -> str | None:
    pki = view.pki
    if pki is None:
        return None
    names = list(peer.verify_trustpoints) if view.platform == "ios" else list(pki.cas)
    for n in names:
        ca = pki.cas.get(n)
        if ca is not None and dn_equal(ca.subject, issuer):
            return n
    return None


def check(v_host: str, v_view: model.DeviceView, v_peer: model.IkePeer,
          p_host: str, p_view: model.DeviceView, p_peer: model.IkePeer, p_local: str, method: str) -> str | None:
    """None when v_host authenticates p_host's certificate and identity, else the reason (module docstring)."""
    cert = presented(p_view, p_peer)
    if cert is None:
        what = (f"pki trustpoint {p_peer.trustpoint} has no enrolled certificate" if p_view.platform == "ios" and
                p_peer.trustpoint else "no pki trustpoint in the IKEv2 profile" if p_view.platform == "ios" else
                f"local-certificate {p_peer.local_cert or '(none named)'} not loaded")
        return f"{p_host} has no certificate to send ({what}) (AUTHENTICATION_FAILED)"
    want_key = "ecdsa" if method == "ecdsa-sig" else "rsa"
    if cert.key != want_key:
        return f"{p_host}'s certificate has an {cert.key.upper()} key, auth is {method} (AUTHENTICATION_FAILED)"
    if v_view.platform == "ios" and not v_peer.verify_trustpoints:
        return f"{v_host}: no pki trustpoint to verify with in IKEv2 profile {v_peer.name} (AUTHENTICATION_FAILED)"
    tp = _trusting(v_view, v_peer, cert.issuer)
    if tp is None:
        return (f"{v_host} does not trust the issuer of {p_host}'s certificate ({cert.issuer}): certificate chain "
                "validation failed (AUTHENTICATION_FAILED)")
    methods = (v_view.pki.revocation.get(tp) if v_view.pki else None) or ["crl"]
    for m in methods:
        if m == "none":
            break
        if m in ("crl", "ocsp") and v_view.pki is not None and v_view.pki.cdp_reachable:
            break
    else:
        return (f"{v_host}: revocation check of {p_host}'s certificate failed: {' then '.join(methods)} unreachable "
                f"({cert.cdp or 'no CDP'}) (AUTHENTICATION_FAILED)")
    kind, value = sent_id(p_view, p_peer, p_local)
    if v_view.platform == "ios":
        by_id = v_peer.remote_id is not None and kind == "address" and str(v_peer.remote_id) == value
        by_cert = v_peer.cert_map is not None and map_matches(cert, v_peer.cert_rules)
        if v_peer.remote_id is None and v_peer.cert_map is None:
            return f"{v_host}: IKEv2 profile {v_peer.name} has no match identity or match certificate"
        if not (by_id or by_cert):
            return (f"{v_host}: no IKEv2 profile matches {p_host} (ID {kind} {value}, certificate subject "
                    f"{cert.subject}): AUTHENTICATION_FAILED")
        return None
    if v_peer.remote_dn is not None:
        if kind != "dn":
            return f"{v_host} expects a distinguished-name ID, {p_host} sends {kind} {value} (AUTHENTICATION_FAILED)"
        if not junos_dn_matches(v_peer.remote_dn[0], v_peer.remote_dn[1] or "", value):
            return (f"{v_host}: peer DN {value} does not match remote-identity distinguished-name "
                    f"{v_peer.remote_dn[0]} {v_peer.remote_dn[1]} (AUTHENTICATION_FAILED)")
    elif v_peer.remote_id is not None and not (kind == "address" and str(v_peer.remote_id) == value):
        return f"{v_host}: identity mismatch: expects {v_peer.remote_id}, peer sends {kind} {value}"
    if kind == "dn" and not dn_equal(value, cert.subject):
        return f"{v_host}: ID {value} is not the subject of {p_host}'s certificate (AUTHENTICATION_FAILED)"
    return None
