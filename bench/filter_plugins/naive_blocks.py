# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter naive_ios_blocks for bench/naive_push.yml only (a playbook-adjacent plugin; not part of the collection).

cisco.ios.ios_config takes a sub-mode's lines with ``parents``; a rendered IOS text (one space per level, as the
deploy templates write it) is cut into the consecutive leaf lines that share one parent path:
``[{"parents": [...], "lines": [...]}, ...]`` in the text's order.
"""

from __future__ import annotations


def naive_ios_blocks(text: str) -> list[dict]:
    blocks: list[dict] = []
    path: list[tuple[int, str]] = []   # (indent, line) of the open parents
    rows = [(len(raw) - len(raw.lstrip(" ")), raw.strip()) for raw in str(text).splitlines() if raw.strip()]
    for i, (indent, line) in enumerate(rows):
        while path and path[-1][0] >= indent:
            path.pop()
        if i + 1 < len(rows) and rows[i + 1][0] > indent:   # it has children: a parent, not a line of its own
            path.append((indent, line))
            continue
        parents = [p for _, p in path]
        if blocks and blocks[-1]["parents"] == parents:
            blocks[-1]["lines"].append(line)
        else:
            blocks.append({"parents": parents, "lines": [line]})
    return blocks


class FilterModule:
    def filters(self):
        return {"naive_ios_blocks": naive_ios_blocks}
