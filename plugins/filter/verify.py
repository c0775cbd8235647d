# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters p2p_show, p2p_check, p2p_report, p2p_junit and p2p_table: thin wrappers over
plugins/plugin_utils/verify.py (the show/valid pairs of the verify role).

Each filter is documented in the YAML file of its name beside this one (``p2p_check.yml`` ...) and
validates its arguments against that DOCUMENTATION (plugins/plugin_utils/filter_args.py: the argument spec is built once, at import), so the
documentation and the checks cannot disagree. Every error becomes an AnsibleFilterError.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ansible.errors import AnsibleFilterError

from ansible_collections.mplssec.p2p.plugins.plugin_utils import filter_args, verify

# Each filter's documentation and argument validator, built once at import (plugin_utils/filter_args.py).
SPECS = filter_args.load(__file__, ('p2p_check', 'p2p_junit', 'p2p_markdown', 'p2p_report', 'p2p_show', 'p2p_table'))


def documentation(name: str) -> dict[str, Any]:
    """The DOCUMENTATION of filter ``name`` (``<name>.yml`` beside this file)."""
    return SPECS[name].doc


def _params(name: str, args: tuple, kwargs: dict) -> dict[str, Any]:
    """Map positional arguments onto the documented ``positional`` names, then validate everything."""
    return SPECS[name].params(args, kwargs)


def _call(name: str, func: Callable[..., Any], *args: Any) -> Any:
    try:
        return func(*args)
    except verify.VerifyError as exc:
        raise AnsibleFilterError(f"mplssec.p2p.{name}: {exc}") from exc


def p2p_show(*args: Any, **kwargs: Any) -> list[str]:
    """Commands of one check on one router, in order; see p2p_show.yml."""
    p = _params("p2p_show", args, kwargs)
    return _call("p2p_show", verify.show_commands, p["_input"], p["plan"], p["link"])


def p2p_check(*args: Any, **kwargs: Any) -> dict[str, Any]:
    """Parse the outputs of p2p_show and validate them against the plan; see p2p_check.yml."""
    p = _params("p2p_check", args, kwargs)
    return _call(
        "p2p_check",
        lambda: verify.run_check(p["check"], p["_input"], p["plan"], p["link"], p.get("error"), p["min_success_pct"]),
    )


def p2p_report(*args: Any, **kwargs: Any) -> list[dict[str, Any]]:
    """Group check results into one report per link; see p2p_report.yml."""
    p = _params("p2p_report", args, kwargs)
    return _call("p2p_report", verify.build_reports, p["_input"], p.get("expected") or [], p.get("checks") or None, p.get("links") or None)


def p2p_junit(*args: Any, **kwargs: Any) -> str:
    """One link report as JUnit XML; see p2p_junit.yml."""
    p = _params("p2p_junit", args, kwargs)
    return _call("p2p_junit", verify.junit_xml, p["_input"])


def p2p_markdown(*args: Any, **kwargs: Any) -> str:
    """One link report (or, with summary=true, all reports) as Markdown; see p2p_markdown.yml."""
    p = _params("p2p_markdown", args, kwargs)
    if p["summary"]:
        return _call("p2p_markdown", verify.markdown_summary, p["_input"], p["title"])
    return _call("p2p_markdown", verify.markdown_report, p["_input"], p.get("plans") or [], p["title"])


def p2p_table(*args: Any, **kwargs: Any) -> list[str]:
    """Reports as a fixed-width summary table (list of lines); see p2p_table.yml."""
    p = _params("p2p_table", args, kwargs)
    return _call("p2p_table", verify.summary_table, p["_input"], p["width"])


class FilterModule:
    """Verify filters of mplssec.p2p."""

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {
            "p2p_show": p2p_show,
            "p2p_check": p2p_check,
            "p2p_report": p2p_report,
            "p2p_junit": p2p_junit,
            "p2p_markdown": p2p_markdown,
            "p2p_table": p2p_table,
        }
