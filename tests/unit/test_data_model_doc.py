# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""docs/data-model.md "Every field" is the link model (plugins/plugin_utils/model.py LINK_SCHEMA), row for row.

The table is generated from LINK_SCHEMA: this test fails when a field, its type, requirement, default, values or
description differ, and ``UPDATE_GOLDEN=1 pytest tests/unit/test_data_model_doc.py`` rewrites the table (the prose
around it is left as it is). The role argument spec (entry point ``link``) is checked by tests/unit/plugins/test_plan.py.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterator, Mapping

from ansible_collections.mplssec.p2p.plugins.plugin_utils import model

DOC = Path(__file__).resolve().parents[2] / "docs" / "data-model.md"
HEADER = "| field | type | required | default | values | meaning |\n|---|---|---|---|---|---|\n"


def _code(values) -> str:
    return ", ".join(f"`{_text(v)}`" for v in values)


def _text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _values(spec: model.Field) -> str:
    parts = []
    if spec.choices:
        parts.append("one of " + _code(spec.choices))
    if spec.weak:
        parts.append("refused as weak: " + _code(spec.weak))
    if spec.minimum is not None and spec.maximum is not None:
        parts.append(f"{spec.minimum}–{spec.maximum}")
    if spec.secret:
        parts.append("secret (never printed)")
    return "; ".join(parts)


def rows(fields: Mapping[str, model.Field] | None = None, prefix: str = "") -> Iterator[str]:
    for name, spec in (model.LINK_SCHEMA if fields is None else fields).items():
        default = "" if spec.default in (None, {}) else f"`{_text(spec.default)}`"
        cells = [f"`{prefix}{name}`", spec.type, "yes" if spec.required else "", default, _values(spec),
                 spec.description.replace("|", "\\|")]
        yield "| " + " | ".join(cells) + " |"
        if spec.fields:
            yield from rows(spec.fields, f"{prefix}{name}.")


def table() -> str:
    return HEADER + "\n".join(rows()) + "\n"


def _split(text: str) -> tuple[str, str, str]:
    start = text.index(HEADER)
    end = text.index("\n\n", start)
    return text[:start], text[start:end + 1], text[end + 1:]


def test_every_field_table_is_the_model():
    text = DOC.read_text(encoding="utf-8")
    before, current, after = _split(text)
    if os.environ.get("UPDATE_GOLDEN") == "1" and current != table():
        DOC.write_text(before + table() + after, encoding="utf-8")
        current = table()
    assert current.splitlines() == table().splitlines(), (
        "docs/data-model.md 'Every field' differs from model.LINK_SCHEMA (UPDATE_GOLDEN=1 to regenerate)")


def test_the_generator_sees_every_field_and_its_constraints():
    generated = list(rows())
    assert len(generated) == len(list(_walk(model.LINK_SCHEMA)))
    by_field = {row.split(" | ")[0][2:]: row for row in generated}
    assert "one of `64`, `128`, `256`, `512`, `1024`" in by_field["`crypto.anti_replay_window`"]
    assert " | `1024` | " in by_field["`crypto.anti_replay_window`"]
    assert "refused as weak: `1`" in by_field["`crypto.ike.version`"]
    assert "180–86400" in by_field["`crypto.ike.lifetime`"]
    assert " | yes | " in by_field["`a.host`"]


def _walk(fields: Mapping[str, model.Field]) -> Iterator[str]:
    for name, spec in fields.items():
        yield name
        if spec.fields:
            yield from _walk(spec.fields)
