# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters wire_size, max_inner, tcp_mss and mtu_overhead: thin wrappers over plugin_utils/mtu.py.

Each filter is documented in the YAML file of its name beside this one (``wire_size.yml`` ...), and
validates its arguments against that DOCUMENTATION (plugins/plugin_utils/filter_args.py: the argument spec is
built once, at import), so the documentation and the checks cannot disagree. Cross-keyword rules (which an argument spec cannot
express) are checked by plugin_utils; every error becomes an AnsibleFilterError.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from ansible.errors import AnsibleFilterError

from ansible_collections.mplssec.p2p.plugins.plugin_utils import filter_args, mtu

_FUNCTIONS: dict[str, Callable[..., int]] = {
    "wire_size": mtu.wire_size,
    "max_inner": mtu.max_inner,
    "tcp_mss": mtu.tcp_mss,
    "mtu_overhead": mtu.overhead,
}
_INPUT_NAMES = {"wire_size": "inner", "max_inner": "link_mtu", "tcp_mss": "link_mtu", "mtu_overhead": "inner"}
# Each filter's documentation and argument validator, built once at import (plugin_utils/filter_args.py).
SPECS = filter_args.load(__file__, _FUNCTIONS, _INPUT_NAMES)


def documentation(name: str) -> dict[str, Any]:
    """The DOCUMENTATION of filter ``name`` (``<name>.yml`` beside this file)."""
    return SPECS[name].doc


@functools.lru_cache(maxsize=4096)
def _compute(name: str, value: Any, profile: tuple) -> int:
    """The MTU math is a pure function of its validated parameters: a repeat (a playbook calls the same filter with the
    same arguments over and over) costs a dict lookup instead of the arithmetic (max_inner and tcp_mss search)."""
    return _FUNCTIONS[name](value, **dict(profile))


def run(name: str, *args: Any, **kwargs: Any) -> int:
    """Validate ``args``/``kwargs`` against the filter's DOCUMENTATION, then call plugin_utils."""
    params = SPECS[name].params(args, kwargs)
    profile = tuple(sorted((k, v) for k, v in params.items() if k != "_input"))
    try:
        return _compute(name, params["_input"], profile)
    except TypeError:  # an unhashable argument (the validator refuses those for these filters): compute it
        return _FUNCTIONS[name](params["_input"], **dict(profile))
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
