# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Job slicing (AWX / Controller) against the emulated lab: the slices of a sliced inventory, one after the other.

The slice inventories are built the way AWX builds them (awx/main/models/inventory.py ``get_script_data`` and
``get_sliced_hosts``): hosts ordered by name, slice n of N gets ``hosts[n-1::N]`` with their host variables;
every group keeps its variables but lists only the slice's hosts; the variables of ``all`` (here the
group_vars/all files: p2p_links, the vaulted PSKs, p2p_routers) reach every slice. One lab of three pairs
(core1 p1-p2, core2 p3-p4, core3 p5-p6) and three slices ({p1,p4}, {p2,p5}, {p3,p6}): every slice owns the
one link whose side-a router it holds, and the side-b router of each is in another slice. What is checked:

* encrypt_p2p.yml, slice by slice: each slice deploys exactly its own link (the outcome play lists it),
  both routers of it (the other slice's router included), and touches no router of another link;
  over all slices every link is deployed exactly once;
* verify_p2p.yml, slice by slice: each slice reports only its own link, and it passes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import yaml
from ansible.parsing.dataloader import DataLoader
from test_deploy_lab import BIN, FAST, ROOT, Lab, _explain, finished

SLICES = 3


def awx_slices(inventory: Path, count: int) -> list[Path]:
    """Write slice 1..count of the lab inventory as AWX would give it to the slice jobs; return their hosts.yml."""
    data = yaml.safe_load(inventory.read_text())
    groups = data["all"]["children"]["routers"]["children"]          # ios / junos: {hosts: {name: vars}, vars}
    hostvars = {h: dict(v or {}) for g in groups.values() for h, v in (g.get("hosts") or {}).items()}
    member = {h: g for g, body in groups.items() for h in (body.get("hosts") or {})}
    names = sorted(hostvars)                                          # .order_by('name')
    routers = {h: {"groups": [member[h]], **hostvars[h]} for h in names}
    out = []
    for n in range(1, count + 1):
        mine = names[n - 1::count]                                    # host_queryset[offset::slice_count]
        sliced = {g: {**({"hosts": {h: hostvars[h] for h in body.get("hosts") or {} if h in mine}}
                         if any(h in mine for h in body.get("hosts") or {}) else {}),
                      **({"vars": body["vars"]} if body.get("vars") else {})}
                  for g, body in groups.items()}
        inv = {"all": {"vars": data["all"].get("vars", {}), "children": {"routers": {"children": sliced}}}}
        base = inventory.parent.parent / f"slice{n}"
        shutil.copytree(inventory.parent / "group_vars", base / "group_vars")
        (base / "group_vars" / "all" / "p2p_routers.yml").write_text("---\n" + yaml.safe_dump({"p2p_routers": routers}))
        (base / "hosts.yml").write_text("---\n" + yaml.safe_dump(inv, sort_keys=False))
        out.append(base / "hosts.yml")
    return out


def run(lab: Lab, inventory: Path, playbook: str, *extra: str) -> subprocess.CompletedProcess:
    env = dict(lab.env, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".cache" / "collections"),
               ANSIBLE_LOCAL_TEMP=str(lab.base / "ansible-tmp"))
    cmd = [str(BIN / "ansible-playbook"), "-i", str(inventory), "--vault-password-file", str(lab.vault_pass),
           str(ROOT / "playbooks" / playbook), *FAST, *extra]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=1500, cwd=str(lab.base), check=False)


def test_slices_one_after_the_other_encrypt_and_verify_every_link_once(tmp_path):
    lab = Lab(tmp_path, pairs=3)
    try:
        links = DataLoader().load_from_file(str(lab.inventory.parent / "group_vars" / "all" / "p2p_links.yml"))["p2p_links"]
        slices = awx_slices(lab.inventory, SLICES)
        members = [set(h for g in yaml.safe_load(s.read_text())["all"]["children"]["routers"]["children"].values()
                       for h in (g.get("hosts") or {})) for s in slices]
        owner = {link["name"]: next(i for i, m in enumerate(members) if link["a"]["host"] in m) for link in links}
        ends = {link["name"]: (link["a"]["host"], link["b"]["host"]) for link in links}
        # the premise: every slice owns a link, and each link's side b is in another slice than its side a
        assert sorted(owner.values()) == list(range(SLICES)), owner
        assert all(ends[name][1] not in members[owner[name]] for name in ends), (members, ends)

        done: list[str] = []
        for i, inv in enumerate(slices):
            before = lab.configs()
            proc = run(lab, inv, "encrypt_p2p.yml", "-e", f"p2p_report_dir={tmp_path / f'enc{i + 1}'}")
            assert proc.returncode == 0, f"slice {i + 1}:\n" + _explain(proc)
            deployed = sorted(finished(proc.stdout))
            mine = sorted(name for name, o in owner.items() if o == i)
            assert deployed == mine, f"slice {i + 1} deployed {deployed}, owns {mine}"
            done += deployed
            after = lab.configs()
            for name, (a, b) in ends.items():
                tag = f"MPLSSEC-{name.upper()}"
                if owner[name] == i:     # both routers, the one of another slice too: never half a link
                    assert tag in after[a] and tag in after[b], f"slice {i + 1}: {name} not on both {a} and {b}"
                else:                    # a router of a link of another slice is not touched
                    assert after[a] == before[a] and after[b] == before[b], f"slice {i + 1} changed {name}"
        assert sorted(done) == sorted(ends), f"every link exactly once over the slices: {done}"

        for i, inv in enumerate(slices):
            reports = tmp_path / f"verify{i + 1}"
            proc = run(lab, inv, "verify_p2p.yml", "-e", f"p2p_report_dir={reports}")
            assert proc.returncode == 0, f"verify slice {i + 1}:\n" + _explain(proc)
            written = sorted(p.name for p in reports.glob("verify-*.json"))
            mine = sorted(f"verify-{name}.json" for name, o in owner.items() if o == i)
            assert written == mine, f"verify slice {i + 1} reported {written}, owns {mine}"
            assert "0 failed" in proc.stdout, _explain(proc)
    finally:
        lab.down()


def test_awx_slices_helper_matches_awx_order(tmp_path):
    """The slice builder itself (no lab): 6 hosts over 3 slices, by name, host vars only for the slice."""
    inv_dir = tmp_path / "inv"
    (inv_dir / "group_vars" / "all").mkdir(parents=True)
    hosts = {f"p{i}": {"ansible_port": 1000 + i} for i in range(1, 7)}
    data = {"all": {"vars": {"x": 1}, "children": {"routers": {"children": {
        "ios": {"hosts": {h: v for h, v in hosts.items() if h in ("p1", "p3", "p4")}, "vars": {"ansible_network_os": "ios"}},
        "junos": {"hosts": {h: v for h, v in hosts.items() if h in ("p2", "p5", "p6")}}}}}}}
    (inv_dir / "hosts.yml").write_text(yaml.safe_dump(data))
    out = awx_slices(inv_dir / "hosts.yml", 3)
    got = []
    for path in out:
        groups = yaml.safe_load(path.read_text())["all"]["children"]["routers"]["children"]
        got.append(sorted(h for g in groups.values() for h in (g.get("hosts") or {})))
        assert groups["ios"]["vars"] == {"ansible_network_os": "ios"}, "group vars reach every slice"
        routers = yaml.safe_load((path.parent / "group_vars" / "all" / "p2p_routers.yml").read_text())["p2p_routers"]
        assert routers["p2"] == {"groups": ["junos"], "ansible_port": 1002}
    assert got == [["p1", "p4"], ["p2", "p5"], ["p3", "p6"]]
    assert os.path.exists(out[0].parent / "group_vars" / "all" / "p2p_routers.yml")
