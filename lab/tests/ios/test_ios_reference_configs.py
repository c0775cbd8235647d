"""The real IOS snippets in the reference data's configs/ios load; mutated versions are refused the IOS way."""
import pytest
from ios_helpers import REF_CONFIGS
from mplssec_reference import REFERENCE_TEST, params

from mplssec_lab.ios import parser as P
from mplssec_lab.ios.config import render_lines

HARDWARE = ["GigabitEthernet1", "TenGigabitEthernet0/0", "TenGigabitEthernet0/1", "TenGigabitEthernet0/0/0"]

# ikev2_vti_02.cfg is a pasted fragment: its interface lines lost their "interface Tunnel1" parent, so on a
# real router they land in global configuration mode and are refused there (lines 30-36).
BROKEN = {"ikev2_vti_02.cfg": list(range(30, 37))}
FILES = sorted(p.name for p in REF_CONFIGS.glob("*.cfg"))
pytestmark = REFERENCE_TEST  # every test here reads the reference configs (tests/mplssec_reference.py)


def test_reference_configs_present():
    assert len(FILES) >= 10, f"reference configs not found at {REF_CONFIGS}"


@pytest.mark.parametrize("name", params(FILES))
def test_reference_config_loads(name):
    root, errors = P.load_text((REF_CONFIGS / name).read_text(), hardware=HARDWARE)
    assert [e[0] for e in errors] == BROKEN.get(name, []), errors
    for _, _, msg in errors:
        assert msg == P.INVALID
    # and what we render loads back to the same tree
    text = "\n".join(render_lines(root))
    root2, errors2 = P.load_text(text, hardware=HARDWARE)
    assert errors2 == [] and root2 == root


def _mutations(text):
    lines = text.split("\n")
    for i, raw in enumerate(lines):
        s = raw.strip()
        if not s or s.startswith("!") or s == "end":
            continue
        toks = s.split()
        # misspelt keyword: the first word with its last letter doubled
        yield i, "misspelt", lines[:i] + [raw.replace(toks[0], toks[0] + toks[0][-1], 1)] + lines[i + 1:]
        if len(toks) >= 2:
            # missing argument(s): keep only the first word
            indent = raw[: len(raw) - len(raw.lstrip())]
            yield i, "missing", lines[:i] + [indent + toks[0]] + lines[i + 1:]


def _clone_ctx(ctx):
    """A deep copy of a parser context (tree + current block path)."""
    keys = [n.key for n in ctx.path[1:]]
    root = ctx.root.clone()
    path = [root]
    for k in keys:
        path.append(path[-1].children[k])
    return P.Ctx(root, ctx.hardware, path)


@pytest.mark.parametrize("name", params(f for f in FILES if f not in BROKEN))
def test_mutations_refused(name):
    """Every line, misspelt or cut down to its first word, is refused with the IOS message, in the mode
    the real file has reached at that line."""
    ctx = P.Ctx(P.Node("", "", mode="config"), HARDWARE)
    checked = 0
    for raw in (REF_CONFIGS / name).read_text().split("\n"):
        s = raw.strip()
        if not s or s.startswith("!"):
            continue
        toks = s.split()
        mutations = [("misspelt", raw.replace(toks[0], toks[0] + toks[0][-1], 1), P.INVALID)]
        if len(toks) >= 2:
            mutations.append(("missing", toks[0], P.INCOMPLETE))
        for kind, line, expected in mutations:
            with pytest.raises(P.ConfigError) as e:
                P.apply_line(_clone_ctx(ctx), line)
            assert e.value.message == expected, (kind, line, e.value.message)
            checked += 1
        P.apply_line(ctx, raw)
    assert checked >= 5
