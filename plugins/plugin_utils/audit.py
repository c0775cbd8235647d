# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Audit (read only): what is on a router against what the deploy would have put there, for one link.

Input: the router's configuration as it prints it (IOS-XE ``show running-config``, Junos
``show configuration | display set``) and the deploy's own renders of the encrypt phases for that router
(the templates of roles/deploy, rendered with :data:`PSK_PLACEHOLDER` instead of the key: device syntax stays in
the templates, and no secret enters the audit).

Each rendered line becomes an expectation:
- IOS-XE: a configuration line with its parents (indentation); ``no X`` under a parent expects X to be absent
  there. Only leaf lines count (a parent such as ``interface GigabitEthernet2`` exists before any change).
- Junos: ``set X`` expects the line ``set X`` in ``display set``; ``delete X`` expects no ``set X...`` line;
  ``deactivate X`` expects the line ``deactivate X`` (X kept, inactive: the cut-over's way of taking the IGP, LDP and
  MPLS off the carrier so that rollback can ``activate`` exactly what was there).
- A line holding the PSK placeholder matches any line with the same text before the key: devices show keys
  encrypted (IOS type 6/7, Junos ``$9$``), so the audit cannot tell one key from another (rotation is
  rotate_p2p's business).

The state of the link on the router, from the phases (in deploy order):
- ``matching``: every expectation of every phase holds;
- ``clear``: no line of the first phase that names the link's objects (``MPLSSEC-<LINK>``, the tunnels'
  ``MPLSSEC <link>`` descriptions) is there: no crypto or tunnel object of the link;
- ``half_deployed``: the first phases hold entirely and the later ones not at all (a deploy that stopped);
- ``drifted``: anything else; the lines that do not hold are named.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ansible_collections.mplssec.p2p.plugins.plugin_utils.config_text import _norm, ios_tree, junos_set_lines

PSK_PLACEHOLDER = "MPLSSEC-AUDIT-PSK-PLACEHOLDER"
STATES = ("matching", "clear", "half_deployed", "drifted")
MAX_LINES = 20  # lines named in a detail
OWNED = "MPLSSEC"  # every object the deploy creates is named MPLSSEC-<LINK> (plan.object_name), and described so


class AuditError(ValueError):
    """Bad input (unknown platform, malformed phases)."""


def _ios_expectations(rendered: str) -> list[tuple[str, tuple[str, ...]]]:
    out = []
    for path in ios_tree(rendered)[1]:
        if path[-1].startswith("no "):
            out.append(("absent", path[:-1] + (path[-1][3:],)))
        else:
            out.append(("present", path))
    return out


def _ios_holds(kind: str, path: tuple[str, ...], device: set[tuple[str, ...]]) -> bool:
    if PSK_PLACEHOLDER in path[-1]:
        prefix = path[-1].split(PSK_PLACEHOLDER, 1)[0]
        return any(p[:-1] == path[:-1] and p[-1].startswith(prefix) for p in device if len(p) == len(path))
    return (path in device) == (kind == "present")


def _junos_expectations(rendered: str) -> list[tuple[str, tuple[str, ...]]]:
    out = []
    for raw in rendered.splitlines():
        line = _norm(raw)
        if line.startswith("set "):
            out.append(("present", (line,)))
        elif line.startswith("delete "):
            out.append(("absent", ("set " + line[len("delete "):],)))
        elif line.startswith("deactivate "):
            out.append(("present", (line,)))
    return out


def _junos_holds(kind: str, path: tuple[str, ...], device: set[str]) -> bool:
    line = path[0]
    if PSK_PLACEHOLDER in line:
        prefix = line.split(PSK_PLACEHOLDER, 1)[0]
        return any(d.startswith(prefix) for d in device)
    if kind == "present":
        return line in device
    return not any(d == line or d.startswith(line + " ") for d in device)


def _show(kind: str, path: tuple[str, ...]) -> str:
    text = " / ".join(path).replace(PSK_PLACEHOLDER, "<psk>")
    return text if kind == "present" else f"{text} (must be absent)"


def audit_link(platform: str, config: str, phases: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The state of one link on one router: ``{"state", "detail", "phases": [{name, total, holding, missing}]}``.

    ``phases``: ``[{"name": "phase1", "text": <render>}, ...]`` in deploy order (empty renders are skipped)."""
    if platform == "ios":
        device: Any = ios_tree(config or "")[0]
        expect, holds = _ios_expectations, _ios_holds
    elif platform == "junos":
        device = {_norm(line) for line in junos_set_lines(config or "")}
        expect, holds = _junos_expectations, _junos_holds
    else:
        raise AuditError(f"platform must be ios or junos, got {platform!r}")
    summary = []
    for phase in phases:
        if not isinstance(phase, Mapping) or "name" not in phase:
            raise AuditError(f"each phase needs a name and a text, got {phase!r}")
        expectations = expect(str(phase.get("text") or ""))
        if not expectations:
            continue
        judged = [(kind, path, holds(kind, path, device)) for kind, path in expectations]  # each line judged once
        added = [(path, ok) for kind, path, ok in judged if kind == "present"]
        owned = [ok for path, ok in added if any(OWNED in part for part in path)]
        missing = [_show(kind, path) for kind, path, ok in judged if not ok]
        summary.append({"name": phase["name"], "total": len(judged), "holding": len(judged) - len(missing),
                        "added_holding": sum(ok for _path, ok in added), "owned": len(owned), "owned_holding": sum(owned),
                        "missing": missing})
    return {**_classify(summary), "phases": summary}


def _classify(phases: list[dict[str, Any]]) -> dict[str, str]:
    if not phases:
        return {"state": "matching", "detail": "matching: nothing to deploy on this router"}
    if all(not p["missing"] for p in phases):
        total = sum(p["total"] for p in phases)
        return {"state": "matching", "detail": f"matching: all {total} lines of {len(phases)} phases are in place"}
    if phases[0]["owned_holding"] == 0:
        return {"state": "clear", "detail": f"clear: none of the {phases[0]['owned']} lines of {phases[0]['name']} that "
                                            f"name the link's objects ({OWNED}*: crypto, tunnels) is on the router"}
    done = 0
    while done < len(phases) and not phases[done]["missing"]:
        done += 1
    rest = phases[done:]
    if done and all(p["added_holding"] == 0 and p["missing"] for p in rest):
        applied = ", ".join(p["name"] for p in phases[:done])
        pending = ", ".join(p["name"] for p in rest)
        return {"state": "half_deployed", "detail": f"half_deployed: {applied} in place, {pending} not applied"}
    missing = [f"{p['name']}: {line}" for p in phases for line in p["missing"]]
    shown = "; ".join(missing[:MAX_LINES]) + (f"; ... {len(missing) - MAX_LINES} more" if len(missing) > MAX_LINES else "")
    return {"state": "drifted", "detail": f"drifted: {len(missing)} line(s) differ from the plan: {shown}"}


def audit_results(link: str, host: str, platform: str, config: str, phases: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """One verify-shaped result (roles/verify report contract): ``{link, name: config, host, status, detail, state}``."""
    out = audit_link(platform, config, phases)
    return {"link": link, "name": "config", "host": host, "status": "pass" if out["state"] == "matching" else "fail",
            "detail": out["detail"], "state": out["state"]}
