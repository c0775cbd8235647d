# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters p2p_gather_commands and p2p_facts: thin wrappers over plugins/plugin_utils/facts.py.

Each filter is documented in the YAML file of its name beside this one and validates its arguments
against that DOCUMENTATION (plugins/plugin_utils/filter_args.py: the argument spec is built once, at import).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ansible.errors import AnsibleFilterError

from ansible_collections.mplssec.p2p.plugins.plugin_utils import facts, filter_args

# Each filter's documentation and argument validator, built once at import (plugin_utils/filter_args.py).
SPECS = filter_args.load(__file__, ('p2p_facts', 'p2p_gather_commands'))


def documentation(name: str) -> dict[str, Any]:
    """The DOCUMENTATION of filter ``name`` (``<name>.yml`` beside this file)."""
    return SPECS[name].doc


def _params(name: str, args: tuple, kwargs: dict) -> dict[str, Any]:
    """Map positional arguments onto the documented ``positional`` names, then validate everything."""
    return SPECS[name].params(args, kwargs)


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
