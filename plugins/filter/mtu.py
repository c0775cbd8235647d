# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters wire_size, max_inner, tcp_mss and mtu_overhead: thin wrappers over plugin_utils/mtu.py.

Each filter is documented in the YAML file of its name beside this one (``wire_size.yml`` ...), and
validates its arguments against that DOCUMENTATION with ansible.utils' AnsibleArgSpecValidator, so the
documentation and the checks cannot disagree. Cross-keyword rules (which an argument spec cannot
express) are checked by plugin_utils; every error becomes an AnsibleFilterError.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import yaml
from ansible.errors import AnsibleFilterError
from ansible_collections.ansible.utils.plugins.module_utils.common.argspec_validate import AnsibleArgSpecValidator

from ansible_collections.mplssec.p2p.plugins.plugin_utils import mtu

_FUNCTIONS: dict[str, Callable[..., int]] = {
    "wire_size": mtu.wire_size,
    "max_inner": mtu.max_inner,
    "tcp_mss": mtu.tcp_mss,
    "mtu_overhead": mtu.overhead,
}
_INPUT_NAMES = {"wire_size": "inner", "max_inner": "link_mtu", "tcp_mss": "link_mtu", "mtu_overhead": "inner"}
_DOCS: dict[str, dict[str, Any]] = {}


def documentation(name: str) -> dict[str, Any]:
    """The DOCUMENTATION of filter ``name``, read once from ``<name>.yml`` beside this file."""
    if name not in _DOCS:
        with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), f"{name}.yml"), encoding="utf-8") as handle:
            _DOCS[name] = yaml.safe_load(handle)["DOCUMENTATION"]
    return _DOCS[name]


def run(name: str, *args: Any, **kwargs: Any) -> int:
    """Validate ``args``/``kwargs`` against the filter's DOCUMENTATION, then call plugin_utils."""
    doc = documentation(name)
    options = doc["options"]
    if len(args) != 1:
        raise AnsibleFilterError(f"mplssec.p2p.{name}: takes its {_INPUT_NAMES[name]} as the only positional argument, got {len(args)}")
    unknown = sorted(k for k in kwargs if k not in options or k == "_input")
    if unknown:
        allowed = ", ".join(k for k in options if k != "_input")
        raise AnsibleFilterError(f"mplssec.p2p.{name}: unknown keyword {unknown[0]!r}; allowed keywords: {allowed}")
    data = {"_input": args[0], **kwargs}
    valid, errors, params = AnsibleArgSpecValidator(data=data, schema=yaml.safe_dump(doc), schema_format="doc", name=name).validate()
    if not valid:
        message = "; ".join(errors) if isinstance(errors, list) else str(errors)
        raise AnsibleFilterError(f"mplssec.p2p.{name}: {message.replace(repr('_input'), repr(_INPUT_NAMES[name]))}")
    profile = {k: v for k, v in params.items() if k != "_input"}
    try:
        return _FUNCTIONS[name](params["_input"], **profile)
    except mtu.MtuError as exc:
        raise AnsibleFilterError(f"mplssec.p2p.{name}: {exc}") from exc


def wire_size(*args: Any, **kwargs: Any) -> int:
    """Size on the carrier of one inner IPv4 packet; see wire_size.yml."""
    return run("wire_size", *args, **kwargs)


def max_inner(*args: Any, **kwargs: Any) -> int:
    """Largest inner IPv4 packet that fits the carrier MTU; see max_inner.yml."""
    return run("max_inner", *args, **kwargs)


def tcp_mss(*args: Any, **kwargs: Any) -> int:
    """max_inner - 40; see tcp_mss.yml."""
    return run("tcp_mss", *args, **kwargs)


def mtu_overhead(*args: Any, **kwargs: Any) -> int:
    """wire_size - inner; see mtu_overhead.yml."""
    return run("mtu_overhead", *args, **kwargs)


class FilterModule:
    """MTU filters of mplssec.p2p."""

    def filters(self) -> dict[str, Callable[..., int]]:
        return {"wire_size": wire_size, "max_inner": max_inner, "tcp_mss": tcp_mss, "mtu_overhead": mtu_overhead}
