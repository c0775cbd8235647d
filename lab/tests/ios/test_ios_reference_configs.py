"""The real IOS snippets in ../shared/reference/configs/ios load; mutated versions are refused the IOS way."""
import pytest

from ios_helpers import REF_CONFIGS
from mplssec_lab.ios import parser as P
from mplssec_lab.ios.config import render_lines

HARDWARE = ["GigabitEthernet1", "TenGigabitEthernet0/0", "TenGigabitEthernet0/1", "TenGigabitEthernet0/0/0"]

# ikev2_vti_02.cfg is a pasted fragment: its interface lines lost their "interface Tunnel1" parent, so on a
# real router they land in global configuration mode and are refused there (lines 30-36).
BROKEN = {"ikev2_vti_02.cfg": list(range(30, 37))}
FILES = sorted(p.name for p in REF_CONFIGS.glob("*.cfg")) if REF_CONFIGS.is_dir() else []


def test_reference_configs_present():
    assert len(FILES) >= 10, f"reference configs not found at {REF_CONFIGS}"


@pytest.mark.parametrize("name", FILES)
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


@pytest.mark.parametrize("name", [f for f in FILES if f not in BROKEN])
def test_mutations_refused(name):
    text = (REF_CONFIGS / name).read_text()
    checked = 0
    for i, kind, mutated in _mutations(text):
        root, errors = P.load_text("\n".join(mutated), hardware=HARDWARE)
        lines_with_error = {e[0] for e in errors}
        assert i + 1 in lines_with_error, (kind, mutated[i], errors)
        msg = [e[2] for e in errors if e[0] == i + 1][0]
        assert msg == (P.INVALID if kind == "misspelt" else P.INCOMPLETE), (kind, mutated[i], msg)
        checked += 1
    assert checked >= 5
