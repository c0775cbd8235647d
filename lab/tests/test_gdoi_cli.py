"""`mplssec-lab up --mode getvpn`: the real console script builds the key server(s) and writes the inventory the
product reads (docs/lab.md "GET VPN"): key servers in their own group, links in mode getvpn, the shared group in
p2p_getvpn_groups with its vaulted registration key; the key server's in-building link is a fault target."""
from __future__ import annotations

import json
import os

import yaml

from mplssec_lab import inventory


def _load(path):
    class L(yaml.SafeLoader):
        pass
    L.add_constructor("!vault", lambda loader, node: loader.construct_scalar(node))
    with open(path) as fh:
        return yaml.load(fh, Loader=L)


def test_help_documents_the_mode():
    from mplssec_lab.cli import build_parser
    up = build_parser()._subparsers._group_actions[0].choices["up"].format_help()
    assert "--mode {gre_ipsec,getvpn,macsec}" in up and "--key-servers" in up and "key server" in up


def test_up_mode_getvpn_writes_key_servers_and_the_group(lab_runner):
    lab_runner.run("up", "--pairs", "2", "--mode", "getvpn", "--key-servers", "2", "--inventory", lab_runner.inventory)
    st = json.loads(lab_runner.run("status", "--json").stdout)
    assert set(st["hosts"]) == {"p1", "p2", "p3", "p4", "ks1", "ks2"} and st["hosts"]["ks1"]["platform"] == "ios"
    assert (st["mode"], st["key_servers"]) == ("getvpn", ["ks1", "ks2"])
    assert "mode getvpn (key servers ks1, ks2)" in lab_runner.run("status").stdout
    inv = _load(lab_runner.inventory)
    ks = inv["all"]["children"]["getvpn_key_servers"]
    assert set(ks["hosts"]) == {"ks1", "ks2"} and ks["hosts"]["ks1"]["p2p_router_id"] == "100.64.0.1"
    assert ks["vars"]["ansible_network_os"] == "cisco.ios.ios"
    assert "ks1" not in str(inv["all"]["children"]["routers"])
    gv = os.path.join(os.path.dirname(lab_runner.inventory), "group_vars", "all")
    links = _load(os.path.join(gv, "p2p_links.yml"))["p2p_links"]
    assert {x["mode"] for x in links} == {"getvpn"} and {x["getvpn"]["group"] for x in links} == {"p2p"}
    assert all("ipsec_ipv4" not in x["tunnel"] and "crypto" not in x and "ipsec_mode" not in x for x in links)
    groups = _load(os.path.join(gv, "p2p_getvpn_groups.yml"))["p2p_getvpn_groups"]
    # p1-p2 is IOS-Junos: no rekey, no anti-replay (four members: counter-based is not possible either)
    assert groups == [{"name": "p2p", "identity": 1001, "key_servers": ["ks1", "ks2"], "rekey": "none",
                       "anti_replay": "none", "anti_replay_window": 20, "psk": "{{ vault_p2p_getvpn_psk_p2p }}"}]
    vault = _load(os.path.join(gv, "vault.yml"))
    assert list(vault) == [inventory.vault_var(groups[0])]          # the group's key only: no per-link PSK
    # the key server's configuration is the baseline: loopback 100.64.0.1, in-building 100.64.1.1/30, no MPLS
    cfg = lab_runner.run("config", "ks1").stdout
    assert "ip address 100.64.0.1 255.255.255.255" in cfg and "ip address 100.64.1.1 255.255.255.252" in cfg
    assert "mpls ip" not in cfg
    state = json.loads(lab_runner.run("state", "ks1").stdout)
    assert [a["interface"] for a in state["adjacencies"]] == ["GigabitEthernet1"]
    # the lab's clock moves forward on request (time-derived state: key lifetimes, rekeys), never back
    t0 = json.loads(lab_runner.run("clock").stdout)
    t1 = json.loads(lab_runner.run("clock", "advance", "3000").stdout)
    assert t1["skew"] == t0["skew"] + 3000 and t1["now"] >= t0["now"] + 3000
    assert lab_runner.run("clock", "advance", "-5", check=False).returncode == 1
    lab_runner.run("fault", "link-down", "ks1")
    assert json.loads(lab_runner.run("status", "--json").stdout)["faults"]["link_down"] == ["ks1-core"]
    assert json.loads(lab_runner.run("state", "ks1").stdout)["adjacencies"] == []
    # a different mode in the same state dir is refused
    again = lab_runner.run("up", "--pairs", "2", "--inventory", lab_runner.inventory, check=False)
    assert again.returncode == 1 and "mode getvpn" in again.stderr + again.stdout
