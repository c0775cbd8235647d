# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters p2p_gather_commands and p2p_facts: thin wrappers over plugins/plugin_utils/facts.py.

Each filter is documented in the YAML file of its name beside this one and validates its arguments
against that DOCUMENTATION with ansible.utils' AnsibleArgSpecValidator (as the verify filters do).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import yaml
from ansible.errors import AnsibleFilterError
from ansible_collections.ansible.utils.plugins.module_utils.common.argspec_validate import AnsibleArgSpecValidator

from ansible_collections.mplssec.p2p.plugins.plugin_utils import facts

_DOCS: dict[str, dict[str, Any]] = {}


def _documentation(name: str) -> dict[str, Any]:
    if name not in _DOCS:
        with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), f"{name}.yml"), encoding="utf-8") as handle:
            _DOCS[name] = yaml.safe_load(handle)["DOCUMENTATION"]
    return _DOCS[name]


def _params(name: str, args: tuple, kwargs: dict) -> dict[str, Any]:
    doc = _documentation(name)
    positional = [p.strip() for p in str(doc.get("positional", "_input")).split(",")]
    if len(args) > len(positional):
        raise AnsibleFilterError(f"mplssec.p2p.{name}: takes at most {len(positional)} positional arguments "
                                 f"({', '.join(positional)}), got {len(args)}")
    data = dict(zip(positional[: len(args)], args, strict=True))
    for key, value in kwargs.items():
        if key not in doc["options"] or key == "_input" or key in data:
            raise AnsibleFilterError(f"mplssec.p2p.{name}: unexpected keyword {key!r}")
        data[key] = value
    valid, errors, params = AnsibleArgSpecValidator(data=data, schema=yaml.safe_dump(doc), schema_format="doc", name=name).validate()
    if not valid:
        raise AnsibleFilterError(f"mplssec.p2p.{name}: {'; '.join(errors) if isinstance(errors, list) else errors}")
    return params


def p2p_gather_commands(*args: Any, **kwargs: Any) -> list[str]:
    """Commands of one router, in order; see p2p_gather_commands.yml."""
    p = _params("p2p_gather_commands", args, kwargs)
    return facts.gather_commands(p["_input"])


def p2p_facts(*args: Any, **kwargs: Any) -> dict[str, Any]:
    """Parse the gather outputs; see p2p_facts.yml."""
    p = _params("p2p_facts", args, kwargs)
    try:
        return facts.parse_facts(p["platform"], p["_input"])
    except facts.FactsError as exc:
        raise AnsibleFilterError(f"mplssec.p2p.p2p_facts: {exc}") from None


class FilterModule:
    """Gather filters of mplssec.p2p."""

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {"p2p_gather_commands": p2p_gather_commands, "p2p_facts": p2p_facts}
