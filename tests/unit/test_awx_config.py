# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AWX / Controller configuration (playbooks/vars/awx.yml, playbooks/awx_configure.yml) without a controller.

* Every data item is validated against the real ``argument_spec`` of the awx.awx module that consumes it:
  the module is imported with ``ControllerAPIModule`` replaced by a recorder, its ``main()`` runs until the
  module object is built, and the recorded spec (merged with ``ControllerModule.AUTH_ARGSPEC``, which the real
  class adds) goes to Ansible's own ``ArgumentSpecValidator``. Which data list feeds which module is read
  from the playbook's tasks, so data the playbook does not consume is an error too.
* Workflow nodes (a list of free dicts in the spec) are validated against the module's DOCUMENTATION suboptions.
* Surveys have AWX's shape; their variables are variables the playbooks/roles read; the link choices are the
  links of the example inventory; every job template's playbook exists; every reference resolves.
* ``ansible-playbook --syntax-check`` and a run that contacts no controller (``mplssec_awx_render_to``: the
  data templated by Ansible itself, then validated as above).
* ``ansible-navigator.yml`` parses and names the image that execution-environment.yml builds.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.parsing.dataloader import DataLoader

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PLAYBOOK = ROOT / "playbooks" / "awx_configure.yml"
DATA = ROOT / "playbooks" / "vars" / "awx.yml"
SURVEY_TYPES = {"text", "textarea", "password", "integer", "float", "multiplechoice", "multiselect"}


class _Recorded(Exception):
    pass


class _Recorder:
    """Stands in for ControllerAPIModule: records what the module passes, stops the module there."""

    def __init__(self, argument_spec=None, **kwargs):
        raise _Recorded(argument_spec, kwargs)


def module_spec(name: str) -> tuple[dict, dict, str]:
    """(argument_spec incl. auth options, the other AnsibleModule kwargs, DOCUMENTATION) of awx.awx.<name>."""
    from ansible_collections.awx.awx.plugins.module_utils import controller_api

    mod = importlib.import_module(f"ansible_collections.awx.awx.plugins.modules.{name}")
    saved = mod.ControllerAPIModule
    mod.ControllerAPIModule = _Recorder
    spec: dict = {}
    kwargs: dict = {}
    try:
        mod.main()
    except _Recorded as rec:
        spec, kwargs = rec.args
    else:  # pragma: no cover - the module changed shape
        pytest.fail(f"awx.awx.{name}: main() never built its ControllerAPIModule")
    finally:
        mod.ControllerAPIModule = saved
    full = dict(controller_api.ControllerModule.AUTH_ARGSPEC)
    full.update(spec)
    return full, kwargs, mod.DOCUMENTATION


def validate(name: str, params: dict) -> list[str]:
    spec, kwargs = module_spec(name)[:2]
    result = ArgumentSpecValidator(spec, **kwargs).validate(params)
    return [str(e) for e in result.errors]


def raw_data() -> dict:
    return DataLoader().load_from_file(str(DATA))


def consumers() -> dict[str, str]:
    """data list -> awx.awx module, as the playbook's tasks say (``awx.awx.X: "{{ item }}"`` looping over it)."""
    play = yaml.safe_load(PLAYBOOK.read_text())[0]
    out = {}
    for task in play["tasks"]:
        modules = [k for k in task if k.startswith("awx.awx.")]
        if not modules:
            continue
        assert task[modules[0]] == "{{ item }}", f"task {task['name']!r}: the data item is the module's arguments"
        var = re.match(r"\{\{\s*(awx_\w+)", task["loop"]).group(1)
        out[var] = modules[0].split(".")[-1]
    return out


def render(out: Path, *extra: str) -> dict:
    """The data templated by Ansible (render-only run: no controller is contacted)."""
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".cache" / "collections"),
               CONTROLLER_HOST="https://127.0.0.1:9")   # nothing listens: a controller call would fail the run
    proc = subprocess.run([str(BIN / "ansible-playbook"), str(PLAYBOOK), "-e", f"mplssec_awx_render_to={out}", *extra],
                          env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "TASK [Execution environment]" not in proc.stdout, "render-only must stop before the first awx.awx task"
    return json.loads(out.read_text())


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict:
    return render(tmp_path_factory.mktemp("awx") / "rendered.json")


def test_every_data_list_is_consumed_by_a_task():
    data_lists = {k for k in raw_data() if k.startswith("awx_")}
    assert data_lists == set(consumers()), "every awx_* list is applied by exactly one awx.awx task, and vice versa"


@pytest.mark.parametrize("var", sorted(consumers()))
def test_rendered_items_match_the_module_argument_spec(rendered, var):
    module = consumers()[var]
    assert rendered[var], f"{var} is empty"
    for item in rendered[var]:
        if module == "credential":  # inputs are left out of the render (secrets); validated below, untemplated
            item = dict(item, inputs={})
        assert validate(module, item) == [], f"{var} item {item.get('name')!r} vs awx.awx.{module}"


@pytest.mark.parametrize("var", sorted(consumers()))
def test_raw_item_keys_are_module_options(var):
    """Untemplated: the keys (templating cannot add or remove any; the render leaves out credential inputs)."""
    spec = module_spec(consumers()[var])[0]
    names = set(spec) | {a for opt in spec.values() for a in opt.get("aliases", [])}
    for item in raw_data()[var]:
        assert set(item) <= names, f"{var} {item['name']!r}: unknown option(s) {sorted(set(item) - names)}"


def test_the_validator_rejects_an_unknown_or_mistyped_option():
    good = {"name": "t", "project": "p", "playbook": "playbooks/plan_p2p.yml", "job_slice_count": 2}
    assert validate("job_template", good) == []
    assert any("playbok" in e for e in validate("job_template", dict(good, playbok="x")))
    assert validate("job_template", dict(good, job_slice_count="many")) != []
    assert validate("project", {"name": "p", "scm_type": "gti"}) != []
    assert validate("credential", {"name": "c", "credential_type": "Vault", "organization": "o", "user": "u"}) != []


def _doc_spec(options: dict) -> dict:
    """argument_spec from DOCUMENTATION options (type, elements, choices, suboptions), for nested dicts."""
    spec = {}
    for name, opt in options.items():
        entry = {k: opt[k] for k in ("type", "elements", "choices", "required") if k in opt}
        if "suboptions" in opt:
            entry["options"] = _doc_spec(opt["suboptions"])
        spec[name] = entry
    return spec


def test_workflow_nodes_match_the_documented_suboptions(rendered):
    doc = module_spec("workflow_job_template")[2]
    node_spec = _doc_spec(yaml.safe_load(doc)["options"]["workflow_nodes"]["suboptions"])
    assert ArgumentSpecValidator(node_spec).validate({"identifier": "x", "unified_jobtemplate": {}}).errors
    for wf in rendered["awx_workflow_job_templates"]:
        for node in wf["workflow_nodes"]:
            errors = [str(e) for e in ArgumentSpecValidator(node_spec).validate(node).errors]
            assert errors == [], f"workflow {wf['name']!r} node {node['identifier']!r}"


def test_workflow_is_plan_approval_encrypt_verify(rendered):
    templates = {jt["name"]: jt for jt in rendered["awx_job_templates"]}
    (wf,) = rendered["awx_workflow_job_templates"]
    nodes = {n["identifier"]: n for n in wf["workflow_nodes"]}
    order, cur = [], "plan"
    while cur:
        node = nodes[cur]
        ujt = node["unified_job_template"]
        order.append(templates[ujt["name"]]["playbook"] if ujt["type"] == "job_template" else ujt["type"])
        nxt = node.get("related", {}).get("success_nodes", [])
        cur = nxt[0]["identifier"] if nxt else None
    assert order == ["playbooks/plan_p2p.yml", "workflow_approval", "playbooks/encrypt_p2p.yml", "playbooks/verify_p2p.yml"]
    assert len(order) == len(nodes)


def _known_variables() -> str:
    text = [p.read_text() for p in (ROOT / "playbooks").glob("*_p2p.yml")]
    text += [p.read_text() for p in ROOT.glob("roles/*/meta/argument_specs.yml")]
    return "\n".join(text)


def test_surveys_have_awx_shape_and_real_variables(rendered):
    known = _known_variables()
    example = DataLoader().load_from_file(str(ROOT / "inventory" / "example" / "group_vars" / "all" / "p2p_links.yml"))
    links = [link["name"] for link in example["p2p_links"]]
    surveys = [t for t in rendered["awx_job_templates"] + rendered["awx_workflow_job_templates"] if t.get("survey_enabled")]
    assert {t["name"] for t in surveys} >= {"mplssec encrypt", "mplssec change"}
    for tpl in surveys:
        survey = tpl["survey_spec"]
        assert set(survey) == {"name", "description", "spec"}, tpl["name"]
        variables = [q["variable"] for q in survey["spec"]]
        assert len(variables) == len(set(variables)), tpl["name"]
        for q in survey["spec"]:
            where = f"{tpl['name']} / {q.get('question_name')}"
            assert {"question_name", "variable", "type", "required"} <= set(q), where
            assert q["type"] in SURVEY_TYPES, where
            assert isinstance(q["required"], bool), where
            assert re.search(rf"\b{q['variable']}\b", known), f"{where}: {q['variable']} is read by no playbook/role"
            if q["type"] == "integer":
                assert all(isinstance(q[k], int) for k in ("min", "max") if k in q), where
                assert q["min"] <= q.get("default", q["min"]) <= q["max"], where
            if q["type"] in ("multiselect", "multiplechoice") and q["variable"].endswith("_links"):
                assert q["choices"] == links, f"{where}: the choices are the links of the example inventory"
            elif q["type"] in ("multiselect", "multiplechoice"):
                assert q.get("default") in q["choices"], f"{where}: the default is one of the choices"
    encrypt = next(t for t in surveys if t["name"] == "mplssec encrypt")
    assert [q["variable"] for q in encrypt["survey_spec"]["spec"]][:2] == ["p2p_deploy_links", "p2p_batch_size"]


def test_job_templates_use_existing_playbooks_and_defined_objects(rendered):
    creds = {c["name"] for c in rendered["awx_credentials"]}
    for jt in rendered["awx_job_templates"]:
        assert (ROOT / jt["playbook"]).is_file(), f"{jt['name']}: {jt['playbook']} does not exist"
        assert jt["project"] in {p["name"] for p in rendered["awx_projects"]}
        assert jt["inventory"] in {i["name"] for i in rendered["awx_inventories"]}
        assert jt["execution_environment"] in {e["name"] for e in rendered["awx_execution_environments"]}
        assert set(jt["credentials"]) <= set(rendered["credentials_wanted"]) <= creds, jt["name"]
    for src in rendered["awx_inventory_sources"]:
        assert (ROOT / src["source_path"]).is_file(), src["source_path"]
    psk = next(c for c in rendered["awx_credentials"] if c["name"] == "mplssec PSKs")
    assert psk["credential_type"] in {t["name"] for t in rendered["awx_credential_types"]}


def test_vault_credential_alternative(rendered, tmp_path):
    """mplssec_awx_psk_source=vault: the job templates get the Vault credential wherever they had the PSK one."""
    vault = render(tmp_path / "vault.json", "-e", "mplssec_awx_psk_source=vault")
    assert rendered["credentials_wanted"] == ["mplssec routers", "mplssec PSKs"]
    assert vault["credentials_wanted"] == ["mplssec routers", "mplssec vault"]
    swap = {"mplssec PSKs": "mplssec vault"}
    for psk_jt, vault_jt in zip(rendered["awx_job_templates"], vault["awx_job_templates"], strict=True):
        assert "mplssec PSKs" in psk_jt["credentials"], psk_jt["name"]
        assert vault_jt["credentials"] == [swap.get(c, c) for c in psk_jt["credentials"]], vault_jt["name"]
        assert validate("job_template", vault_jt) == [], vault_jt["name"]
    (cred,) = [c for c in vault["awx_credentials"] if c["name"] == "mplssec vault"]
    assert cred["credential_type"] == "Vault"
    assert validate("credential", dict(cred, inputs={})) == []


def test_no_secret_in_the_data():
    """Every credential input is a template of a mplssec_awx_* variable (given at run time), nothing literal."""
    for cred in raw_data()["awx_credentials"]:
        for key, value in cred["inputs"].items():
            if key == "become_method":
                continue
            assert re.fullmatch(r"\{\{\s*mplssec_awx_\w+.*\}\}", str(value)), f"{cred['name']}.{key} is not a variable"
    (ctype,) = raw_data()["awx_credential_types"]
    assert all(f.get("secret") for f in ctype["inputs"]["fields"])
    assert ctype["injectors"]["extra_vars"] == {"mplssec_p2p_psks": "{{ psks }}"}


def test_syntax_check():
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".cache" / "collections"))
    proc = subprocess.run([str(BIN / "ansible-playbook"), "--syntax-check", str(PLAYBOOK)], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ansible_navigator_names_the_ee_image():
    nav = yaml.safe_load((ROOT / "ansible-navigator.yml").read_text())["ansible-navigator"]
    ee = yaml.safe_load((ROOT / "execution-environment.yml").read_text())
    version = yaml.safe_load((ROOT / "galaxy.yml").read_text())["version"]
    assert nav["execution-environment"]["enabled"] is True
    assert nav["execution-environment"]["image"] in ee["options"]["tags"]
    assert nav["execution-environment"]["image"].endswith(f":{version}")
    assert nav["execution-environment"]["pull"]["policy"] in ("missing", "never")  # a locally built image
    assert nav["mode"] == "stdout"


def _plan_with_injected_psks(tmp_path: Path, psks: dict) -> subprocess.CompletedProcess:
    """plan_p2p.yml on the example inventory whose PSKs come from the PSK credential type: the extra variable
    file is written as AWX writes it (awx/main/models/credential.py: safe_dump, i.e. tagged !unsafe, passed -e @)."""
    inv = tmp_path / "inv"
    shutil.copytree(ROOT / "inventory" / "example", inv)
    (inv / "group_vars" / "all" / "vault.yml").unlink()
    links = inv / "group_vars" / "all" / "p2p_links.yml"
    text, count = re.subn(r'"\{\{ vault_p2p_psk_(\w+) \}\}"', "\"{{ (mplssec_p2p_psks | from_yaml)['\\1'] }}\"", links.read_text())
    assert count == 2
    links.write_text(text)
    extravars = tmp_path / "extravars"
    body = yaml.safe_dump(psks)   # the credential's multi-line field, as a user types it
    extravars.write_text("mplssec_p2p_psks: !unsafe " + json.dumps(body) + "\n")
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".cache" / "collections"))
    return subprocess.run([str(BIN / "ansible-playbook"), "-i", str(inv / "hosts.yml"), str(ROOT / "playbooks" / "plan_p2p.yml"),
                           "-e", f"@{extravars}"], env=env, capture_output=True, text=True, timeout=300, check=False)


def test_psk_credential_type_contract_feeds_the_plan(tmp_path):
    psks = {"core1": "k1-{{not-a-template}}-0123456789", "core2": "k2-abcdefghijklmnopqrstuvwxyz"}
    proc = _plan_with_injected_psks(tmp_path, psks)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    for psk in psks.values():
        assert psk not in proc.stdout + proc.stderr


def test_psk_credential_type_missing_link_is_named(tmp_path):
    proc = _plan_with_injected_psks(tmp_path, {"core1": "k1-0123456789abcdef"})
    assert proc.returncode != 0
    assert "core2" in proc.stdout + proc.stderr
