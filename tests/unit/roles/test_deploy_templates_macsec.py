# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Golden tests of the mode macsec templates of roles/deploy (ios|junos/macsec_{secure,enforce,relax,remove}.j2 and
the shared macsec.j2), rendered through Ansible's template lookup like the role does, for three links planned by
plan.build_plan: m1 IOS-Junos (defaults), m2 IOS-IOS (tagged service, PAE EAPoL address, offset 30, 10G, fail_closed
false), m3 Junos-Junos (LLDP multicast EAPoL, 128-bit suite, 128-bit CAK); plus the re-run render of m1 (MACsec already
on the carrier: no key line, no should-secure). ``UPDATE_GOLDEN=1`` rewrites tests/golden/deploy/macsec/.

Also the contract: no blank or template lines, the CKN and CAK each exactly once and only where the device takes them
(step 1 of a carrier without MACsec), nothing else of the key."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, trust_as_template
from test_deploy_templates import LAB_HOSTVARS, assert_golden

from ansible_collections.mplssec.p2p.plugins.plugin_utils import plan

ROOT = Path(__file__).resolve().parents[3]
ROLE = ROOT / "roles" / "deploy"
GOLDEN = ROOT / "tests" / "golden" / "deploy" / "macsec"
STEPS = ("macsec_secure", "macsec_enforce", "macsec_relax", "macsec_remove")
KEYS = {"m1": ("0a1b2c3d4e5f60718293a4b5c6d7e8f9", "f" * 8 + "0123456789abcdef" * 3 + "e" * 8),  # fixture values
        "m2": ("00aa", "1234567890abcdef" * 4),
        "m3": ("c0ffee", "abcdef0123456789" * 2)}
HOSTVARS = LAB_HOSTVARS
IGP = {"protocol": "ospf", "process_id": 1, "area": 0, "metric": 10}
LINKS = [
    {"name": "m1", "mode": "macsec", "macsec": {"ckn": KEYS["m1"][0], "cak": KEYS["m1"][1]}, "igp": IGP,
     "a": {"host": "p1", "interface": "GigabitEthernet2", "address": "192.0.2.0/31"},
     "b": {"host": "p2", "interface": "ge-0/0/0.0", "address": "192.0.2.1/31"}},
    {"name": "m2", "mode": "macsec", "fail_closed": False, "carrier_mtu": 1600, "igp": IGP,
     "macsec": {"ckn": KEYS["m2"][0], "cak": KEYS["m2"][1], "tagged_service": True, "eapol_address": "pae", "offset": 30},
     "a": {"host": "p3", "interface": "TenGigabitEthernet0/0/1", "address": "192.0.2.2/31"},
     "b": {"host": "p4", "interface": "TenGigabitEthernet0/0/1", "address": "192.0.2.3/31"}},
    {"name": "m3", "mode": "macsec", "igp": dict(IGP, area=1), "labels": 3,
     "macsec": {"ckn": KEYS["m3"][0], "cak": KEYS["m3"][1], "eapol_address": "lldp-multicast", "cipher_suite": "gcm-aes-128",
                "replay_window": 0},
     "a": {"host": "p5", "interface": "ge-0/0/2.0", "address": "192.0.2.4/31"},
     "b": {"host": "p6", "interface": "ge-0/0/3.0", "address": "192.0.2.5/31"}},
]
PLAN = plan.build_plan(LINKS, HOSTVARS)["hosts"]


def render(template: str, link: dict, router: dict, keys: tuple[str, str]) -> str:
    templar = Templar(loader=DataLoader(), variables={"ansible_search_path": [str(ROLE)], "_link": link, "_router": router,
                                                      "_keys": {"ckn": keys[0], "cak": keys[1]}, "_psk": keys[1]})
    expr = ("{{ lookup('ansible.builtin.template', '%s', template_vars={'link': _link, 'router': _router, 'psk': _psk, "
            "'macsec_keys': _keys}) }}" % template)
    return templar.template(trust_as_template(expr)) or ""


def cases():
    for host, fact in sorted(PLAN.items()):
        for link in fact["links"]:
            for step in STEPS:
                yield pytest.param(host, fact, link, step, id=f"{link['name']}-{host}-{fact['platform']}-{step}")
            if link["name"] == "m1":
                rerun = copy.deepcopy(link)
                rerun["carrier"] = {"macsec_deployed": True}
                yield pytest.param(host, fact, rerun, "macsec_secure", id=f"m1-{host}-{fact['platform']}-rerun")


@pytest.mark.parametrize("host,fact,link,step", list(cases()))
def test_golden_and_contract(host, fact, link, step):
    router = {k: v for k, v in fact.items() if k != "links"}
    ckn, cak = KEYS[link["name"]]
    text = render(f"{fact['platform']}/{step}.j2", link, router, (ckn, cak))
    rerun = bool((link.get("carrier") or {}).get("macsec_deployed"))
    assert_golden(GOLDEN / link["name"] / f"{host}-{fact['platform']}-{step}{'-rerun' if rerun else ''}.cfg", text,
                  f"{step} for {host}/{link['name']}")
    lines = text.splitlines()
    assert lines and "{{" not in text and "{%" not in text
    assert all(line.strip() and line == line.rstrip() for line in lines), "blank line or trailing whitespace"
    keyed = step == "macsec_secure" and not rerun
    assert sum(ckn in line for line in lines) == (1 if keyed else 0)
    assert sum(cak in line for line in lines) == (1 if keyed else 0)
    for line in lines:
        if cak in line:
            assert line.strip().startswith("key-string ") or " pre-shared-key cak " in line
    if step == "macsec_enforce":
        assert "must-secure" in text


def test_steps_of_the_deploy_are_these_templates():
    import yaml

    steps = yaml.safe_load((ROLE / "vars" / "main.yml").read_text())
    names = {s["template"] for key in ("deploy_steps_macsec", "deploy_steps_rollback_macsec") for s in steps[key]}
    assert names == set(STEPS)


# -- rotate_p2p, mode macsec (IOS-IOS): the MKA key chain rollover --------------------------------------------------
ROLLOVER_STEPS = ("macsec_rollover", "macsec_rollover_done")
PREVIOUS = "00bb"       # fixture value: the CKN being replaced on m2
ROLLOVER_AT = "10:00:00 Jan 1 2027"


def _rollover_render(step: str, chain: list) -> tuple[str, dict]:
    from ansible_collections.mplssec.p2p.plugins.plugin_utils import facts

    link = copy.deepcopy(next(x for x in PLAN["p3"]["links"] if x["name"] == "m2"))
    link["carrier"] = {"macsec_deployed": True,
                       "macsec_keys": [{"ckn_sha256": facts.ckn_digest(c), "lifetime": life} for c, life in chain]}
    templar = Templar(loader=DataLoader(), variables={
        "ansible_search_path": [str(ROLE)], "_link": link, "_router": {},
        "_keys": {"ckn": KEYS["m2"][0], "cak": KEYS["m2"][1], "previous_ckn": PREVIOUS}})
    expr = ("{{ lookup('ansible.builtin.template', 'ios/%s.j2', template_vars={'link': _link, 'router': _router, "
            "'psk': '', 'macsec_keys': _keys, 'rollover_at': '%s'}) }}" % (step, ROLLOVER_AT))
    return templar.template(trust_as_template(expr)) or "", link


@pytest.mark.parametrize("step", ROLLOVER_STEPS)
def test_rollover_golden_and_contract(step):
    text, _link = _rollover_render(step, [(PREVIOUS, False)])
    assert_golden(GOLDEN / "m2" / f"p3-ios-{step}.cfg", text, f"{step} for p3/m2")
    lines = text.splitlines()
    assert lines and all(line.strip() and line == line.rstrip() for line in lines)
    ckn, cak = KEYS["m2"]
    if step == "macsec_rollover":
        # the old key ends and the new one begins at the same time; the CAK once, on its key-string line
        assert f" key {PREVIOUS}" in lines and f"  lifetime local 00:00:00 Jan 1 2020 {ROLLOVER_AT}" in lines
        assert f" key {ckn}" in lines and f"  lifetime local {ROLLOVER_AT} infinite" in lines
        assert [x.strip() for x in lines if cak in x] == [f"key-string {cak}"]
    else:
        assert lines == ["key chain MPLSSEC-M2 macsec", f" no key {PREVIOUS}"] and cak not in text


@pytest.mark.parametrize("chain", [[(KEYS["m2"][0], True)], [("00cc", False)]], ids=["rerun", "unknown-key"])
def test_rollover_renders_nothing_without_the_key_to_replace(chain):
    """A re-run (the chain already holds the new key) or a chain without the key to replace: nothing is pushed (the
    gate then judges the session's CKN)."""
    for step in ROLLOVER_STEPS:
        assert _rollover_render(step, chain)[0].strip() == ""


def test_rotate_steps_of_mode_macsec_are_these_templates():
    import yaml

    steps = yaml.safe_load((ROLE / "vars" / "main.yml").read_text())
    assert tuple(s["template"] for s in steps["deploy_steps_rotate_macsec"] if s.get("template")) == ROLLOVER_STEPS
