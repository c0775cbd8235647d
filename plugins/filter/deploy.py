# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter p2p_confirm_check: thin wrapper over plugins/plugin_utils/preflight.py ``confirm_timer_errors``.

Documented in p2p_confirm_check.yml beside this file (validated with plugins/plugin_utils/filter_args.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ansible_collections.mplssec.p2p.plugins.plugin_utils import filter_args, preflight

SPECS = filter_args.load(__file__, ("p2p_confirm_check",))


def p2p_confirm_check(*args: Any, **kwargs: Any) -> list[str]:
    """The refusals of a confirm timer that cannot outlast the longest deploy step; see p2p_confirm_check.yml."""
    p = SPECS["p2p_confirm_check"].params(args, kwargs)
    return preflight.confirm_timer_errors(p["_input"], p["retries"], p["interval"], p["minutes"])


class FilterModule:
    """Deploy filters of mplssec.p2p."""

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {"p2p_confirm_check": p2p_confirm_check}
