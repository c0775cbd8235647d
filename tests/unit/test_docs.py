# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every filter and every role of the collection has documentation that ansible-doc renders.

The names come from the files, not from a list kept here: plugins/filter/*.yml (one documented filter
each), plugins/filter/*.py that carry their own DOCUMENTATION, the filters each FilterModule registers,
and roles/*/. ansible-doc runs once per plugin type (as a subprocess of this venv's ansible-doc, with
ANSIBLE_COLLECTIONS_PATH=<repo>/.cache/collections, where `make bootstrap` links this checkout as
mplssec.p2p), and each name is then its own test case, so a failure names the missing one.
"""

import importlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
COLLECTIONS = REPO / ".cache" / "collections"
LINK = COLLECTIONS / "ansible_collections" / "mplssec" / "p2p"
ANSIBLE_DOC = Path(sys.executable).with_name("ansible-doc")
FILTER_DIR = REPO / "plugins" / "filter"
ROLE_DIR = REPO / "roles"
DOC_VAR = re.compile(r"^DOCUMENTATION\s*=", re.MULTILINE)


def documented_filters():
    """Filter names that have documentation of their own: a YAML doc file, or DOCUMENTATION in a .py file."""
    names = {path.stem for path in FILTER_DIR.glob("*.yml")} | {path.stem for path in FILTER_DIR.glob("*.yaml")}
    names |= {path.stem for path in FILTER_DIR.glob("*.py") if path.name != "__init__.py" and DOC_VAR.search(path.read_text(encoding="utf-8"))}
    return sorted(names)


def filter_files():
    """The filter plugin files (each must register at least one filter)."""
    return sorted(path.stem for path in FILTER_DIR.glob("*.py") if path.name != "__init__.py")


def roles():
    """Every role directory."""
    return sorted(path.name for path in ROLE_DIR.iterdir() if path.is_dir()) if ROLE_DIR.is_dir() else []


def run_ansible_doc(plugin_type, names):
    """One ansible-doc --json call for the names of a type; returns (docs by FQCN, stderr).

    ansible-doc prints nothing at all when one of the names fails, so a failed call is repeated name by name:
    the good ones still pass and each bad one fails with its own error.
    """
    if not names:
        return {}, ""
    proc = _ansible_doc(plugin_type, names)
    if proc.returncode == 0 or len(names) == 1:
        return json.loads(proc.stdout or "{}"), proc.stderr
    docs, stderr = {}, ""
    for name in names:
        one, err = run_ansible_doc(plugin_type, [name])
        docs.update(one)
        stderr += err
    return docs, stderr


def _ansible_doc(plugin_type, names):
    if not LINK.exists():
        LINK.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(REPO, LINK)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS), ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1")
    proc = subprocess.run(
        [str(ANSIBLE_DOC), "-t", plugin_type, "--json", *(f"mplssec.p2p.{name}" for name in names)],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=300,
        check=False,
    )
    return proc


@pytest.fixture(scope="module")
def filter_docs():
    return run_ansible_doc("filter", documented_filters())


@pytest.fixture(scope="module")
def role_docs():
    return run_ansible_doc("role", roles())


def test_something_to_document():
    assert documented_filters(), f"no documented filter in {FILTER_DIR}"
    assert roles(), f"no role in {ROLE_DIR}"


@pytest.mark.parametrize("name", documented_filters())
def test_filter_doc(filter_docs, name):
    docs, stderr = filter_docs
    fqcn = f"mplssec.p2p.{name}"
    errors = "\n".join(line for line in stderr.splitlines() if fqcn in line) or stderr
    assert fqcn in docs, f"`ansible-doc -t filter {fqcn}` shows nothing:\n{errors}"
    doc = docs[fqcn].get("doc") or {}
    assert doc.get("short_description"), f"{fqcn}: DOCUMENTATION has no short_description"
    assert doc.get("name") == name, f"{fqcn}: DOCUMENTATION name is {doc.get('name')!r}"
    assert docs[fqcn].get("examples"), f"{fqcn}: no EXAMPLES"
    assert docs[fqcn].get("return"), f"{fqcn}: no RETURN"
    warnings = [line for line in stderr.splitlines() if name in line]
    assert not warnings, f"ansible-doc warns about {fqcn}:\n" + "\n".join(warnings)


@pytest.mark.parametrize("stem", filter_files())
def test_every_registered_filter_is_documented(stem):
    module = importlib.import_module(f"ansible_collections.mplssec.p2p.plugins.filter.{stem}")
    registered = set(module.FilterModule().filters())
    assert registered, f"plugins/filter/{stem}.py registers no filter"
    missing = sorted(registered - set(documented_filters()))
    assert not missing, f"plugins/filter/{stem}.py registers undocumented filter(s) {missing}: add plugins/filter/<name>.yml or DOCUMENTATION"


@pytest.mark.parametrize("name", roles())
def test_role_doc(role_docs, name):
    docs, stderr = role_docs
    fqcn = f"mplssec.p2p.{name}"
    errors = "\n".join(line for line in stderr.splitlines() if fqcn in line) or stderr
    assert fqcn in docs, f"`ansible-doc -t role {fqcn}` shows nothing (does roles/{name}/meta/argument_specs.yml exist?):\n{errors}"
    entry_points = docs[fqcn].get("entry_points") or {}
    assert "main" in entry_points, f"{fqcn}: no `main` entry point in roles/{name}/meta/argument_specs.yml"
    assert entry_points["main"].get("short_description"), f"{fqcn}: entry point main has no short_description"


def test_user_documentation_does_not_send_users_to_the_shared_reference():
    """Users have no ../shared: what ships for them (docs, READMEs, role and plugin docs, playbooks, the example
    inventory) never points there. Only the README's Development section names the reference data, for developers."""
    shipped = [REPO / "README.md", REPO / "galaxy.yml"]
    for folder, pattern in (("docs", "*.md"), ("extensions", "*"), ("roles", "*"), ("plugins", "*"), ("playbooks", "*"),
                            ("inventory/example", "*"), ("meta", "*")):
        shipped += [p for p in (REPO / folder).rglob(pattern) if p.is_file() and p.suffix in (".md", ".yml", ".yaml", ".py", ".j2")]
    assert len(shipped) > 50
    offenders = []
    for path in shipped:
        text = path.read_text(encoding="utf-8")
        if path.name == "README.md" and path.parent == REPO:
            text = text.split("\n## Development\n", 1)[0]
        if re.search(r"\.\./shared|shared/reference", text):
            offenders.append(str(path.relative_to(REPO)))
    assert offenders == []
