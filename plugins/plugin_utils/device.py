# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One router's side of a deploy phase, driven from the controller over its persistent connection.

The action plugin mplssec.p2p.p2p_deploy runs one task per router per phase; this module is what that task does on the
router, through the JSON-RPC socket of Ansible's persistent connection (network_cli + cliconf for IOS-XE, netconf for
Junos) -- the same calls the stock modules make (cisco.ios.ios_command / ansible.netcommon.cli_config,
junipernetworks.junos.junos_command / junos_config), without starting a module per command:

- ``run(commands)``: the outputs in the shape the stock command modules return (text; a dict for ``| display json``),
  so the verify parsers (plugin_utils/verify.py) read them unchanged;
- ``snapshot()``: the rollback point (IOS-XE: running configuration copied to flash, then read; Junos: the committed
  configuration read as text), ``restore(saved)``: back to it, ``read_config()``;
- ``push(config)``: one transaction (IOS-XE: the lines missing from the running configuration in one configure
  terminal ... end, as cli_config; Junos: lock, load set, compare, commit confirmed or discard, unlock, as junos_config);
- ``confirm()`` (Junos), ``cleanup()`` (IOS-XE rollback file), ``would_change(config)`` (check mode).

The device commands themselves (copy, configure replace, show commands) come from the role's ops.j2 templates; the
gates' commands and pass criteria from plugin_utils/verify.py. Every text that can leave this module (messages, diffs)
goes through ``mask`` first.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any, Iterable, Sequence

try:
    from ansible_collections.mplssec.p2p.plugins.plugin_utils import config_text, verify
except ImportError:  # pragma: no cover - running from a checkout without the collection loader
    from . import config_text, verify  # type: ignore[no-redef]

try:
    from lxml.etree import Element, tostring
except ImportError:  # pragma: no cover - lxml comes with ncclient
    from xml.etree.ElementTree import Element, tostring  # type: ignore[assignment]

__all__ = ["TRANSPORT_ERROR", "DeviceError", "IosSession", "JunosSession", "connect", "digest", "mask", "poll_check", "session",
           "strip_volatile"]

_MASKS = (
    (re.compile(r"(?m)(pre-shared-key(?: local| remote)?(?: [06])?(?: ascii-text| hexadecimal)?) \S.*$"), r"\1 <masked>"),
    (re.compile(r"\$9\$[^\";\s<]+"), "<masked>"),
    # MACsec (mode macsec): the CAK (IOS key chain key-string, any type; Junos pre-shared-key cak) and the CKN (the key
    # chain's key id, Junos pre-shared-key ckn / ckn in the curly configuration)
    (re.compile(r"(?m)(key-string)(?: [067])? \S+"), r"\1 <masked>"),
    (re.compile(r"(?m)^(\s*[+-]?\s*key) [0-9A-Fa-f]{2,64}\s*$"), r"\1 <masked>"),
    (re.compile(r"(?m)\b(ckn|cak) [0-9A-Fa-f]{2,64}\b"), r"\1 <masked>"),
)


#: a device error that means the session itself is gone (ansible.netcommon network_cli / netconf messages)
_UNIT_DELETE = re.compile(r"(?m)^delete interfaces (\S+) unit \d+\s*$")
TRANSPORT_ERROR = re.compile(r"ssh channel|socket|not connected|connection (?:closed|reset|refused|lost)|timed? ?out|"
                             r"session (?:closed|not active)|EOF", re.I)


class DeviceError(Exception):
    """A device call failed; the message is masked."""


def mask(text: Any, secrets: Iterable[str] = ()) -> str:
    """``text`` with every secret replaced by ``<masked>``: each given secret, any pre-shared-key value (IOS keyring,
    Junos ascii-text/hexadecimal), Junos ``$9$`` strings, and the MACsec CKN/CAK lines (IOS key chain key / key-string,
    Junos ckn / cak). Every configuration or message shown goes through it."""
    out = str(text)
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        out = out.replace(str(secret), "<masked>")
    for pattern, repl in _MASKS:
        out = pattern.sub(repl, out)
    return out


def strip_volatile(text: str, volatile: Sequence[str]) -> str:
    """The configuration without the lines that change with no configuration change (ops.j2 ``volatile``)."""
    if not volatile:
        return str(text).strip()
    pattern = re.compile("|".join("(?:%s)" % v for v in volatile))
    return "\n".join(line for line in str(text).split("\n") if not pattern.search(line)).strip()


def digest(text: str, volatile: Sequence[str]) -> str:
    """SHA-256 of the configuration without its volatile lines (equal digests: the same configuration)."""
    return hashlib.sha256(strip_volatile(text, volatile).encode("utf-8", "surrogateescape")).hexdigest()


def _message(exc: BaseException) -> str:
    text = str(exc)
    m = re.search(r"<error-message>(.*?)</error-message>", text, re.S)  # NETCONF rpc-error: the message only
    return " ".join((m.group(1) if m else text).split())


class _Session:
    platform = ""

    def __init__(self, conn: Any, ops: dict, secrets: Iterable[str] = ()):
        self.conn = conn
        self.ops = ops or {}
        self.secrets = [s for s in secrets if s]
        self.calls = 0  # device calls made (commands, RPCs), reported by the action

    def _call(self, what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        try:
            return fn(*args, **kwargs)
        except Exception as exc:  # ConnectionError, AnsibleConnectionFailure, rpc-error
            raise DeviceError(mask("%s: %s" % (what, _message(exc)), self.secrets)) from None

    def volatile(self) -> list[str]:
        return list(self.ops.get("volatile") or [])


class IosSession(_Session):
    """IOS-XE over network_cli (cisco.ios cliconf)."""

    platform = "ios"

    def run(self, commands: Sequence[str]) -> list[str]:
        return [self._call(command, self.conn.get, command=command) for command in commands]

    def read_config(self) -> str:
        return self._call("read the running configuration", self.conn.get, command=self.ops["show_config"])

    def snapshot(self) -> str:
        prompts = list(self.ops.get("rollback_point_prompts") or [])
        self._call("copy the running configuration to the rollback file", self.conn.get,
                   command=self.ops["rollback_point"], prompt=prompts, answer=[""] * len(prompts), check_all=True)
        return self.read_config()

    def _missing(self, config: str) -> list[str]:
        running = self._call("read the running configuration", self.conn.get_config)
        # the candidate (indented, with its parents) without the "no X" lines that change nothing; then the line diff
        config = "\n".join(config_text.ios_drop_noop_negations(str(config).split("\n"), running))
        diff = self._call("compare with the running configuration", self.conn.get_diff, candidate=config, running=running)
        text = (diff or {}).get("config_diff") or ""
        return [line for line in (text if isinstance(text, list) else text.split("\n")) if line.strip()]

    def push(self, config: str, comment: str = "", confirm_minutes: int = 0) -> bool:
        lines = self._missing(config)
        if lines:
            self._call("configure", self.conn.edit_config, candidate=lines)
        return bool(lines)

    def would_change(self, config: str) -> list[str]:
        return self._missing(config)

    def confirm(self) -> None:
        return None

    def restore(self, saved: str, comment: str = "") -> None:
        out = self._call("configure replace", self.conn.get, command=self.ops["restore"])
        if self.ops.get("restore_ok") and not re.search(self.ops["restore_ok"], str(out)):
            raise DeviceError(mask("configure replace did not report %r: %s" % (self.ops["restore_ok"], " ".join(str(out).split())[:300]),
                                   self.secrets))

    def cleanup(self) -> None:
        self._call("delete the rollback file", self.conn.get, command=self.ops["delete_rollback_point"])


class JunosSession(_Session):
    """Junos over netconf (junipernetworks.junos netconf plugin), the calls junos_command / junos_config make."""

    platform = "junos"

    def _rpc(self, what: str, element: Any) -> Any:
        return self._call(what, self.conn.execute_rpc, tostring(element, encoding="unicode"))

    def run(self, commands: Sequence[str]) -> list[Any]:
        out: list[Any] = []
        for command in commands:
            fmt = "json" if "| display json" in command else "xml" if "| display xml" in command else "text"
            text = command.split("|")[0].strip() if fmt != "text" else command
            element = Element("command", {"format": fmt})
            element.text = text
            reply = self._rpc(command, element)
            if fmt == "json":
                out.append(json.loads((reply.text or "").strip()))
            elif fmt == "xml":
                out.append(tostring(reply, encoding="unicode"))
            else:
                node = reply.find(".//configuration-output" if text.startswith("show configuration") else ".//output")
                out.append(((node.text if node is not None else reply.text) or "").strip())
        return out

    def read_config(self) -> str:
        reply = self._call("read the committed configuration", self.conn.get_configuration, format="text")
        node = reply.find(".//configuration-text")
        if node is None:
            raise DeviceError("read the committed configuration: no configuration-text in the reply")
        return (node.text or "").strip()

    def snapshot(self) -> str:
        return self.read_config()

    def _compare(self) -> str:
        reply = self._rpc("show | compare", Element("get-configuration", {"format": "text", "compare": "rollback", "rollback": "0"}))
        if isinstance(reply, list):  # warnings only: no difference
            return ""
        node = reply.find(".//configuration-output")
        return (node.text or "").strip() if node is not None else ""

    def _load(self, config: str) -> str:
        lines = "\n".join(line for line in str(config).split("\n") if line.strip())
        self._call("load the configuration", self.conn.load_configuration, format="text", action="set", config=lines)
        self._prune_emptied(lines)
        self._call("validate the candidate", self.conn.validate)
        return self._compare()

    def _locked(self, fn: Any) -> Any:
        self._call("lock the configuration", self.conn.lock)
        try:
            return fn()
        finally:
            try:
                self.conn.unlock()
            except Exception:  # the session may be gone; the lock goes with it
                pass

    def push(self, config: str, comment: str = "", confirm_minutes: int = 0) -> bool:
        def load_commit() -> bool:
            if not self._load(config):
                self._call("discard the candidate", self.conn.discard_changes)
                return False
            self._call("commit confirmed", self.conn.commit, confirmed=bool(confirm_minutes),
                       timeout=str(confirm_minutes) if confirm_minutes else None, comment=comment or None)
            return True
        return self._locked(load_commit)

    def _prune_emptied(self, lines: str) -> None:
        """Junos keeps an interface whose last unit was deleted as an empty statement (``gr-0/0/0;``): delete the
        interfaces that this change emptied (``delete interfaces X unit N``), so that removing the link's last tunnel
        unit leaves the configuration as it was before the link was encrypted."""
        names = sorted(set(_UNIT_DELETE.findall(lines)))
        if not names:
            return
        reply = self._call("read the candidate interfaces", self.conn.get_configuration, format="text",
                           filter="<configuration><interfaces/></configuration>")
        node = reply.find(".//configuration-text")
        text = (node.text or "") if node is not None else ""
        empty = [name for name in names if re.search(r"(?m)^\s+%s;\s*$" % re.escape(name), text)]
        if empty:
            self._call("delete the emptied interfaces", self.conn.load_configuration, format="text", action="set",
                       config="\n".join("delete interfaces %s" % name for name in empty))

    def would_change(self, config: str) -> str:
        def load_discard() -> str:
            try:
                return self._load(config)
            finally:
                self._call("discard the candidate", self.conn.discard_changes)
        return self._locked(load_discard)

    def confirm(self) -> None:
        self._locked(lambda: self._call("confirm the commit", self.conn.commit))

    def restore(self, saved: str, comment: str = "") -> None:
        def override() -> None:
            self._call("load override the saved configuration", self.conn.load_configuration,
                       format="text", action="override", config=saved)
            self._call("commit the saved configuration", self.conn.commit, comment=comment or None)
        self._locked(override)

    def cleanup(self) -> None:
        return None


def session(platform: str, conn: Any, ops: dict, secrets: Iterable[str] = ()) -> _Session:
    """The session class of the platform (``ios`` or ``junos``)."""
    if platform == "ios":
        return IosSession(conn, ops, secrets)
    if platform == "junos":
        return JunosSession(conn, ops, secrets)
    raise DeviceError("unsupported platform %r (ios, junos)" % platform)


def connect(action: Any, platform: str, ops: dict, secrets: Iterable[str] = (), socket_path: str | None = None) -> _Session:
    """The session of an action plugin's host on its persistent connection (network_cli for IOS-XE, netconf for Junos):
    the task's own, or ``socket_path``, the socket of that connection recorded by an earlier task (p2p_deploy_step)."""
    from ansible.errors import AnsibleActionFail
    from ansible.module_utils.connection import Connection

    if socket_path is None:
        socket_path = getattr(action._connection, "socket_path", None)
        if not socket_path:
            raise AnsibleActionFail("%s needs a persistent connection (ansible_connection ansible.netcommon.network_cli "
                                    "for IOS-XE, ansible.netcommon.netconf for Junos); this host has %s"
                                    % (action._task.action, action._play_context.connection))
        # recorded like a module's: the strategy then knows the socket, and meta reset_connection really resets it
        action._task.args["_ansible_socket"] = socket_path
    if platform == "junos":
        from ansible_collections.ansible.netcommon.plugins.module_utils.network.common.netconf import NetconfConnection
        return session(platform, NetconfConnection(socket_path), ops, secrets)
    return session(platform, Connection(socket_path), ops, secrets)


def poll_check(sess: _Session, check: str, plan: dict, link: Any, attempts: int, interval: float,
               min_pct: int = verify.MIN_SUCCESS_PCT) -> dict:
    """One check of plugins/plugin_utils/verify.py on this router, run up to ``attempts`` times ``interval`` seconds
    apart until it passes; a lost session ends the polling (it cannot pass any more)."""
    import time

    commands = verify.show_commands(check, plan, link)
    outcome: dict = {}
    for attempt in range(max(int(attempts), 1)):
        if attempt:
            time.sleep(interval)
        try:
            outcome = verify.run_check(check, sess.run(commands), plan, link, min_success_pct=min_pct)
        except DeviceError as exc:
            outcome = verify.run_check(check, [], plan, link, error=str(exc))
            if TRANSPORT_ERROR.search(str(exc)):
                break
        if outcome["status"] == "pass":
            break
    return dict(outcome, detail=mask(outcome.get("detail", ""), sess.secrets))
