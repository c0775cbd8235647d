# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Golden tests of roles/deploy/templates: render every phase of every example link for both ends
through Ansible's own template lookup (the exact code path the role uses) and compare byte for byte
with the committed files in tests/golden/deploy/.  ``UPDATE_GOLDEN=1 pytest ...`` rewrites them.

Also asserts the template contract: device syntax only, sorted/deterministic output, the PSK only
where the device needs it, and nothing rendered twice.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import init_plugin_loader
from ansible.template import Templar, trust_as_template

ROOT = Path(__file__).resolve().parents[3]
ROLE = ROOT / "roles" / "deploy"
GOLDEN = ROOT / "tests" / "golden" / "deploy"
FIXTURE = yaml.safe_load((GOLDEN / "plan.yml").read_text())
PHASES = ("phase1", "phase3", "phase4", "phase5", "undo_restore", "undo_remove", "rotate", "reauth")
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"

init_plugin_loader()


#: the routers p1..p6 of the lab's vendor cycle (IOS-Junos, IOS-IOS, Junos-Junos) as inventory hostvars
LAB_HOSTVARS = {f"p{i}": {"ansible_network_os": "junipernetworks.junos.junos" if i in (2, 5, 6) else "cisco.ios.ios",
                          "p2p_router_id": f"203.0.113.{i}"} for i in range(1, 7)}


def render(template: str, link: dict, router: dict, psk: str | None) -> str:
    """Render one role template like the role does: lookup('ansible.builtin.template', ..., template_vars=...)."""
    templar = Templar(loader=DataLoader(), variables={"ansible_search_path": [str(ROLE)],
                                                      "_link": link, "_router": router, "_psk": psk})
    expr = ("{{ lookup('ansible.builtin.template', '%s', template_vars={'link': _link, 'router': _router, 'psk': _psk}) }}"
            % template)
    return templar.template(trust_as_template(expr)) or ""


def cases():
    for host, plan in sorted(FIXTURE["p2p_plan"].items()):
        for link in plan["links"]:
            for phase in PHASES:
                yield pytest.param(host, plan, link, phase, id=f"{link['name']}-{host}-{plan['platform']}-{phase}")


@pytest.mark.parametrize("host,plan,link,phase", list(cases()))
def test_golden(host, plan, link, phase):
    psk = FIXTURE["p2p_links_psk"][link["name"]]
    router = {k: v for k, v in plan.items() if k != "links"}
    text = render(f"{plan['platform']}/{phase}.j2", link, router, psk)
    assert_golden(GOLDEN / link["name"] / f"{host}-{plan['platform']}-{phase}.cfg", text, f"{phase} for {host}/{link['name']}")


def assert_golden(path: Path, text: str, what: str) -> None:
    """``text`` equals the golden file ``path`` (rewritten with UPDATE_GOLDEN=1)."""
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    assert path.exists(), f"{path} missing: run UPDATE_GOLDEN=1 pytest {__file__}"
    assert text == path.read_text(), f"rendered {what} differs from {path}; review, then UPDATE_GOLDEN=1"


@pytest.mark.parametrize("host,plan,link,phase", [c for c in cases() if c.values[3].startswith("phase")])
def test_contract(host, plan, link, phase):
    psk = FIXTURE["p2p_links_psk"][link["name"]]
    router = {k: v for k, v in plan.items() if k != "links"}
    text = render(f"{plan['platform']}/{phase}.j2", link, router, psk)
    lines = text.splitlines()
    if phase == "phase5" and not link["fail_closed"]:
        assert text.strip() == "", "no fail-closed filter when the plan says fail_closed: false"
        return
    # no template leftovers, no blank lines, no trailing spaces
    assert "{{" not in text and "{%" not in text
    assert all(line.strip() for line in lines), "blank line in rendered config"
    assert all(line == line.rstrip() for line in lines), "trailing whitespace"
    # the PSK appears only in phase 1, once, on the line that configures it
    if psk:
        hits = [line for line in lines if psk in line]
        assert len(hits) == (1 if phase == "phase1" and link["crypto"]["auth"] == "psk" else 0)
        for line in hits:
            assert "pre-shared-key" in line
    if plan["platform"] == "junos":
        assert all(re.match(r"^(set|delete|deactivate|activate) ", line) for line in lines), \
            "Junos templates render set/delete/(de)activate lines only"
        assert len(lines) == len(set(lines)), "a Junos statement rendered twice"
    else:
        # IOS: never push what IOS hides (the config would never converge)
        assert " tunnel mode gre ip" not in lines and " mode tunnel" not in lines
        assert " lifetime 86400" not in lines
        assert " set security-association lifetime seconds 3600" not in lines


def test_phase_templates_are_includes_only():
    """Phase templates only compose the feature templates (one template per feature per platform)."""
    for platform in ("ios", "junos"):
        for phase in ("phase1", "phase3", "phase4", "phase5"):
            body = (ROLE / "templates" / platform / f"{phase}.j2").read_text()
            for line in body.splitlines():
                include = r"\{% include '" + platform + r"/[a-z_]+\.j2' \+%\}"
                guarded = r"\{% if link\.[a-z_]+ %\}" + include + r"\{% endif %\}"
                assert line.startswith("{#-") or re.fullmatch(include, line) or re.fullmatch(guarded, line), line


@pytest.mark.parametrize("host,plan,link,phase", [c for c in cases() if c.values[3] in ("rotate", "reauth")])
def test_rotation_templates(host, plan, link, phase):
    """rotate: the PSK lines of crypto.j2 and nothing else (the same include); reauth: one clear on side a only, of
    the SAs to this link's peer (a router in a ring has other peers)."""
    psk = FIXTURE["p2p_links_psk"][link["name"]]
    router = {k: v for k, v in plan.items() if k != "links"}
    text = render(f"{plan['platform']}/{phase}.j2", link, router, psk)
    if phase == "rotate" and link["crypto"]["auth"] != "psk":
        assert text == "", "no key to rotate with certificates (rotate_p2p refuses the link)"
        return
    if phase == "rotate":
        crypto = render(f"{plan['platform']}/crypto.j2", link, router, psk)
        assert text.strip() and text in crypto, text
        assert [line for line in text.splitlines() if psk in line] == [
            line for line in crypto.splitlines() if psk in line], "rotate pushes exactly the key line(s) of crypto.j2"
        return
    lines = text.splitlines()
    if link["side"] == "b":
        assert lines == []
    else:
        assert len(lines) == 1 and lines[0].startswith("clear ") and lines[0].endswith(" " + link["peer"]["address"])


def test_transport_refused_shape():
    """IOS transport mode protects the GRE tunnel itself; tunnel mode protects only the sVTI."""
    p3 = FIXTURE["p2p_plan"]["p3"]
    link = p3["links"][0]
    text = render("ios/phase1.j2", link, p3, "x" * 20)
    assert " mode transport" in text
    assert "tunnel mode ipsec ipv4" not in text
    p1 = FIXTURE["p2p_plan"]["p1"]
    text = render("ios/phase1.j2", p1["links"][0], p1, "x" * 20)
    assert "tunnel mode ipsec ipv4" in text and " mode transport" not in text


def test_every_gate_check_is_a_verify_check():
    """The gates of roles/deploy/vars/main.yml name checks of plugins/plugin_utils/verify.py (one command, parser and
    pass criterion per check, shared by the deploy gates and the verify role), and each renders its commands for
    every example link."""
    from ansible_collections.mplssec.p2p.plugins.plugin_utils import verify

    steps = yaml.safe_load((ROLE / "vars" / "main.yml").read_text())
    names = set()
    for key in ("deploy_steps_encrypt", "deploy_steps_rollback", "deploy_steps_rotate"):
        for step in steps[key]:
            for platform in ("ios", "junos"):
                assert "template" not in step or (ROLE / "templates" / platform / f"{step['template']}.j2").exists()
            for item in step["checks"]:
                names.add(item["check"] if isinstance(item, dict) else item)
    assert names <= set(verify.CHECKS), names - set(verify.CHECKS)
    for plan in FIXTURE["p2p_plan"].values():
        for link in plan["links"]:
            for name in names:
                assert verify.show_commands(name, plan, link)


def _cert_variant(host: str) -> tuple[dict, dict]:
    """core1's entry on host with certificate auth, as the plan writes it (each router its own certificate)."""
    plan = FIXTURE["p2p_plan"][host]
    link = yaml.safe_load(yaml.safe_dump(plan["links"][0]))
    me, peer = (host, link["peer"]["host"])
    link["crypto"].update(auth="rsa-sig", trustpoint="MPLSSEC-CA", pki_last_on_router=True,
                          certificate=f"mplssec-{me}" if plan["platform"] == "junos" else None,
                          certificate_subject=f"CN={me}.mplssec.example,O=MPLSSEC",
                          peer_certificate_subject=f"CN={peer}.mplssec.example,O=MPLSSEC")
    return plan, link


def test_certificate_auth_pins_the_peer_subject_on_both_vendors():
    """vendor-truth #20: the peer is accepted by its certificate's subject only (no address identity, which is not
    tied to the certificate); each router names its own certificate; revocation checking does not block when the
    CRL cannot be fetched; the undo removes what phase 1 added."""
    plan, link = _cert_variant("p2")
    text = render("junos/phase1.j2", link, plan, None)
    assert "set security ike policy MPLSSEC-CORE1 certificate local-certificate mplssec-p2\n" in text
    assert "set security ike gateway MPLSSEC-CORE1 local-identity distinguished-name\n" in text
    assert ('set security ike gateway MPLSSEC-CORE1 remote-identity distinguished-name container '
            '"CN=p1.mplssec.example,O=MPLSSEC"\n') in text
    assert "set security pki ca-profile MPLSSEC-CA revocation-check crl disable on-download-failure\n" in text
    assert "identity inet" not in text and "pre-shared-key" not in text
    undo = render("junos/undo_remove.j2", link, plan, None)
    assert "delete security pki ca-profile MPLSSEC-CA revocation-check crl disable on-download-failure\n" in undo
    link["crypto"]["pki_last_on_router"] = False      # another certificate link of p2 still needs it
    assert "security pki" not in render("junos/undo_remove.j2", link, plan, None)
    plan, link = _cert_variant("p1")
    text = render("ios/phase1.j2", link, plan, None)
    assert "crypto pki certificate map MPLSSEC-CORE1 10\n subject-name eq cn=p2.mplssec.example,o=mplssec\n" in text
    assert " match certificate MPLSSEC-CORE1\n identity local dn\n" in text
    assert "match identity remote" not in text and "keyring" not in text
    for host in ("p7", "p8"):        # the frozen certificate link: each router its own subject, no foreign name
        crypto = FIXTURE["p2p_plan"][host]["links"][0]["crypto"]
        assert crypto["certificate"] is None and crypto["certificate_subject"].startswith(f"CN={host}.")
