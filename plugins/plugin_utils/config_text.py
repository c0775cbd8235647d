# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Configuration text as the devices print it: IOS-XE lines with their parents, Junos set lines from the curly form,
and the change view of a flat IOS-XE command list with its parents (check mode and --diff).

Used by the audit (plugins/plugin_utils/audit.py) and the deploy's check mode (filter p2p_ios_diff). No device
syntax is decided here: the lines come from the devices and from the deploy templates.
"""

from __future__ import annotations

from collections.abc import Sequence


def _norm(line: str) -> str:
    return " ".join(line.replace('"', "").split())


def _ios_lines(text: str) -> list[tuple[str, ...]]:
    """Every line of an IOS-XE configuration text as a path (its parents, then itself), in order."""
    stack: list[tuple[int, str]] = []
    out: list[tuple[str, ...]] = []
    for raw in text.splitlines():
        stripped = raw.strip()
        if not stripped or stripped.startswith("!") or stripped == "end":
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        while stack and stack[-1][0] >= indent:
            stack.pop()
        out.append(tuple(line for _indent, line in stack) + (_norm(stripped),))
        stack.append((indent, out[-1][-1]))
    return out


def ios_tree(text: str) -> tuple[set[tuple[str, ...]], list[tuple[str, ...]]]:
    """(every path, the leaf paths in order) of an IOS-XE configuration text."""
    lines = _ios_lines(text)
    parents = {path[:-1] for path in lines if len(path) > 1}
    return set(lines), [path for path in dict.fromkeys(lines) if path not in parents]


def junos_set_lines(text: str) -> list[str]:
    """The ``set`` lines of a Junos configuration in the hierarchical (curly-brace) form ``show configuration``
    prints: statements ``a b;``, blocks ``a b { ... }``, lists ``a [ x y ];`` (one set line per element),
    ``/* */`` and ``#`` comments, ``protect:`` prefixes dropped; an ``inactive:`` statement or block gives its set
    lines and then ``deactivate <its path>``, as ``show configuration | display set`` prints it. Text already in set
    form is returned as it is (its set and deactivate lines)."""
    if any(line.startswith("set ") for line in text.splitlines()):
        return [line.strip() for line in text.splitlines() if line.strip().startswith(("set ", "deactivate "))]
    tokens = _junos_tokens(text)
    out: list[str] = []
    deactivated: list[str] = []
    stack: list[list[str]] = []
    inactive_stack: list[bool] = []
    words: list[str] = []
    inactive = False

    def path(*tail: str) -> str:
        return " ".join([w for frame in stack for w in frame] + list(tail))

    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok == "{":
            stack.append(words)
            inactive_stack.append(inactive)
            words, inactive = [], False
        elif tok == "}":
            if words:
                out.append("set " + path(*words))
            words = []
            if stack:
                if inactive_stack.pop():
                    deactivated.append("deactivate " + path())
                stack.pop()
        elif tok == ";":
            if words:
                out.append("set " + path(*words))
                if inactive:
                    deactivated.append("deactivate " + path(*words))
            words, inactive = [], False
        elif tok == "[":
            end = tokens.index("]", i)
            for element in tokens[i + 1:end]:
                out.append("set " + path(*words, element))
            if inactive:
                deactivated.append("deactivate " + path(*words))
            words, inactive = [], False
            i = end + 1 if end + 1 < len(tokens) and tokens[end + 1] == ";" else end
        elif tok == "inactive:":
            inactive = True
        elif tok != "protect:":
            words.append(tok)
        i += 1
    return out + deactivated


def _junos_tokens(text: str) -> list[str]:
    tokens: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
        elif c == "#":  # a comment to the end of the line (## Last commit, ## SECRET-DATA)
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif c in "{};[]":
            tokens.append(c)
            i += 1
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            tokens.append(text[i + 1:j])
            i = j + 1
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in "{};":
                j += 1
            tokens.append(text[i:j])
            i = j
    return tokens


def ios_change_view(commands: Sequence[str], rendered: str) -> dict[str, str]:
    """``{"before", "after"}`` texts whose unified diff shows the IOS-XE ``commands`` a push would send (cli_config's
    flat list, parents included only where they are new) as indented lines under their parents.

    The commands are matched in order against the rendered configuration they came from (``rendered``, the phases'
    templates): each command is the next rendered line with that text, so a line that appears under two parents
    (``match address local ...`` in an IKEv2 policy and profile) gets the right one. A parent that already exists on
    the router or not (cli_config sends parents either way) is context on both sides, shown again wherever its lines resume; the lines it sends
    under them, and top-level lines, are only in ``after``. Commands not found in the render (not expected from
    cli_config) are listed at the end at the top level."""
    pending = [" ".join(c.split()) for c in commands if c and c.strip()]
    lines = _ios_lines(rendered)
    parents = {path[:-1] for path in lines if len(path) > 1}
    before: list[str] = []
    after: list[str] = []
    last: tuple[str, ...] = ()  # the parents above the last line shown
    i = 0
    for path in lines:
        if i >= len(pending):
            break
        if path[-1] != pending[i]:
            continue
        i += 1
        chain = path if path in parents else path[:-1]
        same = 0
        while same < min(len(chain), len(last)) and chain[same] == last[same]:
            same += 1
        for depth in range(same, len(chain)):  # parents (interface, crypto object, ...): context on both sides
            before.append(" " * depth + chain[depth])
            after.append(" " * depth + chain[depth])
        last = chain
        if path not in parents:
            after.append(" " * (len(path) - 1) + path[-1])
    after.extend(pending[i:])
    return {"before": "\n".join(before) + ("\n" if before else ""), "after": "\n".join(after) + ("\n" if after else "")}


def junos_change_view(compare: str) -> dict[str, str]:
    """``{"before", "after"}`` texts whose unified diff is Junos' own ``show | compare`` output: its ``-`` lines
    on the before side, its ``+`` lines on the after side, the ``[edit ...]`` headers and context on both."""
    before: list[str] = []
    after: list[str] = []
    for line in compare.splitlines():
        if not line.strip():
            continue
        if line.startswith("-"):
            before.append(line[1:])
        elif line.startswith("+"):
            after.append(line[1:])
        else:
            before.append(line)
            after.append(line)
    return {"before": "\n".join(before) + ("\n" if before else ""), "after": "\n".join(after) + ("\n" if after else "")}


def ios_drop_noop_negations(commands: Sequence[str], running: str) -> list[str]:
    """The commands without the ``no X`` lines that change nothing: X (or a line starting with X, e.g. ``no ip ospf 1
    area 0`` for ``ip ospf 1 area 0``) is not in the running configuration under the same parents. A line diff
    (cliconf get_diff) keeps them because ``no X`` itself is never in the running configuration; sent again they do
    nothing, but they would make check mode report a change on a link that is already deployed. Parent lines left
    without children are dropped when they exist in the running configuration already."""
    paths, _leaves = ios_tree(running)
    kept: list[tuple[str, ...]] = []
    for path in _ios_lines("\n".join(commands)):
        leaf = path[-1]
        if leaf.startswith("no "):
            positive = leaf[3:]
            if not any(len(q) == len(path) and q[:-1] == path[:-1] and (q[-1] == positive or q[-1].startswith(positive + " "))
                       for q in paths):
                continue
        kept.append(path)
    out: list[str] = []
    for i, path in enumerate(kept):
        has_child = i + 1 < len(kept) and kept[i + 1][: len(path)] == path and len(kept[i + 1]) > len(path)
        if not has_child and path in paths and any(q[: len(path)] == path and len(q) > len(path) for q in paths):
            continue  # an existing parent whose children were all dropped
        out.append(" " * (len(path) - 1) + path[-1])
    return out
