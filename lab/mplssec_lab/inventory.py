"""Write the Ansible inventory of a running lab (hosts, connection settings, p2p_links, vaulted PSKs)."""
from __future__ import annotations

import os
import secrets
import string

import yaml

from .topology import Topology

ALPHABET = string.ascii_letters + string.digits


def random_secret(n: int = 32) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(n))


class _Vaulted(str):
    """A string already encrypted with ansible-vault, dumped as a ``!vault |`` literal."""


def _vault_representer(dumper, data):
    return dumper.represent_scalar("!vault", str(data), style="|")


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(_Vaulted, _vault_representer)


def _dump(data) -> str:
    return yaml.dump(data, Dumper=_Dumper, default_flow_style=False, sort_keys=False, width=120)


def _write(path: str, text: str, mode: int = 0o644) -> None:
    tmp = path + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def vault_password(inv_dir: str) -> str:
    """The lab's vault password (created once, mode 0600, reused by later `up`s)."""
    path = os.path.join(inv_dir, ".vault-pass")
    if os.path.exists(path):
        with open(path) as fh:
            return fh.read().strip()
    pw = random_secret(40)
    _write(path, pw + "\n", 0o600)
    return pw


def encrypt(plaintext: str, password: str) -> str:
    from ansible.parsing.vault import VaultLib, VaultSecret
    vault = VaultLib([("default", VaultSecret(password.encode()))])
    return vault.encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str, password: str) -> str:
    from ansible.parsing.vault import VaultLib, VaultSecret
    vault = VaultLib([("default", VaultSecret(password.encode()))])
    return vault.decrypt(ciphertext.encode()).decode()


def prepare_vault(path: str, topology: Topology) -> dict:
    """Vault ciphertexts per link (kept from an existing vault.yml for the same link names)."""
    inv_dir = os.path.dirname(os.path.abspath(path))
    os.makedirs(inv_dir, exist_ok=True)
    pw = vault_password(inv_dir)
    vault_path = os.path.join(inv_dir, "group_vars", "all", "vault.yml")
    old = {}
    if os.path.exists(vault_path):
        try:
            with open(vault_path) as fh:
                old = yaml.load(fh, Loader=_VaultLoader) or {}
        except Exception:
            old = {}
    vault = {}
    names = [("vault_p2p_psk_" + link.name.replace("-", "_"), lambda: random_secret(32)) for link in topology.links.values()
             if topology.mode != "getvpn"]
    names += [(vault_var(g), lambda: random_secret(32)) for g in topology.getvpn_groups()]
    if topology.mode == "macsec":  # the MKA keys, hex: the CKN 32 digits, the CAK 64 (AES-256-CMAC), generated per lab
        for link in topology.links.values():
            name = link.name.replace("-", "_")
            names += [("vault_p2p_ckn_" + name, lambda: secrets.token_hex(16)),
                      ("vault_p2p_cak_" + name, lambda: secrets.token_hex(32))]
    for var, make in names:
        # keep an existing key for the same name (a config pushed earlier stays valid)
        vault[var] = _Vaulted(old[var]) if var in old else _Vaulted(encrypt(make(), pw))
    return vault


def vault_var(group: dict) -> str:
    """The vault variable of a GET VPN group's registration PSK (the ``psk`` of p2p_getvpn_groups names it)."""
    return group["psk"].strip("{} ")


def write(path: str, topology: Topology, ports: dict, auth: dict, vault: dict | None = None) -> dict:
    """Write ``path`` (hosts.yml) plus group_vars/all/{p2p_links,vault}.yml and .vault-pass next to it."""
    if vault is None:
        vault = prepare_vault(path, topology)
    inv_dir = os.path.dirname(os.path.abspath(path))
    gv = os.path.join(inv_dir, "group_vars", "all")
    os.makedirs(gv, exist_ok=True)
    ios_hosts, junos_hosts, key_servers = {}, {}, {}
    for name, h in topology.hosts.items():
        entry = {"ansible_host": "127.0.0.1", "ansible_port": ports[name], "p2p_router_id": h.router_id}
        if h.role == "ks":
            key_servers[name] = entry
            continue
        (ios_hosts if h.platform == "ios" else junos_hosts)[name] = entry
    children = {}
    ios_vars = {
        "ansible_connection": "ansible.netcommon.network_cli",
        "ansible_network_os": "cisco.ios.ios",
        "ansible_become": True,
        "ansible_become_method": "ansible.netcommon.enable",
        "ansible_become_password": auth["enable_password"],
        "ansible_buffer_read_timeout": 0.02,
    }
    if ios_hosts:
        children["ios"] = {"hosts": ios_hosts, "vars": dict(ios_vars)}
    if junos_hosts:
        children["junos"] = {"hosts": junos_hosts, "vars": {
            "ansible_connection": "ansible.netcommon.netconf",
            "ansible_network_os": "junipernetworks.junos.junos",
        }}
    groups = {"routers": {"children": children}}
    if key_servers:     # GET VPN key servers: IOS-XE routers of their own, not P routers (docs/lab.md "GET VPN")
        groups["getvpn_key_servers"] = {"hosts": key_servers, "vars": dict(ios_vars)}
    inventory = {"all": {"children": groups,
                         "vars": {"ansible_user": auth["username"], "ansible_password": auth["password"],
                                  "ansible_host_key_checking": False}}}
    header = ("# Generated by `mplssec-lab up` for the running emulated lab - do not edit, do not commit.\n"
              "# Ports change on every `up`.  Secrets: group_vars/all/vault.yml (password file: .vault-pass).\n")
    _write(path, header + _dump(inventory), 0o600)

    links = topology.p2p_links()
    _write(os.path.join(gv, "p2p_links.yml"),
           "# Generated by `mplssec-lab up`: the lab's links in the mplssec.p2p input model.\n"
           + _dump({"p2p_links": links}))

    gvpn = topology.getvpn_groups()
    gvpn_path = os.path.join(gv, "p2p_getvpn_groups.yml")
    if gvpn:
        _write(gvpn_path, "# Generated by `mplssec-lab up --mode getvpn`: the GET VPN group(s) the links share.\n"
               + _dump({"p2p_getvpn_groups": gvpn}))
    elif os.path.exists(gvpn_path):
        os.unlink(gvpn_path)
    vault_path = os.path.join(gv, "vault.yml")
    _write(vault_path, "# Generated by `mplssec-lab up`: one random PSK per link (per GET VPN group; with --mode macsec the MKA CKN/CAK), "
           "Ansible-Vault encrypted.\n"
           + _dump(vault), 0o600)
    return {"inventory": os.path.abspath(path), "vault_password_file": os.path.join(inv_dir, ".vault-pass"),
            "p2p_links": os.path.join(gv, "p2p_links.yml"), "vault": vault_path}


class _VaultLoader(yaml.SafeLoader):
    pass


_VaultLoader.add_constructor("!vault", lambda loader, node: loader.construct_scalar(node))
