"""A tiny IOS-style command grammar: pattern DSL + abbreviation-aware matcher.

Pattern DSL (one string per command)::

    ip address A.B.C.D A.B.C.D [secondary]
    encryption {aes-gcm-256|aes-cbc-128}...      # one or more
    ip ospf <1-65535> area {<0-4294967295>|A.B.C.D}
    description LINE                             # rest of the line, verbatim
    interface IFNAME                             # interface name (1 or 2 tokens, abbreviations)

Keywords match case-insensitively by unique prefix (``sh`` -> ``show``) like IOS.  Matching
returns the canonical token list (keywords expanded, interface names normalised) or an
``Error`` with the IOS reason and the token index for the caret.
"""
from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Optional

# ---------------------------------------------------------------- elements


@dataclass
class Kw:
    word: str


@dataclass
class Param:
    kind: str                 # ipv4 | ipv4pfx | ipv6pfx | int | word | line | ifname
    lo: int = 0
    hi: int = 0


@dataclass
class Seq:
    items: list


@dataclass
class Alt:
    options: list             # [Seq]


@dataclass
class Opt:
    seq: Seq


@dataclass
class Rep:
    elem: object


def compile_pattern(text: str) -> Seq:
    toks = re.findall(r"\{|\}|\[|\]|\||\.\.\.|[^\s{}\[\]|]+", text.replace("...", " ... "))
    pos = 0

    def atom(tok):
        if tok == "A.B.C.D":
            return Param("ipv4")
        if tok == "X:X:X:X::X/<0-128>":
            return Param("ipv6pfx")
        if tok == "A.B.C.D/<0-32>":
            return Param("ipv4pfx")
        if tok in ("WORD", "LINE", "IFNAME", "IFADDR"):
            return Param(tok.lower())
        m = re.fullmatch(r"<(\d+)-(\d+)>", tok)
        if m:
            return Param("int", int(m.group(1)), int(m.group(2)))
        return Kw(tok)

    def seq(stop):
        nonlocal pos
        items = []
        while pos < len(toks) and toks[pos] not in stop:
            t = toks[pos]
            pos += 1
            if t == "{":
                opts = [seq({"|", "}"})]
                while toks[pos] == "|":
                    pos += 1
                    opts.append(seq({"|", "}"}))
                pos += 1  # }
                el = Alt(opts)
            elif t == "[":
                s = seq({"]"})
                pos += 1
                el = Opt(s)
            elif t == "...":
                items[-1] = Rep(items[-1])
                continue
            else:
                el = atom(t)
            items.append(el)
        return Seq(items)

    return seq(set())


# ---------------------------------------------------------------- interface names

IF_TYPES = ["GigabitEthernet", "TenGigabitEthernet", "FortyGigabitEthernet", "HundredGigE",
            "FastEthernet", "Ethernet", "Tunnel", "Loopback", "Port-channel", "Vlan",
            "Virtual-Template", "Virtual-Access", "Null"]
IF_SHORT = {"GigabitEthernet": "Gi", "TenGigabitEthernet": "Te", "FortyGigabitEthernet": "Fo",
            "HundredGigE": "Hu", "FastEthernet": "Fa", "Ethernet": "Et", "Tunnel": "Tu",
            "Loopback": "Lo", "Port-channel": "Po", "Vlan": "Vl", "Virtual-Template": "Vt",
            "Virtual-Access": "Vi", "Null": "Nu"}
_IFNUM = r"\d+(?:/\d+)*(?:\.\d+)?"


def split_ifname(text: str):
    """'gi2' -> ('GigabitEthernet', '2'); returns None when not an interface name."""
    m = re.fullmatch(r"([A-Za-z][A-Za-z-]*?)\s*(" + _IFNUM + r")?", text)
    if not m:
        return None
    typ, num = m.group(1).lower(), m.group(2)
    cands = [t for t in IF_TYPES if t.lower().startswith(typ)]
    exact = [t for t in IF_TYPES if t.lower() == typ]
    if exact:
        cands = exact
    if len(cands) != 1:
        return (None, num) if cands else None
    return cands[0], num


def normalize_ifname(text: str) -> Optional[str]:
    r = split_ifname(text.replace(" ", ""))
    if not r or r[0] is None or r[1] is None:
        return None
    return r[0] + r[1]


def short_ifname(name: str) -> str:
    r = split_ifname(name)
    if not r or r[0] is None:
        return name
    return IF_SHORT.get(r[0], r[0][:2]) + (r[1] or "")


# ---------------------------------------------------------------- matcher


@dataclass
class Match:
    canon: list                 # canonical tokens
    params: list                # parameter values (canonical) in order
    score: int                  # number of keywords matched (specificity)
    abbrev: dict = field(default_factory=dict)  # token index -> keyword it abbreviated


class _Ctx:
    def __init__(self, tokens):
        self.tokens = tokens
        self.fail_pos = -1          # furthest token index where a mismatch happened
        self.incomplete = False     # True when some path ran out of tokens
        self.kw_at: dict = {}       # index -> set of keywords tried there


def _match_param(p: Param, tokens, i):
    """Yield (next_index, canonical_value)."""
    if i >= len(tokens):
        return
    tok = tokens[i]
    k = p.kind
    if k == "word":
        yield i + 1, tok
    elif k == "line":
        yield len(tokens), " ".join(tokens[i:])
    elif k == "int":
        if re.fullmatch(r"\d+", tok) and p.lo <= int(tok) <= p.hi:
            yield i + 1, str(int(tok))
    elif k == "ipv4":
        if re.fullmatch(r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}", tok):
            try:
                yield i + 1, str(ipaddress.IPv4Address(tok))
            except ValueError:
                return
    elif k == "ipv4pfx":
        if re.fullmatch(r"\d{1,3}(\.\d{1,3}){3}/\d{1,2}", tok):
            try:
                yield i + 1, str(ipaddress.IPv4Interface(tok))
            except ValueError:
                return
    elif k == "ipv6pfx":
        try:
            if "/" in tok:
                yield i + 1, ipaddress.IPv6Interface(tok).compressed.upper()
        except ValueError:
            return
    elif k in ("ifname", "ifaddr"):
        # one token "Gi2" / "GigabitEthernet0/0/0", or two tokens "gi 2"
        n = normalize_ifname(tok)
        if n:
            yield i + 1, n
        elif i + 1 < len(tokens) and re.fullmatch(r"[A-Za-z][A-Za-z-]*", tok):
            n = normalize_ifname(tok + tokens[i + 1])
            if n:
                yield i + 2, n


def _match(el, ctx: _Ctx, i, acc):
    """Generator of (index, canon, params, score, abbrev) continuing from acc."""
    canon, params, score, abbrev = acc
    tokens = ctx.tokens
    if isinstance(el, Seq):
        def rec(k, i, acc):
            if k == len(el.items):
                yield i, acc
                return
            for j, acc2 in _match(el.items[k], ctx, i, acc):
                yield from rec(k + 1, j, acc2)
        yield from rec(0, i, acc)
    elif isinstance(el, Kw):
        if i >= len(tokens):
            ctx.incomplete = True
            return
        tok = tokens[i].lower()
        ctx.kw_at.setdefault(i, set()).add(el.word)
        if el.word.lower().startswith(tok):
            ab = dict(abbrev)
            if tok != el.word.lower():
                ab[i] = el.word
            yield i + 1, (canon + [el.word], params, score + 1, ab)
        else:
            ctx.fail_pos = max(ctx.fail_pos, i)
    elif isinstance(el, Param):
        if i >= len(tokens):
            ctx.incomplete = True
            return
        got = False
        for j, val in _match_param(el, tokens, i):
            got = True
            yield j, (canon + [val], params + [val], score, abbrev)
        if not got:
            ctx.fail_pos = max(ctx.fail_pos, i)
    elif isinstance(el, Alt):
        for opt in el.options:
            yield from _match(opt, ctx, i, acc)
    elif isinstance(el, Opt):
        yield from _match(el.seq, ctx, i, acc)
        yield i, acc
    elif isinstance(el, Rep):
        def rep(i, acc, n):
            for j, acc2 in _match(el.elem, ctx, i, acc):
                if j == i:
                    continue
                yield from rep(j, acc2, n + 1)
            if n:
                yield i, acc
        yield from rep(i, acc, 0)


@dataclass
class Error:
    kind: str        # invalid | incomplete | ambiguous
    pos: int         # token index for the caret (invalid)


def first_words(el):
    """Lower-case keywords a pattern can start with; None when it may start with a parameter."""
    if isinstance(el, Kw):
        return {el.word.lower()}
    if isinstance(el, Param):
        return None
    if isinstance(el, Seq):
        out = set()
        for it in el.items:
            w = first_words(it)
            if w is None:
                return None
            out |= w
            if not isinstance(it, Opt):
                return out
        return None            # every item optional: may be empty
    if isinstance(el, Alt):
        out = set()
        for o in el.options:
            w = first_words(o)
            if w is None:
                return None
            out |= w
        return out
    if isinstance(el, Opt):
        return first_words(el.seq)
    if isinstance(el, Rep):
        return first_words(el.elem)
    return None


_FIRST: dict = {}


def _could_start(pat, tok):
    key = id(pat)
    if key not in _FIRST:
        _FIRST[key] = (pat, first_words(pat))
    words = _FIRST[key][1]
    return words is None or any(w.startswith(tok) for w in words)


def match(patterns, tokens, allow_prefix=False):
    """Match tokens against [(key, Seq)].  Returns (key, Match) or Error.

    allow_prefix: also accept a match that ran out of tokens before the pattern ended
    (used for ``no`` forms): returns the best complete match, else the longest prefix.
    """
    ctx = _Ctx(tokens)
    best = None
    prefix_best = None
    if tokens:
        t0 = tokens[0].lower()
        patterns = [(k, p) for k, p in patterns if _could_start(p, t0)]
    for key, pat in patterns:
        for j, (canon, params, score, abbrev) in _match(pat, ctx, 0, ([], [], 0, {})):
            if j == len(tokens):
                m = Match(canon, params, score, abbrev)
                if best is None or score > best[1].score:
                    best = (key, m)
        if allow_prefix:
            pm = _prefix_match(pat, tokens)
            if pm is not None and (prefix_best is None or pm[1] > prefix_best[1].score):
                prefix_best = (key, Match(pm[0], pm[2], pm[1]))
    if best is not None:
        # ambiguity: an abbreviated token that prefixes several keywords at its position
        for idx in best[1].abbrev:
            tok = tokens[idx].lower()
            cands = {w for w in ctx.kw_at.get(idx, ()) if w.lower().startswith(tok)}
            if len(cands) > 1 and tok not in {c.lower() for c in cands}:
                return Error("ambiguous", idx)
        return best
    if allow_prefix and prefix_best is not None:
        prefix_best[1].canon.append(None)  # marker: partial
        return prefix_best
    # ambiguous keyword at the failing position?
    for idx in sorted(ctx.kw_at):
        if idx < len(tokens):
            tok = tokens[idx].lower()
            cands = {w for w in ctx.kw_at[idx] if w.lower().startswith(tok)}
            if len(cands) > 1 and tok not in {c.lower() for c in cands} and idx >= ctx.fail_pos:
                return Error("ambiguous", idx)
    if ctx.incomplete:
        return Error("incomplete", len(tokens))
    return Error("invalid", max(ctx.fail_pos, 0))


def _prefix_match(pat: Seq, tokens):
    """Match all tokens as a prefix of the pattern; return (canon, score, params) or None."""
    ctx = _Ctx(tokens + ["\x00END"])
    # simple approach: try to match where the pattern may continue after the tokens end.
    best = None

    def walk(el, i, acc):
        canon, params, score = acc
        if i == len(tokens):
            yield i, acc, True
            return
        if isinstance(el, Seq):
            def rec(k, i, acc):
                if i == len(tokens):
                    yield i, acc, True
                    return
                if k == len(el.items):
                    yield i, acc, False
                    return
                for j, acc2, done in walk(el.items[k], i, acc):
                    if done:
                        yield j, acc2, True
                    else:
                        yield from rec(k + 1, j, acc2)
            yield from rec(0, i, acc)
        elif isinstance(el, Kw):
            if el.word.lower().startswith(tokens[i].lower()):
                yield i + 1, (canon + [el.word], params, score + 1), False
        elif isinstance(el, Param):
            for j, val in _match_param(el, tokens, i):
                yield j, (canon + [val], params + [val], score), False
        elif isinstance(el, Alt):
            for o in el.options:
                yield from walk(o, i, acc)
        elif isinstance(el, Opt):
            yield from walk(el.seq, i, acc)
            yield i, acc, False
        elif isinstance(el, Rep):
            yield from walk(el.elem, i, acc)

    for j, acc, _done in walk(pat, 0, ([], [], 0)):
        if j == len(tokens):
            if best is None or acc[2] > best[1]:
                best = (acc[0], acc[2], acc[1])
    del ctx
    return best


def tokenize(line: str):
    """Split a command line into tokens with their column offsets (quoted strings kept)."""
    out = []
    for m in re.finditer(r'"[^"]*"|\S+', line):
        out.append((m.group(0), m.start()))
    return out
