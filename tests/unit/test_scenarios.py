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


def test_molecule_yml_schema(molecule_yml, monkeypatch):
    # Importing molecule sets ANSIBLE_FORCE_COLOR=1 in os.environ unless it is set (molecule/console.py): set it for
    # this test only, so that the later tests of this worker do not get coloured ansible output (make exports 0).
    monkeypatch.setenv("ANSIBLE_FORCE_COLOR", os.environ.get("ANSIBLE_FORCE_COLOR", "0"))
    from molecule.model import schema_v3

    assert schema_v3.validate(molecule_yml) == []


def test_molecule_yml_keys(molecule_yml, topology):
    assert molecule_yml["driver"]["name"] == "default"
    assert molecule_yml["driver"]["options"]["managed"] is True
    assert molecule_yml["provisioner"]["name"] == "ansible"
    playbooks = molecule_yml["provisioner"]["playbooks"]
    for step in ("create", "prepare", "destroy", "converge", "verify"):
        assert (SCENARIO / playbooks[step]).is_file(), f"provisioner.playbooks.{step}: {playbooks[step]} missing"
    for kind, path in molecule_yml["provisioner"]["inventory"]["links"].items():
        assert (SCENARIO / path).is_dir(), f"provisioner.inventory.links.{kind}: {path} missing"
    sequence = molecule_yml["scenario"]["test_sequence"]
    assert sequence[-1] == "destroy"
    assert sequence.index("create") < sequence.index("prepare") < sequence.index("converge") < sequence.index("idempotence") < sequence.index("verify")
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
    ephemeral: Path   # molecule's ephemeral directory (create.yml renders the startup configs into startup/)


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

    # What molecule's default driver (managed) puts in its inventory, plus the scenario's linked group_vars/host_vars:
    # before create the platforms without connection data (create.yml reads p2p_router_id/p2p_links from it to render
    # the startup configurations), after create with the instance config's address, user, password and port.
    inventory = ephemeral / "inventory"
    inventory.mkdir()
    for kind, path in molecule_yml["provisioner"]["inventory"]["links"].items():
        os.symlink(SCENARIO / path, inventory / kind)

    def write_inventory(instances):
        groups = {}
        for platform in molecule_yml["platforms"]:
            conn = instances.get(platform["name"])
            hostvars = {"ansible_host": conn["address"], "ansible_user": conn["user"], "ansible_port": conn["port"],
                        "ansible_password": conn["password"]} if conn else {}
            for group in platform["groups"]:
                groups.setdefault(group, {"hosts": {}})["hosts"][platform["name"]] = hostvars
        molecule_all = {"children": groups, "vars": {"molecule_ephemeral_directory": str(ephemeral)}}
        (inventory / "ansible_inventory.yml").write_text(yaml.safe_dump({"all": molecule_all}), encoding="utf-8")

    write_inventory({})
    ansible("ansible-playbook", "-i", str(inventory), "-e", f"@{ephemeral / 'vars.json'}", "-e", "clab_deploy=false",
            str(SCENARIO / "create.yml"), cwd=ephemeral)
    instances = {item["instance"]: item for item in yaml.safe_load(instance_config.read_text(encoding="utf-8"))}
    write_inventory(instances)
    listed = json.loads(ansible("ansible-inventory", "-i", str(inventory), "--list", cwd=ephemeral))
    return MoleculeInventory(inventory, instances, listed["_meta"]["hostvars"], ephemeral)


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


# ---------------------------------------------------------------- startup configurations and prepare (issue 11 §5)
# vrnetlab appends a node's startup-config to its own bootstrap: IOS-XE configuration commands fed to CVAC
# (cisco/c8000v/docker/launch.py), Junos curly-brace text appended to init.conf as the boot juniper.conf
# (juniper/vsrx/docker/launch.py). The checks below render them for the scenario's inventory (create.yml with
# clab_deploy=false), parse them with the emulated lab's IOS parser and Junos schema (lab/, the test oracle:
# an unknown statement is a syntax error there), and run the collection's own facts parser and preflight on them:
# the brownfield must be exactly what the preflight accepts, for the addresses of the inventory.
STARTUP_ENV = "MPLSSEC_STARTUP_DIR"


def test_topology_points_every_node_at_its_rendered_startup_config(topology):
    for name, node in topology["topology"]["nodes"].items():
        assert node.get("startup-config") == f"${{{STARTUP_ENV}}}/{name}.cfg", name
        assert (SCENARIO / "templates" / f"{node['kind']}.cfg.j2").is_file(), f"no template for kind {node['kind']}"


@pytest.mark.parametrize("playbook", ["create.yml", "destroy.yml"])
def test_containerlab_gets_the_startup_dir(playbook):
    plays = load(playbook)
    tasks = [task for play in plays for task in play["tasks"]]
    (clab,) = [task for task in tasks if "ansible.builtin.command" in task and "containerlab" in task["ansible.builtin.command"]["cmd"]]
    assert STARTUP_ENV in clab.get("environment", {}), f"{playbook}: containerlab runs without ${STARTUP_ENV}"
    if playbook == "create.yml":
        (render,) = [task for task in tasks if "ansible.builtin.template" in task]
        assert render["ansible.builtin.template"]["dest"] == "{{ clab_startup_dir }}/{{ item.name }}.cfg"
        assert clab["environment"][STARTUP_ENV] == "{{ clab_startup_dir }}"
        assert tasks.index(render) < tasks.index(clab)


@pytest.mark.parametrize("playbook", ["prepare.yml", "create.yml", "destroy.yml", "converge.yml", "verify.yml"])
def test_playbook_syntax(molecule_inventory, playbook):
    ansible("ansible-playbook", "--syntax-check", "-i", str(molecule_inventory.path), str(SCENARIO / playbook), cwd=molecule_inventory.ephemeral)


def test_prepare_uses_stock_modules_and_reboots_only_when_needed():
    plays = load("prepare.yml")
    modules = set()

    def walk(tasks):
        for task in tasks:
            walk(task.get("block", []))
            modules.update(key for key in task if "." in key)
    for play in plays:
        walk(play["tasks"])
    allowed = ("ansible.builtin.", "ansible.netcommon.", "cisco.ios.", "junipernetworks.junos.")
    assert modules and all(m.startswith(allowed) for m in modules), sorted(modules)
    junos = plays[0]
    (reboot_block,) = [task for task in junos["tasks"] if "block" in task]
    assert "packet based" in reboot_block["when"], "the reboot must depend on the MPLS mode in effect"
    assert any(t.get("junipernetworks.junos.junos_rpc", {}).get("rpc") == "request-reboot" for t in reboot_block["block"])
    last = junos["tasks"][-1]
    assert "ansible.builtin.assert" in last and "packet based" in last["ansible.builtin.assert"]["that"][0]


def links_of(links, host):
    for link in links:
        for side, other in (("a", "b"), ("b", "a")):
            if link[side]["host"] == host:
                yield link, link[side], link[other]


@pytest.fixture(scope="module")
def startup(molecule_inventory):
    directory = molecule_inventory.ephemeral / "startup"
    return {path.stem: path.read_text(encoding="utf-8") for path in directory.glob("*.cfg")}


def test_every_node_gets_a_startup_config(startup, topology):
    assert set(startup) == set(topology["topology"]["nodes"])
    for name, text in startup.items():
        assert "psk" not in text.lower() and "{{" not in text and "{%" not in text, name


def ios_tree(text):
    from mplssec_lab.ios import parser

    root, errors = parser.load_text(text, hardware=[f"GigabitEthernet{n}" for n in range(1, 10)])
    assert errors == [], f"IOS-XE startup config does not parse: {errors}"
    return root


def junos_tree(text):
    from mplssec_lab.junos import tree

    # raises JunosError (syntax error, with the [edit ...] path and the bad element) on an unknown statement
    root, warnings = tree.load_text(tree.new_root(), text)
    assert warnings == []
    errors = tree.check_commit(root)
    assert errors == [], f"Junos startup config does not commit: {[e.message for e in errors]}"
    return root


def test_ios_startup_config(startup, molecule_inventory):
    hostvars = molecule_inventory.hostvars
    text = startup["p1"]
    ios_tree(text)
    lines = text.splitlines()
    # vrnetlab's bootstrap owns the management path: GigabitEthernet1 in VRF clab-mgmt, the user, SSH.
    assert not [ln for ln in lines if re.match(r"\s*(interface GigabitEthernet1$|vrf |username |line vty|ip ssh)", ln)]
    rid = hostvars["p1"]["p2p_router_id"]
    assert f"interface Loopback0\n description router id, LDP router id\n ip address {rid} 255.255.255.255\n" in text
    assert f" router-id {rid}\n" in text and "mpls ldp router-id Loopback0 force" in lines
    for link, end, peer in links_of(hostvars["p1"]["p2p_links"], "p1"):
        address = ipaddress.ip_interface(end["address"])
        block = text.split(f"interface {end['interface']}\n", 1)[1].split("!\n", 1)[0]
        assert f" ip address {address.ip} {address.netmask}\n" in block, link["name"]
        assert f" ip ospf {link['igp']['process_id']} area {link['igp']['area']}\n" in block
        assert " ip ospf network point-to-point\n" in block and " mpls ip\n" in block and " no shutdown\n" in block
        assert f" ip ospf cost {link['igp']['metric']}\n" in block
        assert f"to {peer['host']}" in block


def junos_set(text):
    from mplssec_lab.junos import tree

    return tree.render_set(junos_tree(text)).splitlines()


def test_junos_startup_config_set_paths(startup, molecule_inventory):
    hostvars = molecule_inventory.hostvars
    lines = set(junos_set(startup["p2"]))
    rid = hostvars["p2"]["p2p_router_id"]
    expected = {
        "set system services netconf ssh",
        f"set interfaces lo0 unit 0 family inet address {rid}/32",
        f"set routing-options router-id {rid}",
        "set protocols ospf area 0.0.0.0 interface lo0.0 passive",
        "set security forwarding-options family mpls mode packet-based",
        "set security zones security-zone untrust host-inbound-traffic system-services ike",
        "set security zones security-zone untrust host-inbound-traffic protocols ospf",
        "set security zones security-zone untrust host-inbound-traffic protocols ldp",
        "set security zones security-zone trust interfaces lo0.0",
    }
    for link, end, _peer in links_of(hostvars["p2"]["p2p_links"], "p2"):
        phys, unit = end["interface"].split(".")
        expected |= {
            f"set interfaces {phys} unit {unit} family inet address {end['address']}",
            f"set interfaces {phys} unit {unit} family mpls",
            f"set protocols ospf area 0.0.0.{link['igp']['area']} interface {end['interface']} interface-type p2p",
            f"set protocols ospf area 0.0.0.{link['igp']['area']} interface {end['interface']} metric {link['igp']['metric']}",
            f"set protocols mpls interface {end['interface']}",
            f"set protocols ldp interface {end['interface']}",
            f"set security zones security-zone untrust interfaces {end['interface']}",
        }
    assert expected - lines == set(), f"missing: {sorted(expected - lines)}"
    # vrnetlab's init.conf owns the management path: fxp0, the management instance, the login.
    assert not [ln for ln in lines if re.match(r"set (interfaces fxp0|system (login|root-authentication|management-instance)|routing-instances)", ln)]


FLOW_STATUS = """Flow forwarding mode:
  Inet forwarding mode: flow based
  Inet6 forwarding mode: {inet6}
  MPLS forwarding mode: {mpls}
  ISO forwarding mode: {iso}
"""


def brownfield_plan(startup, molecule_inventory, p2_text=None, p1_text=None):
    """The collection's own gather parser + preflight on the rendered startup configs, the SRX after prepare.yml
    (the configured forwarding modes are in effect). Returns the refusals (empty: the plan accepts the brownfield)."""
    from ansible_collections.mplssec.p2p.plugins.plugin_utils import facts, plan
    from mplssec_lab.junos import tree, view

    p2_root = junos_tree(p2_text or startup["p2"])
    modes = {k: (v or "drop").replace("-", " ") for k, v in view.configured_modes(p2_root).items()}
    flow = FLOW_STATUS.format(inet6=modes.get("inet6", "flow based"), mpls=modes.get("mpls", "drop"), iso=modes.get("iso", "drop"))
    ios_version = "Cisco IOS XE Software, Version 17.13.01a\ncisco C8000V (VXE) processor (revision VXE) with 1987213K/3075K bytes of memory.\n"
    junos_version = {"software-information": [{"host-name": [{"data": "p2"}], "product-model": [{"data": "vsrx"}],
                                               "junos-version": [{"data": "23.4R2.13"}]}]}
    hostvars = {name: dict(host) for name, host in molecule_inventory.hostvars.items()}
    ios_tree(p1_text or startup["p1"])
    hostvars["p1"]["p2p_facts"] = facts.parse_facts("ios", [ios_version, p1_text or startup["p1"], "Directory of bootflash:/\n"])
    hostvars["p2"]["p2p_facts"] = facts.parse_facts("junos", [junos_version, json.loads(tree.render_json(p2_root)), flow])
    links = [dict(link, crypto=dict(link["crypto"], psk="Q" * 32)) for link in hostvars["p1"]["p2p_links"]]
    try:
        plan.build_plan(links, hostvars)
    except plan.PlanValidationError as exc:
        return exc.errors
    return []


def test_preflight_accepts_the_brownfield(startup, molecule_inventory):
    assert brownfield_plan(startup, molecule_inventory) == []


@pytest.mark.parametrize(("node", "old", "new", "refusal"), [
    ("p2", "mode packet-based;", "", "MPLS forwarding mode"),
    ("p2", "ike;", "ssh;", "does not admit IKE"),
    ("p2", "192.0.2.1/31", "192.0.2.3/31", "ge-0/0/0.0 address"),
    ("p1", "ip address 192.0.2.0 255.255.255.254", "ip address 192.0.2.2 255.255.255.254", "GigabitEthernet2 address"),
    ("p1", "ip ospf 1 area 0\n ip ospf cost", "ip ospf 2 area 0\n ip ospf cost", "OSPF on GigabitEthernet2"),
], ids=["no-packet-mode", "no-ike", "junos-address", "ios-address", "ios-ospf-process"])
def test_preflight_would_refuse_a_wrong_startup_config(startup, molecule_inventory, node, old, new, refusal):
    """The check above has teeth: a startup config that misses a statement or has another address is refused."""
    assert old in startup[node], f"{old!r} not in the rendered {node}.cfg"
    changed = {f"{node}_text": startup[node].replace(old, new)}
    errors = brownfield_plan(startup, molecule_inventory, **changed)
    assert any(refusal in error for error in errors), errors


# ---------------------------------------------------------------- netlab (extensions/netlab)
NETLAB = REPO / "extensions" / "netlab"
NETLAB_DEVICES = {"cisco_c8000v": "cat8000v", "juniper_vsrx": "vsrx"}   # netlab.tools/platforms: device names


@pytest.fixture(scope="module")
def netlab_topology():
    with (NETLAB / "topology.yml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def test_netlab_topology_is_the_same_lab(netlab_topology, topology, molecule_inventory):
    hostvars = molecule_inventory.hostvars
    assert netlab_topology["provider"] == "clab"
    assert {"ospf", "mpls"} <= set(netlab_topology["module"]) and netlab_topology["mpls"] == {"ldp": True}
    assert "firewall.zonebased" in netlab_topology["plugin"]
    nodes = netlab_topology["nodes"]
    clab_nodes = topology["topology"]["nodes"]
    assert set(nodes) == set(clab_nodes)
    for name, node in nodes.items():
        assert node["device"] == NETLAB_DEVICES[clab_nodes[name]["kind"]], name
        assert node["loopback"]["ipv4"] == f"{hostvars[name]['p2p_router_id']}/32", name
    netlab_links = netlab_topology["links"]
    p2p_links = hostvars["p1"]["p2p_links"]
    assert len(netlab_links) == len(p2p_links)
    for link, netlab_link in zip(p2p_links, netlab_links, strict=True):
        for side in ("a", "b"):
            end = link[side]
            got = netlab_link[end["host"]]
            assert got["ifname"] == end["interface"].split(".")[0], (link["name"], side)
            assert got["ipv4"] == end["address"], (link["name"], side)
            if nodes[end["host"]]["device"] == "vsrx":
                assert got["firewall.zone"] == "untrust"
        assert netlab_link["ospf.cost"] == link["igp"]["metric"]
        assert netlab_link["prefix"]["ipv4"] == str(ipaddress.ip_interface(link["a"]["address"]).network)
    rules = nodes["p2"]["firewall.zonebased.default_rules"]
    assert {"from_zone": "untrust", "to_zone": "untrust", "action": "permit"} in rules


@pytest.fixture(scope="module")
def netlab_lab(tmp_path_factory):
    """`netlab create` of extensions/netlab/topology.yml: files only (clab.yml, hosts.yml, group_vars, host_vars,
    node_files/<node>/<module>), no Docker, about a second. netlab is a dev requirement (PyPI networklab)."""
    netlab = BIN / "netlab"
    assert netlab.exists(), "netlab is missing from the venv: make bootstrap (requirements/requirements.txt: networklab)"
    lab = tmp_path_factory.mktemp("netlab")
    (lab / "topology.yml").write_text((NETLAB / "topology.yml").read_text(encoding="utf-8"), encoding="utf-8")
    proc = subprocess.run([str(netlab), "create"], capture_output=True, text=True, cwd=lab, timeout=300, check=False)
    assert proc.returncode == 0, f"netlab create failed:\n{proc.stdout}\n{proc.stderr}"
    return lab


def test_netlab_create_renders_the_brownfield(netlab_lab, topology):
    clab = yaml.safe_load((netlab_lab / "clab.yml").read_text(encoding="utf-8"))
    kinds = {name: node["kind"] for name, node in clab["topology"]["nodes"].items()}
    assert kinds == {"p1": "cisco_c8000v", "p2": "vr-vsrx"}   # vr-vsrx: containerlab's alias of juniper_vsrx
    expected = [sorted(link["endpoints"]) for link in topology["topology"]["links"]]
    assert [sorted(link["endpoints"]) for link in clab["topology"]["links"]] == expected
    files = netlab_lab / "node_files"
    p1 = "".join((files / "p1" / part).read_text() for part in ("initial", "ospf", "mpls"))
    p2 = "".join((files / "p2" / part).read_text() for part in ("initial", "ospf", "mpls", "firewall.zonebased"))
    for text in ("interface Loopback0\n ip address 203.0.113.1 255.255.255.255", "interface GigabitEthernet2\n",
                 " ip address 192.0.2.0 255.255.255.254", " ip ospf network point-to-point", " ip ospf cost 10", " mpls ip",
                 "mpls ldp router-id Loopback0", " router-id 203.0.113.1"):
        assert text in p1, text
    for text in ("address 203.0.113.2/32", "ge-0/0/0.0 {", "address 192.0.2.1/31", "router-id 203.0.113.2",
                 "interface-type p2p", "metric 10", "mode packet-based", "mpls {\n    interface ge-0/0/0.0;",
                 "ldp {\n    interface ge-0/0/0.0;", "security zones security-zone untrust interfaces ge-0/0/0.0",
                 "system-services all;"):
        assert text in p2, text


def test_netlab_overlay_inventory(netlab_lab, molecule_inventory):
    """extensions/netlab/inventory on top of netlab's inventory gives the collection what it needs; the plan accepts it."""
    sources = ["-i", str(netlab_lab / "hosts.yml"), "-i", str(NETLAB / "inventory")]
    hostvars = json.loads(ansible("ansible-inventory", *sources, "--list", cwd=netlab_lab))["_meta"]["hostvars"]
    for name, network_os in (("p1", "cisco.ios.ios"), ("p2", "junipernetworks.junos.junos")):
        assert hostvars[name]["ansible_network_os"] == network_os, name
        assert hostvars[name]["ansible_connection"] == CONNECTIONS[network_os], name
        assert hostvars[name]["ansible_host"] and hostvars[name]["ansible_user"], name
        assert hostvars[name]["p2p_router_id"] == molecule_inventory.hostvars[name]["p2p_router_id"], name
    strip = [{k: v for k, v in link.items() if k != "crypto"} for link in molecule_inventory.hostvars["p1"]["p2p_links"]]
    assert [{k: v for k, v in link.items() if k != "crypto"} for link in hostvars["p1"]["p2p_links"]] == strip
    out = ansible("ansible-playbook", *sources, "-e", f"mplssec_netlab_psk_dir={netlab_lab}", str(REPO / "playbooks" / "plan_p2p.yml"),
                  cwd=netlab_lab)
    assert "failed=0" in out
    ansible("ansible-playbook", "--syntax-check", *sources, str(SCENARIO / "prepare.yml"), cwd=netlab_lab)
