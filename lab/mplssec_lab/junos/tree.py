"""Junos configuration tree: loading (set / curly-brace text / XML), rendering (text / set / XML /
JSON), ``show | compare`` diffs and commit checks, all driven by :mod:`.schema`.

A :class:`Node` holds ordered children keyed by their display head (``"unit 0"``, ``"ge-0/0/0"``,
``"from-zone a to-zone b"``, ``"mtu"``); leaves carry ``value`` (str) or a list (leaf-list).
Secrets are stored in clear text (the physics needs the PSK) and rendered in the ``$9$`` form.
"""

from __future__ import annotations

import contextvars
import json
import re

from lxml import etree

from . import schema as S
from .secret import decrypt9, encrypt9, is_9


class JunosError(Exception):
    """A Junos configuration error.  ``message`` is the text Junos prints, ``path`` the ``[edit ...]``
    location, ``bad`` the offending token (``<bad-element>``)."""

    def __init__(self, message, path=(), bad=None, kind="syntax"):
        super().__init__(message)
        self.message, self.path, self.bad, self.kind = message, tuple(path), bad, kind

    @property
    def edit(self):
        return "[edit" + "".join(" " + p for p in self.path) + "]"


class Node:
    __slots__ = ("schema", "children", "value", "inactive")

    def __init__(self, schema, value=None):
        self.schema = schema
        self.children = {}
        self.value = value
        self.inactive = False

    # container helpers for named-list children
    def child_schema(self):
        sc = self.schema
        return sc.c if isinstance(sc, S.N) else sc

    def get(self, *keys):
        n = self
        for k in keys:
            n = n.children.get(k) if n is not None else None
        return n

    def leaf(self, *keys):
        n = self.get(*keys)
        if n is None or n.inactive:
            return None
        return n.value

    def entries(self, keyword):
        """Active named-list entries whose key starts with ``keyword`` -> [(name, node)]."""
        out = []
        for k, v in self.children.items():
            if v.inactive:
                continue
            if keyword is None:
                out.append((k, v))
            elif k.startswith(keyword + " "):
                out.append((k[len(keyword) + 1 :], v))
        return out

    def __eq__(self, other):
        return isinstance(other, Node) and to_set(self) == to_set(other)

    def copy(self):
        n = Node(self.schema, list(self.value) if isinstance(self.value, list) else self.value)
        n.inactive = self.inactive
        n.children = {k: c.copy() for k, c in self.children.items()}
        return n

    def __deepcopy__(self, memo):
        return self.copy()


def new_root():
    return Node(S.ROOT)


# ------------------------------------------------------------------------------------ tokenising


def tokenize_line(line):
    """Split a set/delete line like Junos: whitespace separated, double quotes group, ``[ ]`` kept."""
    toks, i, n = [], 0, len(line)
    while i < n:
        c = line[i]
        if c.isspace():
            i += 1
            continue
        if c == '"':
            j, buf = i + 1, []
            while j < n and line[j] != '"':
                if line[j] == "\\" and j + 1 < n:
                    j += 1
                buf.append(line[j])
                j += 1
            if j >= n:
                raise JunosError("syntax error", bad=line[i:])
            toks.append("".join(buf))
            i = j + 1
            continue
        if c in "[]":
            toks.append(c)
            i += 1
            continue
        j = i
        while j < n and not line[j].isspace() and line[j] not in '"[]':
            j += 1
        toks.append(line[i:j])
        i = j
    return toks


# ------------------------------------------------------------------------------------ path walking


class Step:
    __slots__ = ("key", "schema", "value", "kw", "name")

    def __init__(self, key, schema, value=None, kw=None, name=None):
        self.key, self.schema, self.value, self.kw, self.name = key, schema, value, kw, name


def _lookup(container: S.C, tok):
    sc = container.children.get(tok)
    if sc is not None:
        return tok, sc
    if container.wild is not None:
        return None, container.wild
    return None, None


def walk(container, toks, path=(), allow_partial=False, values_optional=False):
    """Resolve tokens against the schema starting at ``container`` -> list of Steps.

    ``allow_partial``: the last step may be a named list without its name (``system-services {``)
    or a container (text/``edit`` style).  ``values_optional``: leaves may omit their value (delete).
    """
    steps, i, path = [], 0, list(path)
    cur = container
    while i < len(toks):
        tok = toks[i]
        if cur is None:
            raise JunosError("syntax error", path, tok)
        kw, sc = _lookup(cur, tok)
        if sc is None:
            raise JunosError("syntax error", path, tok)
        if isinstance(sc, S.C):
            steps.append(Step(tok, sc))
            path.append(tok)
            cur = sc
            i += 1
        elif isinstance(sc, S.N):
            if kw is None:  # bare entry: the token is the name
                name = _check(sc.name, tok, path)
                key = name
                i += 1
            else:
                if i + 1 >= len(toks):
                    if allow_partial and sc.grouped:
                        steps.append(Step(kw, sc, kw=kw, name=None))
                        return steps
                    if values_optional:
                        steps.append(Step(kw, sc, kw=kw, name=None))
                        return steps
                    raise JunosError("syntax error", path, tok)
                name = _check(sc.name, toks[i + 1], path + [kw])
                key = f"{kw} {name}"
                i += 2
                if sc.extra:
                    if i + 1 >= len(toks) or toks[i] != sc.extra:
                        raise JunosError("syntax error", path, toks[i] if i < len(toks) else tok)
                    name2 = _check(sc.name, toks[i + 1], path)
                    key = f"{key} {sc.extra} {name2}"
                    name = (name, name2)
                    i += 2
            steps.append(Step(key, sc, kw=kw, name=name))
            path.append(key)
            cur = sc.c
        elif isinstance(sc, S.L):
            if i + 1 >= len(toks):
                if values_optional:
                    steps.append(Step(tok, sc))
                    return steps
                raise JunosError("syntax error", path, tok)
            raw = toks[i + 1]
            if sc.secret:
                val = decrypt9(raw) if is_9(raw) else raw
            else:
                val = _check(sc.value, raw, path + [tok])
            steps.append(Step(tok, sc, value=val))
            if i + 2 < len(toks):
                raise JunosError("syntax error", path + [tok], toks[i + 2])
            return steps
        elif isinstance(sc, S.LL):
            vals = [t for t in toks[i + 1 :] if t not in "[]"]
            if not vals and not values_optional:
                raise JunosError("syntax error", path, tok)
            vals = [_check(sc.value, v, path + [tok]) for v in vals]
            steps.append(Step(tok, sc, value=vals))
            return steps
        elif isinstance(sc, S.F):
            steps.append(Step(tok, sc))
            if i + 1 < len(toks):
                raise JunosError("syntax error", path + [tok], toks[i + 1])
            return steps
    return steps


def _check(v, tok, path):
    try:
        return v.check(tok)
    except S.RangeError as e:
        raise JunosError(str(e), path, tok, kind="range") from None
    except ValueError:
        if v is S.IPV4 or v is S.IPV4PFX or v is S.IPV6PFX:
            raise JunosError(f"invalid {'prefix' if 'prefix' in v.desc else 'ip address or hostname'}: {tok}", path, tok, kind="value") from None
        raise JunosError("syntax error", path, tok) from None


# ------------------------------------------------------------------------------------ mutation


def _ensure(root, steps):
    node = root
    for st in steps:
        child = node.children.get(st.key)
        if child is None:
            child = Node(st.schema)
            node.children[st.key] = child
        node = child
    return node


def apply_set(root, steps):
    node = _ensure(root, steps[:-1]) if len(steps) > 1 else root
    last = steps[-1]
    if isinstance(last.schema, S.L):
        child = node.children.get(last.key) or Node(last.schema)
        child.value = last.value
        node.children[last.key] = child
    elif isinstance(last.schema, S.LL):
        child = node.children.get(last.key) or Node(last.schema, [])
        for v in last.value:
            if v not in child.value:
                child.value.append(v)
        node.children[last.key] = child
    else:
        _ensure(node, [last])


def apply_delete(root, steps):
    """Returns False when the statement was absent (Junos prints ``warning: statement not found``)."""
    node = root
    for st in steps[:-1]:
        node = node.children.get(st.key)
        if node is None:
            return False
    last = steps[-1]
    if isinstance(last.schema, S.N) and last.name is None:  # delete every entry of a keyword
        keys = [k for k in node.children if k.startswith(last.kw + " ")]
        for k in keys:
            del node.children[k]
        return bool(keys)
    if last.key not in node.children:
        return False
    if isinstance(last.schema, S.LL) and last.value:
        child = node.children[last.key]
        for v in last.value:
            if v in child.value:
                child.value.remove(v)
        if not child.value:
            del node.children[last.key]
    else:
        del node.children[last.key]
    _prune(root, steps)
    return True


def _prune(root, steps):
    """Junos removes containers left empty by a delete (named entries and presence containers stay)."""
    for depth in range(len(steps) - 1, 0, -1):
        parent = root.get(*[s.key for s in steps[: depth - 1]]) if depth > 1 else root
        key = steps[depth - 1].key
        n = parent.children.get(key) if parent else None
        if n is not None and not n.children and isinstance(n.schema, S.C) and n.schema is not S.ROOT and _container_needs_children(n.schema):
            del parent.children[key]


def _container_needs_children(sc):
    # containers that are meaningful when empty (family mpls;) are kept
    return sc not in (S._unit_family.children["mpls"], S._unit_family.children["inet"], S._unit_family.children["inet6"], S._unit_family.children["iso"])


def set_activity(root, steps, inactive):
    node = root
    for st in steps:
        node = node.children.get(st.key)
        if node is None:
            return False
    node.inactive = inactive
    return True


class LoadErrors(JunosError):
    """Several bad lines in one ``load set``: ``errors`` (JunosError each), ``partial`` the candidate with
    the good lines applied (Junos: "load complete (N errors)")."""

    def __init__(self, errors, partial):
        super().__init__(errors[0].message, errors[0].path, errors[0].bad, errors[0].kind)
        self.errors, self.partial = errors, partial


def load_set(root, text, partial=False):
    """Apply set/delete/activate/deactivate lines.

    Default (CLI, single lines): the first bad line raises and nothing is applied.  ``partial=True``
    (NETCONF ``load-configuration``, like Junos): every good line is applied, every bad line is
    reported; raises :class:`LoadErrors` carrying the partially loaded tree."""
    work = root.copy()
    warnings, errors = [], []
    for _lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            _load_set_line(work, line, warnings)
        except JunosError as e:
            if not partial:
                raise
            errors.append(e)
    if errors:
        raise LoadErrors(errors, work)
    return work, warnings


def _load_set_line(work, line, warnings):
    toks = tokenize_line(line)
    verb, rest = toks[0], toks[1:]
    if verb not in ("set", "delete", "deactivate", "activate"):
        raise JunosError("syntax error", (), verb)
    if not rest:
        if verb == "delete":
            work.children.clear()
            return
        raise JunosError("syntax error", (), verb)
    steps = walk(S.ROOT, rest, values_optional=verb != "set")
    if verb == "set":
        apply_set(work, steps)
    elif verb == "delete":
        if not apply_delete(work, steps):
            warnings.append("warning: statement not found")
    else:
        if not set_activity(work, steps, verb == "deactivate"):
            warnings.append("warning: statement not found")


# ------------------------------------------------------------------------------------ text (curly braces)

_TEXT_TOKEN = re.compile(r'\s+|/\*.*?\*/|##[^\n]*|#[^\n]*|"(?:\\.|[^"\\])*"|[{};\[\]]|[^\s{};\[\]"]+', re.S)


def _text_tokens(text):
    out = []
    for m in _TEXT_TOKEN.finditer(text):
        t = m.group(0)
        if t.isspace() or t.startswith("/*") or t.startswith("#"):
            continue
        if t.startswith('"'):
            out.append(("q", t[1:-1].replace('\\"', '"')))
        else:
            out.append(("w", t))
    return out


def parse_text_simple(text):
    """Curly-brace text -> (tree, replace_paths, delete_step_lists)."""
    toks = _text_tokens(text) + [("w", "}")]
    state = {"pos": 0}
    tree = new_root()
    replaces, deletes = [], []

    def skip_block():
        depth = 1
        while state["pos"] < len(toks) and depth:
            t = toks[state["pos"]]
            if t == ("w", "{"):
                depth += 1
            elif t == ("w", "}"):
                depth -= 1
            state["pos"] += 1

    def block(container_schema, node, keys, prefix_steps, grouped=None):
        while True:
            if state["pos"] >= len(toks):
                raise JunosError("syntax error", keys, None)
            kind, t = toks[state["pos"]]
            if kind == "w" and t == "}":
                state["pos"] += 1
                return
            tag = None
            if kind == "w" and t in ("replace:", "delete:", "inactive:", "protect:"):
                tag = t[:-1]
                state["pos"] += 1
            stmt = []
            while state["pos"] < len(toks) and not (toks[state["pos"]][0] == "w" and toks[state["pos"]][1] in ("{", ";", "}")):
                stmt.append(toks[state["pos"]][1])
                state["pos"] += 1
            end = toks[state["pos"]][1] if state["pos"] < len(toks) else None
            if end in (None, "}") or not stmt:
                raise JunosError("syntax error", keys, stmt[-1] if stmt else end)
            state["pos"] += 1
            if grouped is not None:
                steps = walk(grouped[1], [grouped[0]] + stmt, keys[:-1], values_optional=tag == "delete")
                base_node, base_keys = grouped[2], keys[:-1]
            else:
                steps = walk(container_schema, stmt, keys, allow_partial=True, values_optional=tag == "delete")
                base_node, base_keys = node, keys
            last = steps[-1]
            if tag == "delete":
                deletes.append(prefix_steps + steps)
                if end == "{":
                    skip_block()
                continue
            if isinstance(last.schema, S.N) and last.name is None:
                if end != "{":
                    raise JunosError("syntax error", keys, stmt[-1])
                parent_node = _ensure(base_node, steps[:-1]) if len(steps) > 1 else base_node
                parent_schema = steps[-2].schema if len(steps) > 1 else (container_schema if grouped is None else grouped[1])
                if isinstance(parent_schema, S.N):
                    parent_schema = parent_schema.c
                pkeys = base_keys + [s.key for s in steps[:-1]]
                block(None, None, pkeys + [last.kw], prefix_steps + steps[:-1], grouped=(last.kw, parent_schema, parent_node))
                continue
            apply_set(base_node, steps)
            child = base_node.get(*[s.key for s in steps])
            full = base_keys + [s.key for s in steps]
            if tag == "inactive":
                child.inactive = True
            if tag == "replace":
                replaces.append((prefix_steps + steps))
            if end == "{":
                if isinstance(last.schema, (S.L, S.LL, S.F)):
                    raise JunosError("syntax error", full, "{")
                block(last.schema.c if isinstance(last.schema, S.N) else last.schema, child, full, prefix_steps + steps)

    block(S.ROOT, tree, [], [])
    if state["pos"] != len(toks):
        raise JunosError("syntax error", (), toks[state["pos"]][1])
    return tree, replaces, deletes


def merge(dst, src):
    """Merge tree ``src`` into ``dst`` (load merge)."""
    for k, s in src.children.items():
        d = dst.children.get(k)
        if d is None or isinstance(s.schema, (S.L,)):
            dst.children[k] = s.copy()
            continue
        if isinstance(s.schema, S.LL):
            for v in s.value:
                if v not in d.value:
                    d.value.append(v)
            continue
        if s.inactive:
            d.inactive = True
        merge(d, s)


def load_text(root, text, action="merge"):
    tree, replaces, deletes = parse_text_simple(text)
    return _apply_loaded(root, tree, replaces, deletes, action)


def _apply_loaded(root, tree, replaces, deletes, action):
    if action in ("override", "update"):
        return tree, []
    work = root.copy()
    for steps in deletes:
        apply_delete(work, steps)
    if action == "replace":
        for steps in replaces:
            keys = [s.key for s in steps]
            parent = _ensure(work, steps[:-1]) if len(steps) > 1 else work
            src = tree.get(*keys)
            parent.children[keys[-1]] = src.copy()
    merge(work, tree)
    return work, []


# ------------------------------------------------------------------------------------ XML load


def _xml_children(container_schema, elem, node, path):
    for ch in elem:
        if not isinstance(ch.tag, str):
            continue
        tag = etree.QName(ch).localname
        if tag == "name" and isinstance(node.schema, S.N):
            continue
        op = ch.get("operation") or ch.get("delete") and "delete" or ch.get("replace") and "replace"
        cs = container_schema
        sc = cs.children.get(tag)
        if sc is None and cs.wild is not None and cs.wild.elem == tag:
            sc = cs.wild
        if sc is None:
            raise JunosError("syntax error", path, tag)
        if isinstance(sc, S.N):
            nm = ch.find("{*}name")
            if nm is None:
                nm = ch.find("name")
            if nm is None:
                raise JunosError("syntax error", path, tag)
            if sc.extra:
                name = _check(sc.name, (nm.text or "").strip(), path)
                other = ch.find("{*}to-zone-name")
                other = ch.find("to-zone-name") if other is None else other
                z = ch.find("{*}from-zone-name")
                z = ch.find("from-zone-name") if z is None else z
                key = f"{tag} {z.text.strip()} {sc.extra} {other.text.strip()}"
            else:
                name = _check(sc.name, (nm.text or "").strip(), path + [tag])
                key = name if sc.bare else f"{tag} {name}"
            yield key, sc, op, ch, None
        elif isinstance(sc, S.C):
            yield tag, sc, op, ch, None
        elif isinstance(sc, S.F):
            yield tag, sc, op, ch, None
        elif isinstance(sc, S.L):
            raw = (ch.text or "").strip()
            if op == "delete":
                yield tag, sc, op, ch, None
                continue
            val = (decrypt9(raw) if is_9(raw) else raw) if sc.secret else _check(sc.value, raw, path + [tag])
            yield tag, sc, op, ch, val
        elif isinstance(sc, S.LL):
            raw = (ch.text or "").strip()
            yield tag, sc, op, ch, [_check(sc.value, raw, path + [tag])] if raw else []


def load_xml(root, elem, action="merge"):
    """``<configuration>`` element -> new tree (merge/replace/override semantics, operation= attributes)."""
    work = new_root() if action in ("override", "update") else root.copy()

    def rec(schema_c, node, el, path):
        for key, sc, op, ch, val in _xml_children(schema_c, el, node, path):
            if op == "delete":
                if key in node.children:
                    if isinstance(sc, S.LL) and val:
                        for v in val:
                            if v in node.children[key].value:
                                node.children[key].value.remove(v)
                        if not node.children[key].value:
                            del node.children[key]
                    else:
                        del node.children[key]
                continue
            if op == "replace" and action == "replace":
                node.children.pop(key, None)
            if isinstance(sc, S.L):
                c = node.children.get(key) or Node(sc)
                c.value = val
                node.children[key] = c
            elif isinstance(sc, S.LL):
                c = node.children.get(key) or Node(sc, [])
                for v in val:
                    if v not in c.value:
                        c.value.append(v)
                node.children[key] = c
            else:
                c = node.children.get(key) or Node(sc)
                node.children[key] = c
                if ch.get("inactive") == "inactive":
                    c.inactive = True
                if not isinstance(sc, S.F):
                    rec(sc.c if isinstance(sc, S.N) else sc, c, ch, path + [key])

    rec(S.ROOT, work, elem, [])
    return work, []


def json_to_xml(text):
    """Junos JSON configuration (``{"configuration": {...}}``) -> ``<configuration>`` element."""
    try:
        data = json.loads(text)
    except ValueError as e:
        raise JunosError(f"syntax error: {e}", (), None) from None
    data = data.get("configuration", data) if isinstance(data, dict) else data

    def build(parent, obj):
        for k, v in obj.items():
            if k == "@" or k.startswith("@"):
                continue
            for item in (v if isinstance(v, list) else [v]):
                el = etree.SubElement(parent, k)
                if isinstance(item, dict):
                    attrs = item.get("@") or {}
                    if attrs.get("operation"):
                        el.set("operation", attrs["operation"])
                    if attrs.get("inactive"):
                        el.set("inactive", "inactive")
                    build(el, item)
                elif item is not None:
                    el.text = str(item)

    root = etree.Element("configuration")
    if not isinstance(data, dict):
        raise JunosError("syntax error", (), None)
    build(root, data)
    return root


# ------------------------------------------------------------------------------------ rendering


#: the reader's login class lacks the 'secret' permission: secret values are shown as /* SECRET-DATA */
#: (a real vQFX capture of such a class: 'encrypted-password /* SECRET-DATA */; ## SECRET-DATA'; junos/README.md)
HIDE_SECRETS = contextvars.ContextVar("hide_secrets", default=False)
SECRET_HIDDEN = "/* SECRET-DATA */"


def _display_value(sc, v):
    if isinstance(sc, S.L) and sc.secret:
        if HIDE_SECRETS.get():
            return "%s; ## SECRET-DATA" % SECRET_HIDDEN
        return '"%s"; ## SECRET-DATA' % encrypt9(v)
    return _q(v) + ";"


def _hidden(fn):
    """``fn(root, ..., hide_secrets=False)``: render as a login class without the 'secret' permission sees it."""
    def wrapped(*args, hide_secrets=False, **kwargs):
        token = HIDE_SECRETS.set(bool(hide_secrets))
        try:
            return fn(*args, **kwargs)
        finally:
            HIDE_SECRETS.reset(token)
    wrapped.__name__, wrapped.__doc__ = fn.__name__, fn.__doc__
    return wrapped


def _q(v):
    v = str(v)
    if v == "" or re.search(r'[\s;{}\[\]"#*]', v) or v.startswith("$"):
        return '"%s"' % v.replace('"', '\\"')
    return v


def ordered_children(node):
    """Children in Junos display order: containers/leaves in schema order, named entries in insertion
    order at the position of their keyword."""
    if not node.children:
        return []
    sc = node.child_schema()
    order = list(sc.children.keys())
    rank = {k: i for i, k in enumerate(order)}

    def keyrank(item):
        k = item[0]
        head = k.split(" ", 1)[0]
        return rank.get(head, len(order))

    items = sorted(node.children.items(), key=keyrank)
    if sc.wild is not None and sc.wild.elem == "interface" or "unit" in sc.children:
        # Junos sorts interface names and unit numbers
        items.sort(key=lambda it: (keyrank(it), _natkey(it[0])))
    return items


def _natkey(k):
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", k)]


def to_text(node, indent=0):
    lines = []
    groups_done = set()
    items = ordered_children(node)
    for k, c in items:
        sc = c.schema
        pad = "    " * indent
        pre = "inactive: " if c.inactive else ""
        if isinstance(sc, S.N) and sc.grouped:
            kw = k.split(" ", 1)[0]
            if kw in groups_done:
                continue
            groups_done.add(kw)
            lines.append(f"{pad}{kw} {{")
            for k2, c2 in items:
                if c2.schema is sc and k2.split(" ", 1)[0] == kw:
                    name = k2.split(" ", 1)[1]
                    pre2 = "inactive: " if c2.inactive else ""
                    if c2.children:
                        lines.append(f"{pad}    {pre2}{name} {{")
                        lines.extend(to_text(c2, indent + 2))
                        lines.append(f"{pad}    }}")
                    else:
                        lines.append(f"{pad}    {pre2}{name};")
            lines.append(f"{pad}}}")
            continue
        if isinstance(sc, S.L):
            lines.append(f"{pad}{pre}{k} {_display_value(sc, c.value)}")
        elif isinstance(sc, S.LL):
            if len(c.value) == 1:
                lines.append(f"{pad}{pre}{k} {_q(c.value[0])};")
            else:
                lines.append(f"{pad}{pre}{k} [ {' '.join(_q(v) for v in c.value)} ];")
        elif isinstance(sc, S.F):
            lines.append(f"{pad}{pre}{k};")
        else:
            if c.children:
                lines.append(f"{pad}{pre}{k} {{")
                lines.extend(to_text(c, indent + 1))
                lines.append(f"{pad}}}")
            else:
                lines.append(f"{pad}{pre}{k};")
    return lines


@_hidden
def render_text(root):
    return "\n".join(to_text(root)) + ("\n" if root.children else "")


def to_set(node, prefix="set", path=()):
    out, inactive = [], []
    for k, c in ordered_children(node):
        sc = c.schema
        p = path + (k,)
        head = " ".join(_q(x) if i == len(p) - 1 and False else x for i, x in enumerate(p))
        if c.inactive:
            inactive.append("deactivate " + head)
        if isinstance(sc, S.L):
            v = ((SECRET_HIDDEN if HIDE_SECRETS.get() else '"%s"' % encrypt9(c.value)) if sc.secret else _q(c.value))
            out.append(f"{prefix} {head} {v}")
        elif isinstance(sc, S.LL):
            for v in c.value:
                out.append(f"{prefix} {head} {_q(v)}")
        elif isinstance(sc, S.F) or not c.children:
            out.append(f"{prefix} {head}")
        else:
            sub = to_set(c, prefix, p)
            out.extend(sub)
    return out + inactive if not path else out + inactive


@_hidden
def render_set(root):
    lines = to_set(root)
    # deactivate lines come after all set lines (as Junos prints them)
    sets = [ln for ln in lines if not ln.startswith("deactivate ")]
    deacts = [ln for ln in lines if ln.startswith("deactivate ")]
    return "\n".join(sets + deacts) + ("\n" if lines else "")


def to_xml(node, parent_el, secret_clear=False):
    for k, c in ordered_children(node):
        sc = c.schema
        if isinstance(sc, S.N):
            if sc.bare:
                el = etree.SubElement(parent_el, sc.elem)
                etree.SubElement(el, "name").text = k
            elif sc.extra:
                kw, a, _x, b = k.split(" ")
                el = etree.SubElement(parent_el, kw.replace("from-zone", "policy"))
                etree.SubElement(el, "from-zone-name").text = a
                etree.SubElement(el, "to-zone-name").text = b
            else:
                kw, name = k.split(" ", 1)
                el = etree.SubElement(parent_el, kw)
                etree.SubElement(el, "name").text = name
            if c.inactive:
                el.set("inactive", "inactive")
            to_xml(c, el, secret_clear)
        elif isinstance(sc, S.L):
            el = etree.SubElement(parent_el, k)
            el.text = encrypt9(c.value) if sc.secret and not secret_clear else str(c.value)
        elif isinstance(sc, S.LL):
            for v in c.value:
                etree.SubElement(parent_el, k).text = v
        else:
            el = etree.SubElement(parent_el, k)
            if c.inactive:
                el.set("inactive", "inactive")
            to_xml(c, el, secret_clear)
    return parent_el


def render_xml_element(root, attrs=None, junos_ns=None):
    el = etree.Element("configuration", nsmap={"junos": junos_ns} if junos_ns else None)
    for a, v in (attrs or {}).items():
        el.set(a, v)
    return to_xml(root, el)


def to_json_obj(node):
    """Junos JSON *configuration* convention: named lists are arrays of objects with "name",
    flags are [null], leaves strings."""
    obj = {}
    for k, c in ordered_children(node):
        sc = c.schema
        if isinstance(sc, S.N):
            if sc.bare:
                tag, ent = sc.elem, {"name": k}
            elif sc.extra:
                kw, a, _x, b = k.split(" ")
                tag, ent = "policy", {"from-zone-name": a, "to-zone-name": b}
            else:
                tag, name = k.split(" ", 1)
                ent = {"name": name}
            ent.update(to_json_obj(c))
            if c.inactive:
                ent["@"] = {"inactive": True}
            obj.setdefault(tag, []).append(ent)
        elif isinstance(sc, S.L):
            obj[k] = encrypt9(c.value) if sc.secret else c.value
        elif isinstance(sc, S.LL):
            obj[k] = list(c.value)
        elif isinstance(sc, S.F):
            obj[k] = [None]
        else:
            sub = to_json_obj(c)
            if c.inactive:      # a container's attributes in its own "@" member
                sub = dict({"@": {"inactive": True}}, **sub)
            obj[k] = sub if sub else [None]
        if c.inactive and isinstance(sc, (S.L, S.LL, S.F)):
            obj["@" + k] = {"inactive": True}      # a leaf's attributes in a sibling "@<name>" member
    return obj


def render_json(root, commit_seconds=None, commit_localtime=None, user=None):
    meta = {}
    if commit_seconds is not None:
        meta = {"@": {"junos:commit-seconds": str(int(commit_seconds)), "junos:commit-localtime": commit_localtime or "", "junos:commit-user": user or "root"}}
    body = {"configuration": dict(meta, **to_json_obj(root))}
    return json.dumps(body, indent=4)


# ------------------------------------------------------------------------------------ compare


def compare(old, new):
    """``show | compare`` text between two trees ('' when equal)."""
    out = []
    state = {"hdr": None}

    def emit_hdr(path):
        h = "[edit" + "".join(" " + p for p in path) + "]"
        if state["hdr"] != h:
            out.append(h)
            state["hdr"] = h

    def block_lines(k, c, depth):
        tmp = Node(None)
        tmp.schema = S.C()
        tmp.children = {k: c}
        # render the single child using its parent's ordering rules
        lines = []
        fake_parent = Node(S.ROOT)
        fake_parent.children = {k: c}
        sc = c.schema
        if isinstance(sc, S.N) and sc.grouped:
            kw, name = k.split(" ", 1)
            if c.children:
                lines = [f"{kw} {name} {{"] + to_text(c, 1) + ["}"]
            else:
                lines = [f"{kw} {name};"]
        else:
            lines = _render_one(k, c)
        return lines

    def sign_lines(sign, lines, depth, root_level):
        for ln in lines:
            if root_level:
                out.append(f"{sign}  {ln}")
            else:
                pad = "    " * depth + ln
                out.append(sign + pad[1:])

    def rec(a, b, path):
        keys = []
        for k, _ in ordered_children(a) if a is not None else []:
            keys.append(k)
        for k, _ in ordered_children(b) if b is not None else []:
            if k not in keys:
                keys.append(k)
        # keep a stable, display-like order: the new tree's order, removed entries where they were
        for k in keys:
            ca, cb = a.children.get(k), b.children.get(k)
            root_level = not path
            if ca is not None and cb is None:
                emit_hdr(path)
                sign_lines("-", block_lines(k, ca, 1), 1, root_level)
            elif cb is not None and ca is None:
                emit_hdr(path)
                sign_lines("+", block_lines(k, cb, 1), 1, root_level)
            else:
                sc = cb.schema
                if ca.inactive != cb.inactive:
                    emit_hdr(path)
                    word = "inactive" if cb.inactive else "active"
                    out.append(f"!    {word}: {k} {{ ... }}")
                if isinstance(sc, (S.L, S.LL)):
                    if ca.value != cb.value:
                        emit_hdr(path)
                        sign_lines("-", _render_one(k, ca), 1, root_level)
                        sign_lines("+", _render_one(k, cb), 1, root_level)
                elif isinstance(sc, S.F):
                    pass
                else:
                    rec(ca, cb, path + [k])

    rec(old, new, [])
    return "\n".join(out) + ("\n" if out else "")


def _render_one(k, c):
    sc = c.schema
    pre = "inactive: " if c.inactive else ""
    if isinstance(sc, S.L):
        return [f"{pre}{k} {_display_value(sc, c.value)}"]
    if isinstance(sc, S.LL):
        if len(c.value) == 1:
            return [f"{pre}{k} {_q(c.value[0])};"]
        return [f"{pre}{k} [ {' '.join(_q(v) for v in c.value)} ];"]
    if isinstance(sc, S.F) or not c.children:
        return [f"{pre}{k};"]
    return [f"{pre}{k} {{"] + to_text(c, 1) + ["}"]


# ------------------------------------------------------------------------------------ commit checks


def check_commit(root):
    """Missing mandatory statements and dangling references, like mgd's check-out."""
    errs = []

    def mand(node, path):
        for k, c in node.children.items():
            if c.inactive:
                continue
            sc = c.schema
            if isinstance(sc, (S.N, S.C)) and sc.mandatory:
                for m in sc.mandatory:
                    if not any(kk == m or kk.startswith(m + " ") for kk, cc in c.children.items() if not cc.inactive):
                        errs.append(JunosError(f"Missing mandatory statement: '{m}'", path + [k], k, kind="mandatory"))
            if isinstance(sc, (S.N, S.C)):
                mand(c, path + [k])

    mand(root, [])
    sec = root.get("security")
    ifs = root.get("interfaces")

    def unit_exists(ifunit):
        if "." not in ifunit:
            return False
        phys, unit = ifunit.rsplit(".", 1)
        return ifs is not None and ifs.get(phys, f"unit {unit}") is not None

    if sec is not None:
        ike = sec.get("ike")
        ipsec = sec.get("ipsec")
        pol_names = {n for n, _ in ike.entries("policy")} if ike is not None else set()
        prop_names = {n for n, _ in ike.entries("proposal")} if ike is not None else set()
        gw_names = {n for n, _ in ike.entries("gateway")} if ike is not None else set()
        if ike is not None:
            for n, p in ike.entries("policy"):
                for pr in p.leaf("proposals") or []:
                    if pr not in prop_names:
                        errs.append(JunosError("Referenced proposal is not defined", ["security", "ike", f"policy {n}"], pr, kind="reference"))
                if p.get("proposals") is None and p.get("proposal-set") is None:
                    errs.append(
                        JunosError(
                            "Missing mandatory statement: 'proposals' or 'proposal-set'", ["security", "ike", f"policy {n}"], f"policy {n}", kind="mandatory"
                        )
                    )
            for n, g in ike.entries("gateway"):
                ref = g.leaf("ike-policy")
                if ref and ref not in pol_names:
                    errs.append(
                        JunosError(f"Referenced IKE policy '{ref}' is not defined", ["security", "ike", f"gateway {n}"], "ike-policy", kind="reference")
                    )
                ext = g.leaf("external-interface")
                if ext and not unit_exists(ext):
                    errs.append(
                        JunosError(f"External interface {ext} is not configured", ["security", "ike", f"gateway {n}"], "external-interface", kind="reference")
                    )
                if g.get("address") is None:
                    errs.append(
                        JunosError("Missing mandatory statement: 'address' or 'dynamic'", ["security", "ike", f"gateway {n}"], f"gateway {n}", kind="mandatory")
                    )
        if ipsec is not None:
            ip_props = {n for n, _ in ipsec.entries("proposal")}
            ip_pols = {n for n, _ in ipsec.entries("policy")}
            for n, p in ipsec.entries("policy"):
                for pr in p.leaf("proposals") or []:
                    if pr not in ip_props:
                        errs.append(JunosError("Referenced proposal is not defined", ["security", "ipsec", f"policy {n}"], pr, kind="reference"))
            bound = {}
            for n, v in ipsec.entries("vpn"):
                gw = v.leaf("ike", "gateway")
                if gw and gw not in gw_names:
                    errs.append(
                        JunosError(f"Referenced IKE gateway '{gw}' is not defined", ["security", "ipsec", f"vpn {n}", "ike"], "gateway", kind="reference")
                    )
                ip = v.leaf("ike", "ipsec-policy")
                if ip and ip not in ip_pols:
                    errs.append(
                        JunosError(f"Referenced IPSec policy '{ip}' is not defined", ["security", "ipsec", f"vpn {n}", "ike"], "ipsec-policy", kind="reference")
                    )
                bi = v.leaf("bind-interface")
                if bi:
                    if not unit_exists(bi):
                        errs.append(JunosError(f"Bind interface {bi} is not configured", ["security", "ipsec", f"vpn {n}"], "bind-interface", kind="reference"))
                    if bi in bound:
                        errs.append(
                            JunosError(
                                f"Interface {bi} is already bound to vpn {bound[bi]}", ["security", "ipsec", f"vpn {n}"], "bind-interface", kind="reference"
                            )
                        )
                    bound[bi] = n
        else:
            bound = {}
    else:
        bound = {}
    # st0 units must be bound to a VPN; gr units need a tunnel destination and source
    if ifs is not None:
        st0 = ifs.get("st0")
        if st0 is not None and not st0.inactive:
            for u, _n in st0.entries("unit"):
                if f"st0.{u}" not in bound:
                    errs.append(JunosError(f"Interface st0.{u} is not bound to any VPN", ["interfaces", "st0", f"unit {u}"], f"unit {u}", kind="reference"))
        gr = ifs.get("gr-0/0/0")
        if gr is not None and not gr.inactive:
            for u, un in gr.entries("unit"):
                t = un.get("tunnel")
                for m in ("source", "destination"):
                    if t is None or t.leaf(m) is None:
                        errs.append(
                            JunosError(f"Missing mandatory statement: '{m}'", ["interfaces", "gr-0/0/0", f"unit {u}", "tunnel"], "tunnel", kind="mandatory")
                        )
    return errs
