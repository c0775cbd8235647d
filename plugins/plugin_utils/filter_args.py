# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Argument handling shared by the collection's filter plugins (plugins/filter/mtu.py, verify.py).

Each filter is documented in the YAML file of its name beside its plugin (``wire_size.yml`` ...) and validates
its arguments against that DOCUMENTATION, so the documentation and the checks cannot disagree. The
documentation is converted into an argument spec ONCE, when the plugin is imported (:func:`load`), as
ansible.utils' AnsibleArgSpecValidator converts it, and ansible-core's ArgumentSpecValidator (what
AnsibleArgSpecValidator runs) is built once from it; a call then only maps its arguments and validates them
(issue 9: re-dumping and re-parsing the YAML documentation on every call cost ~6.6 ms per call).

To add a filter ``foo`` to a plugin file: write ``foo.yml`` (DOCUMENTATION with ``positional:``, EXAMPLES,
RETURN) beside it, add ``"foo"`` to the names the plugin passes to :func:`load`, and call
``SPECS["foo"].params(args, kwargs)`` in the filter function.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

import yaml
from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible_collections.ansible.utils.plugins.module_utils.common.argspec_validate import OPTION_CONDITIONALS, OPTION_METADATA

try:
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML without libyaml
    _Loader = yaml.SafeLoader  # type: ignore[misc]


def read_documentation(plugin_file: str, name: str) -> dict[str, Any]:
    """The DOCUMENTATION of filter ``name``, from ``<name>.yml`` beside ``plugin_file``."""
    path = os.path.join(os.path.dirname(os.path.abspath(plugin_file)), f"{name}.yml")
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_Loader)["DOCUMENTATION"]


def argument_spec(options: Mapping[str, Any]) -> dict[str, Any]:
    """The argument spec of DOCUMENTATION ``options``, converted as ansible.utils' AnsibleArgSpecValidator
    (schema_format="doc") converts it: the option keys it knows, ``suboptions`` -> ``options``."""
    spec: dict[str, Any] = {}
    for key, option in options.items():
        spec[key] = {k: v for k, v in option.items() if k in OPTION_METADATA + OPTION_CONDITIONALS}
        if "suboptions" in option:
            spec[key]["options"] = argument_spec(option["suboptions"])
    return spec


CACHE_SIZE = 4096
_OPAQUE: dict[str, tuple[tuple[type, ...], Any, str]] = {
    "dict": ((Mapping,), {}, "mapping"),
    "list": ((list, tuple), [], "list"),
}


class FilterSpec:
    """One filter's documentation, argument spec and validator, built once.

    ``input_name`` (the MTU filters): the filter takes exactly one positional argument, and error messages call
    ``_input`` by that name. Otherwise the positional arguments are the documented ``positional`` names.
    """

    def __init__(self, name: str, doc: dict[str, Any], input_name: str | None = None):
        self.name = name
        self.doc = doc
        self.options: dict[str, Any] = doc["options"]
        self.positional = [p.strip() for p in str(doc.get("positional", "_input")).split(",")]
        self.input_name = input_name
        self.keywords = [k for k in self.options if k != "_input"]
        self.validator = ArgumentSpecValidator(argument_spec(self.options))
        # Options documented as a whole dict or list (no suboptions): the validator would deep-copy them on every
        # call (ansible-core's ValidationResult copies its parameters), and a plan or a list of results is large
        # (~20 ms per call through Ansible). Their type is checked here; the validator sees an empty stand-in.
        self.cache: dict[Any, dict[str, Any]] = {}
        self.opaque = {key: (*_OPAQUE[o["type"]], o.get("elements") == "dict") for key, o in self.options.items()
                       if o.get("type") in _OPAQUE and "suboptions" not in o and o.get("elements", "raw") in ("raw", "dict")}
        # an option the fast path cannot judge by itself (conditions between options, aliases, sub-options)
        self._conditional = any(k in doc for k in OPTION_CONDITIONALS) or any(
            "aliases" in o or "suboptions" in o for o in self.options.values())

    def _fast(self, data: Mapping[str, Any]) -> dict[str, Any] | None:
        """The validated parameters without running the validator, when every argument already has its documented type
        exactly (the common call, ~60 us saved per call through Ansible); None otherwise, and the validator then
        converts or names the problem. The same result as the validator: the given values, the defaults of the others."""
        if self._conditional:
            return None
        out: dict[str, Any] = {}
        for key, option in self.options.items():
            if key not in data:
                if option.get("required"):
                    return None
                out[key] = option.get("default")
            elif key in self.opaque and data[key] is not None:
                out[key] = data[key]  # type-checked by _params; the caller puts the value back
            elif data[key] is None or not _exact(option, data[key]):
                return None
            else:
                out[key] = data[key]
        return out

    def error(self, message: str) -> AnsibleFilterError:
        return AnsibleFilterError(f"mplssec.p2p.{self.name}: {message}")

    def params(self, args: tuple, kwargs: Mapping[str, Any]) -> dict[str, Any]:
        """Map positional arguments onto the documented names, validate everything, return the parameters
        with their defaults; any problem raises AnsibleFilterError naming the filter.

        Calls whose arguments are all hashable (the MTU filters: numbers and strings) are validated once: the
        validated parameters are kept (up to CACHE_SIZE calls) and a copy is returned on a repeat, since
        validating costs ~75 us and a playbook calls a filter with the same arguments over and over."""
        try:
            # the types are part of the key: 1, 1.0 and True are equal (and hash alike) but do not validate alike
            key = (tuple((type(a), a) for a in args), tuple(sorted((k, type(v), v) for k, v in kwargs.items())))
            cached = self.cache.get(key)
        except TypeError:  # a dict or list argument: not hashable, validated every time
            return self._params(args, kwargs)
        if cached is None:
            cached = self._params(args, kwargs)
            if len(self.cache) >= CACHE_SIZE:
                self.cache.clear()
            self.cache[key] = cached
        return dict(cached)

    def _params(self, args: tuple, kwargs: Mapping[str, Any]) -> dict[str, Any]:
        if self.input_name is not None:
            if len(args) != 1:
                raise self.error(f"takes its {self.input_name} as the only positional argument, got {len(args)}")
        elif len(args) > len(self.positional):
            raise self.error(f"takes at most {len(self.positional)} positional arguments ({', '.join(self.positional)}), got {len(args)}")
        data = dict(zip(self.positional[: len(args)], args, strict=True))
        for key, value in kwargs.items():
            if key not in self.options or key == "_input":
                raise self.error(f"unknown keyword {key!r}; allowed keywords: {', '.join(self.keywords)}")
            if key in data:
                raise self.error(f"{key!r} given both by position and by keyword")
            data[key] = value
        kept = {}
        for key, (types, stand_in, label, of_dicts) in self.opaque.items():
            if data.get(key) is not None:
                name = self.input_name if key == "_input" and self.input_name else key
                if not isinstance(data[key], types):
                    raise self.error(f"{name!r} must be a {label}, got {type(data[key]).__name__}")
                if of_dicts and not all(isinstance(item, Mapping) for item in data[key]):
                    raise self.error(f"{name!r} must be a list of mappings")
                kept[key], data[key] = data[key], stand_in
        fast = self._fast(data)
        if fast is not None:
            return {**fast, **kept}
        result = self.validator.validate(data)
        if result.error_messages:
            message = "; ".join(result.error_messages)
            if self.input_name is not None:
                message = message.replace(repr("_input"), repr(self.input_name))
            raise self.error(message)
        return {**result.validated_parameters, **kept}


_EXACT = {"str": (str,), "int": (int,), "float": (float, int), "bool": (bool,)}


def _exact(option: Mapping[str, Any], value: Any) -> bool:
    """``value`` is already what the validator would return for ``option``: the documented type exactly (no
    conversion: an int is not a bool, a str stays a str), one of its choices; ``raw`` is anything."""
    kind = option.get("type", "str")
    if kind == "raw":
        ok = True
    elif kind in _EXACT:
        ok = isinstance(value, _EXACT[kind]) and not (kind != "bool" and isinstance(value, bool))
    else:
        return False
    return ok and ("choices" not in option or value in option["choices"])


def load(plugin_file: str, names: Iterable[str], input_names: Mapping[str, str] | None = None) -> dict[str, FilterSpec]:
    """The FilterSpec of every filter in ``names``, documented beside ``plugin_file``; call at import."""
    input_names = input_names or {}
    return {name: FilterSpec(name, read_documentation(plugin_file, name), input_names.get(name)) for name in names}
