# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""execution-environment.yml (AWX / Automation Controller, docs/awx.md) is a valid ansible-builder v3 file
that installs what CI tests: the pins of requirements/constraints.txt, exactly the collections this one needs
(galaxy.yml dependencies + what roles, playbooks and inventories call) at the versions CI runs with (bundled in
the `ansible` package), not the whole `ansible` package, and the collection tarball of this version.
`ansible-builder create` writes the whole build context without a container runtime."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import ansible
import pytest
import yaml
from ansible.galaxy.dependency_resolution.versioning import meets_requirements

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# The collections CI runs with: the ones the `ansible` package of requirements/constraints.txt bundles.
BUNDLED = Path(ansible.__file__).resolve().parents[1] / "ansible_collections"
FQCN = re.compile(r"(?<![\w.])([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)\.[a-z][a-z0-9_]*")


def read_yaml(path):
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


@pytest.fixture(scope="module")
def ee():
    return read_yaml(REPO / "execution-environment.yml")


@pytest.fixture(scope="module")
def constraints():
    pins = {}
    for line in (REPO / "requirements" / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if "==" in line:
            name, version = line.split("==")
            pins[canonical(name)] = version.strip()
    return pins


def test_schema_v3(ee):
    from ansible_builder.ee_schema import validate_schema

    assert ee["version"] == 3
    validate_schema(ee)


def test_same_versions_as_ci(ee, constraints):
    deps = ee["dependencies"]
    pinned = [deps["ansible_core"]["package_pip"], deps["ansible_runner"]["package_pip"], *deps["python"]]
    for requirement in pinned:
        assert "==" in requirement, f"{requirement}: pin an exact version"
        name, version = requirement.split("==")
        if canonical(name) in constraints:
            assert constraints[canonical(name)] == version, f"{name}: {version} in execution-environment.yml, {constraints[canonical(name)]} in constraints.txt"
    runtime = set()
    for line in (REPO / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line:
            runtime.add(canonical(re.split(r"[<>=!~; ]", line)[0]))
    # the collection's run-time requirements, nothing else (no `ansible` package, no test-only ntc-templates)
    assert {canonical(r.split("==")[0]) for r in deps["python"]} == runtime
    assert {"netaddr", "jmespath", "textfsm", "ansible-pylibssh", "ncclient"} <= runtime


def bundled_version(name):
    manifest = BUNDLED / name.replace(".", "/") / "MANIFEST.json"
    return json.loads(manifest.read_text(encoding="utf-8"))["collection_info"]["version"]


def used_collections():
    """Collections named by FQCN (modules, connections, filters) in roles/, playbooks/ and inventory/, that exist."""
    used = set()
    for folder in ("roles", "playbooks", "inventory"):
        for path in (REPO / folder).rglob("*"):
            if path.suffix in (".yml", ".yaml", ".j2") and path.is_file():
                for namespace, name in FQCN.findall(path.read_text(encoding="utf-8")):
                    if (BUNDLED / namespace / name / "MANIFEST.json").is_file():
                        used.add(f"{namespace}.{name}")
    return used


def test_only_the_needed_collections_pinned_to_what_ci_runs(ee):
    wanted = set(read_yaml(REPO / "galaxy.yml")["dependencies"])
    used = used_collections()
    assert {"cisco.ios", "junipernetworks.junos", "ansible.netcommon"} <= used  # the scan finds what the roles call
    pinned = {c["name"]: c["version"] for c in ee["dependencies"]["galaxy"]["collections"] if c.get("type") != "file"}
    assert set(pinned) == wanted | used, "execution-environment.yml galaxy collections: exactly galaxy.yml's dependencies and what roles/playbooks use"
    for name, version in pinned.items():
        assert version == "==" + bundled_version(name), f"{name}: pin the version CI tests ({bundled_version(name)})"
    for name, spec in read_yaml(REPO / "galaxy.yml")["dependencies"].items():
        assert meets_requirements(pinned[name].lstrip("="), spec), f"{name} {pinned[name]} does not meet galaxy.yml {spec}"
    assert ee["build_arg_defaults"]["ANSIBLE_GALAXY_CLI_COLLECTION_OPTS"] == "--no-deps"


def test_collection_tarball_is_this_version(ee):
    version = read_yaml(REPO / "galaxy.yml")["version"]
    tarball = f"mplssec-p2p-{version}.tar.gz"
    assert [entry["src"] for entry in ee["additional_build_files"]] == [f".cache/build/{tarball}"]
    assert [c for c in ee["dependencies"]["galaxy"]["collections"] if c.get("type") == "file"] == [
        {"name": f"collections/{tarball}", "type": "file"}]


def test_ansible_builder_create(tmp_path, ee):
    """The build context ansible-builder writes holds the collection tarball and the pinned requirements."""
    shutil.copy(REPO / "execution-environment.yml", tmp_path)
    build = tmp_path / ".cache" / "build"
    build.mkdir(parents=True)
    subprocess.run([str(BIN / "ansible-galaxy"), "collection", "build", "--output-path", str(build), str(REPO)], check=True, capture_output=True, timeout=300)
    proc = subprocess.run(
        [str(BIN / "ansible-builder"), "create", "-f", str(tmp_path / "execution-environment.yml"), "-c", str(tmp_path / "context")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    context = tmp_path / "context" / "_build"
    src = Path(ee["additional_build_files"][0]["src"]).name
    assert (context / "collections" / src).is_file()
    requirements = (context / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert "ncclient==0.7.1" in requirements and not [r for r in requirements if r.startswith("ansible==")]
    names = [c["name"] for c in read_yaml(context / "requirements.yml")["collections"]]
    assert names[-1] == f"collections/{src}" and "cisco.ios" in names and "ansible" not in names
