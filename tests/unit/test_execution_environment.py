# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""execution-environment.yml (AWX / Automation Controller, docs/awx.md) is a valid ansible-builder v3 file
that installs what CI tests: the pins of requirements/constraints.txt and the collection tarball of this
version. `ansible-builder create` writes the whole build context without a container runtime."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


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
    assert {canonical(r.split("==")[0]) for r in deps["python"]} >= {"ansible", "ansible-pylibssh", "ncclient"}


def test_collection_tarball_is_this_version(ee):
    version = read_yaml(REPO / "galaxy.yml")["version"]
    tarball = f"mplssec-p2p-{version}.tar.gz"
    assert [entry["src"] for entry in ee["additional_build_files"]] == [f".cache/build/{tarball}"]
    assert ee["dependencies"]["galaxy"]["collections"] == [{"name": f"collections/{tarball}", "type": "file"}]


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
    assert "ansible==" in (context / "requirements.txt").read_text(encoding="utf-8")
    assert read_yaml(context / "requirements.yml")["collections"][0]["name"] == f"collections/{src}"
