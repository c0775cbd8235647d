# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Schema checks of extensions/molecule/containerlab, the scenario for users with real router images.

It cannot run here (no Docker, containerlab or vendor images), so this checks everything short of
booting the routers: the containerlab topology, molecule.yml against molecule's own JSON schema, that
create/destroy call `containerlab deploy/destroy` on that topology, and that the inventory molecule
builds from create.yml's instance config plus the scenario's group_vars/host_vars is what the roles
need: create.yml really runs (with clab_deploy=false, which skips containerlab and the boot wait), and
the real plan playbook (playbooks/plan_p2p.yml) then validates p2p_links against that inventory.
"""

import ipaddress
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
SCENARIO = REPO / "extensions" / "molecule" / "containerlab"
BIN = Path(sys.executable).parent

# Node kinds containerlab knows (containerlab.dev/manual/kinds); the scenario may only use these.
CLAB_KINDS = {
    "nokia_srlinux", "nokia_sros", "nokia_srsim", "arista_ceos", "arista_veos", "juniper_crpd", "juniper_vmx",
    "juniper_vqfx", "juniper_vsrx", "juniper_vjunosrouter", "juniper_vjunosswitch", "juniper_vjunosevolved",
    "juniper_cjunosevolved", "cisco_xrd", "cisco_xrv", "cisco_xrv9k", "cisco_csr1000v", "cisco_c8000v", "cisco_c8000",
    "cisco_cat9kv", "cisco_iol", "cisco_n9kv", "cisco_ftdv", "cisco_asav", "sonic-vs", "sonic-vm", "dell_ftosv",
    "dell_sonic", "mikrotik_ros", "paloalto_panos", "fortinet_fortigate", "ipinfusion_ocnos", "checkpoint_cloudguard",
    "keysight_ixia-c-one", "huawei_vrp", "openbsd", "freebsd", "generic_vm", "linux", "bridge", "ovs-bridge", "host", "ext-container",
}
# What the collection supports, per containerlab kind: the ansible_network_os, the port Ansible uses and how
# containerlab's ethN data interfaces are named inside the router.
KIND_SUPPORT = {
    "cisco_c8000v": {"network_os": "cisco.ios.ios", "port": 22, "interface": lambda n: f"GigabitEthernet{n + 1}"},
    "juniper_vsrx": {"network_os": "junipernetworks.junos.junos", "port": 830, "interface": lambda n: f"ge-0/0/{n - 1}"},
}
CONNECTIONS = {"cisco.ios.ios": "ansible.netcommon.network_cli", "junipernetworks.junos.junos": "ansible.netcommon.netconf"}


def load(name):
    with (SCENARIO / name).open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@pytest.fixture(scope="module")
def topology():
    return load("topology.clab.yml")


@pytest.fixture(scope="module")
def molecule_yml():
    return load("molecule.yml")


@pytest.mark.parametrize("path", sorted(str(p.relative_to(SCENARIO)) for p in SCENARIO.rglob("*.yml")))
def test_yaml_parses(path):
    assert load(path) is not None, f"{path} is empty"


def test_topology(topology):
    assert re.fullmatch(r"[A-Za-z0-9_-]+", topology["name"]), topology["name"]
    subnet = ipaddress.ip_network(topology["mgmt"]["ipv4-subnet"])
    nodes = topology["topology"]["nodes"]
    kinds = {node["kind"] for node in nodes.values()}
    assert kinds <= CLAB_KINDS, f"unknown containerlab kinds {sorted(kinds - CLAB_KINDS)}"
    assert kinds == {"cisco_c8000v", "juniper_vsrx"}
    for kind, settings in topology["topology"].get("kinds", {}).items():
        assert kind in CLAB_KINDS, kind
        assert settings.get("image"), f"kind {kind} has no image"
    addresses = [ipaddress.ip_address(node["mgmt-ipv4"]) for node in nodes.values()]
    assert len(set(addresses)) == len(addresses), "duplicate mgmt-ipv4"
    assert all(address in subnet and address not in (subnet.network_address, subnet.broadcast_address) for address in addresses)
    assert topology["topology"]["links"], "no link"
    for link in topology["topology"]["links"]:
        assert len(link["endpoints"]) == 2, link
        for endpoint in link["endpoints"]:
            node, interface = endpoint.split(":")
            assert node in nodes, f"link endpoint {endpoint}: no node {node}"
            assert re.fullmatch(r"eth[1-9][0-9]*", interface), f"{endpoint}: data interfaces are eth1, eth2, ... (eth0 is management)"


def test_molecule_yml_schema(molecule_yml):
    from molecule.model import schema_v3

    assert schema_v3.validate(molecule_yml) == []


def test_molecule_yml_keys(molecule_yml, topology):
    assert molecule_yml["driver"]["name"] == "default"
    assert molecule_yml["driver"]["options"]["managed"] is True
    assert molecule_yml["provisioner"]["name"] == "ansible"
    playbooks = molecule_yml["provisioner"]["playbooks"]
    for step in ("create", "destroy", "converge", "verify"):
        assert (SCENARIO / playbooks[step]).is_file(), f"provisioner.playbooks.{step}: {playbooks[step]} missing"
    for kind, path in molecule_yml["provisioner"]["inventory"]["links"].items():
        assert (SCENARIO / path).is_dir(), f"provisioner.inventory.links.{kind}: {path} missing"
    sequence = molecule_yml["scenario"]["test_sequence"]
    assert sequence[-1] == "destroy" and sequence.index("create") < sequence.index("converge") < sequence.index("idempotence") < sequence.index("verify")
    nodes = topology["topology"]["nodes"]
    platforms = {platform["name"]: platform for platform in molecule_yml["platforms"]}
    assert set(platforms) == set(nodes), "molecule platforms and containerlab nodes differ"
    for name, platform in platforms.items():
        support = KIND_SUPPORT[nodes[name]["kind"]]
        assert platform["clab_kind"] == nodes[name]["kind"], name
        assert platform["port"] == support["port"], name
        assert {"user", "password_env", "default_password"} <= set(platform), name
        assert "routers" in platform["groups"], name


@pytest.mark.parametrize(("playbook", "command"), [("create.yml", "containerlab deploy"), ("destroy.yml", "containerlab destroy")])
def test_create_destroy_call_containerlab(playbook, command):
    plays = load(playbook)
    tasks = [task for play in plays for task in play["tasks"]]
    commands = [task["ansible.builtin.command"]["cmd"] for task in tasks if "ansible.builtin.command" in task]
    assert any(cmd.startswith(command + " --topo {{ clab_topology }}") for cmd in commands), f"{playbook} does not run `{command} --topo ...`"
    assert plays[0]["vars"]["clab_topology"].endswith("/topology.clab.yml")


class MoleculeInventory(NamedTuple):
    path: Path        # the inventory directory (molecule's ansible_inventory.yml + linked group_vars/host_vars)
    instances: dict   # create.yml's instance config, by instance name
    hostvars: dict    # `ansible-inventory --list` of that inventory


def ansible(tool, *args, cwd):
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_COLLECTIONS_PATH=str(REPO / ".cache" / "collections"))
    env.update(ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
    proc = subprocess.run([str(BIN / tool), *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=600, check=False)
    assert proc.returncode == 0, f"{tool} {' '.join(args)} failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    return proc.stdout


@pytest.fixture(scope="module")
def molecule_inventory(tmp_path_factory, molecule_yml):
    """Run create.yml without containerlab, then build the inventory molecule would build from it."""
    ephemeral = tmp_path_factory.mktemp("molecule-containerlab")
    instance_config = ephemeral / "instance_config.yml"
    molecule_vars = {
        "molecule_file": str(SCENARIO / "molecule.yml"),
        "molecule_scenario_directory": str(SCENARIO),
        "molecule_ephemeral_directory": str(ephemeral),
        "molecule_instance_config": str(instance_config),
        "molecule_yml": molecule_yml,
    }
    (ephemeral / "vars.json").write_text(json.dumps(molecule_vars), encoding="utf-8")
    ansible("ansible-playbook", "-e", f"@{ephemeral / 'vars.json'}", "-e", "clab_deploy=false", str(SCENARIO / "create.yml"), cwd=ephemeral)
    instances = {item["instance"]: item for item in yaml.safe_load(instance_config.read_text(encoding="utf-8"))}

    # What molecule's default driver (managed) puts in its inventory, plus the scenario's linked group_vars/host_vars.
    inventory = ephemeral / "inventory"
    inventory.mkdir()
    groups = {}
    for platform in molecule_yml["platforms"]:
        conn = instances[platform["name"]]
        hostvars = {"ansible_host": conn["address"], "ansible_user": conn["user"], "ansible_port": conn["port"], "ansible_password": conn["password"]}
        for group in platform["groups"]:
            groups.setdefault(group, {"hosts": {}})["hosts"][platform["name"]] = hostvars
    molecule_all = {"children": groups, "vars": {"molecule_ephemeral_directory": str(ephemeral)}}
    (inventory / "ansible_inventory.yml").write_text(yaml.safe_dump({"all": molecule_all}), encoding="utf-8")
    for kind, path in molecule_yml["provisioner"]["inventory"]["links"].items():
        os.symlink(SCENARIO / path, inventory / kind)
    listed = json.loads(ansible("ansible-inventory", "-i", str(inventory), "--list", cwd=ephemeral))
    return MoleculeInventory(inventory, instances, listed["_meta"]["hostvars"])


def test_instance_config(molecule_inventory, topology):
    instances = molecule_inventory.instances
    nodes = topology["topology"]["nodes"]
    assert set(instances) == set(nodes)
    for name, instance in instances.items():
        assert instance["address"] == nodes[name]["mgmt-ipv4"], name
        assert instance["port"] == KIND_SUPPORT[nodes[name]["kind"]]["port"], name
        assert instance["user"] and instance["password"], name


def test_inventory_has_what_the_roles_need(molecule_inventory, topology):
    hostvars = molecule_inventory.hostvars
    nodes = topology["topology"]["nodes"]
    for name, node in nodes.items():
        host = hostvars[name]
        network_os = KIND_SUPPORT[node["kind"]]["network_os"]
        assert host["ansible_network_os"] == network_os, name
        assert host["ansible_connection"] == CONNECTIONS[network_os], name
        assert host["ansible_host"] == node["mgmt-ipv4"], name
        ipaddress.ip_address(host["p2p_router_id"])

    # Every link of p2p_links rides on a containerlab link, on the interfaces containerlab wires.
    wired = {}
    for link in topology["topology"]["links"]:
        ends = [endpoint.split(":") for endpoint in link["endpoints"]]
        named = {node: KIND_SUPPORT[nodes[node]["kind"]]["interface"](int(eth[3:])) for node, eth in ends}
        wired[frozenset(named)] = named
    links = hostvars["p1"]["p2p_links"]
    assert links, "no p2p_links"
    for link in links:
        pair = frozenset((link["a"]["host"], link["b"]["host"]))
        assert pair in wired, f"link {link['name']}: no containerlab link between {sorted(pair)}"
        for side in ("a", "b"):
            end = link[side]
            assert end["interface"].split(".")[0] == wired[pair][end["host"]], f"link {link['name']} side {side}: {end['interface']} is not wired"


def test_plan_accepts_the_inventory(molecule_inventory):
    """The real plan role validates the scenario's p2p_links against the scenario's inventory (no device contact)."""
    inventory = molecule_inventory.path
    out = ansible("ansible-playbook", "-i", str(inventory), str(REPO / "playbooks" / "plan_p2p.yml"), cwd=inventory.parent)
    assert "failed=0" in out
