# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The persistent connections of many routers, started from one task on the controller.

ansible-core gives every router of a play its own persistent connection: a daemon (``ansible-connection``'s
``ConnectionProcess``) that holds the SSH (network_cli) or NETCONF (netconf) session and answers JSON-RPC on a unix
socket. A task on the router starts it by running a new Python interpreter (``ansible_connection_cli_stub.py``) that
imports Ansible again: about 0.75 s of controller CPU per router and task before any SSH (measured,
docs/performance.md), and every later task on the router pays a fork and that start again, only to find the running
daemon.

The engine of this collection (plugins/action/p2p_engine.py) runs as one task on the control node for all the routers of
a run. ``start`` gives it each router's persistent connection exactly as ansible-core would: the router's connection
plugin configured from its inventory variables as the TaskExecutor configures a task's connection (PlayContext magic
variables, connection and sub-plugin options, become), the same socket path, the same ``ConnectionProcess`` -- only
forked from the engine's process, which has Ansible loaded already, instead of started as a new interpreter. The
device sessions of plugins/plugin_utils/device.py talk to it through the socket like any module would, several
routers at once from threads; a later task on the router (a stock module, ``meta: reset_connection``, the next engine
task of the run) finds the same daemon: one SSH/NETCONF session per router per run.
"""

from __future__ import annotations

import json
import os
import threading
import time
from typing import Any, Mapping

__all__ = ["restart", "router_variables", "running", "start", "stop"]

# ansible-core's plugin loaders are not thread-safe (a module half imported by one thread is seen by another)
_LOADER_LOCK = threading.Lock()


def router_variables(task_vars: Mapping[str, Any], host: str) -> dict:
    """The variables of ``host`` as a task on it sees them (inventory, group and extra vars, facts), untemplated."""
    hostvars = task_vars.get("hostvars") or {}
    if host not in hostvars:
        raise KeyError("%s is not in the inventory" % host)
    hv = hostvars[host]
    return {key: hv.raw_get(key) if hasattr(hv, "raw_get") else hv[key] for key in hv}


def _plugin_options(templar: Any, plugin_type: str, plugin: Any, variables: Mapping[str, Any], task_keys: dict) -> None:
    from ansible import constants as C

    options = {name: templar.template(variables[name]) for name in C.config.get_plugin_vars(plugin_type, plugin._load_name)
               if name in variables}
    plugin.set_options(task_keys=task_keys, var_options=options)


def _configured(action: Any, host: str, variables: Mapping[str, Any]) -> Any:
    """The connection plugin of ``host``, configured as executor/task_executor.py configures a task's connection
    (``_get_connection``, ``_set_become_plugin``, ``_set_connection_options``), not connected."""
    from ansible.plugins.loader import become_loader, connection_loader, get_plugin_class

    templar = action._templar.copy_with_new_env(available_variables=variables)
    conn_type = str(templar.template(variables.get("ansible_connection") or ""))
    if conn_type.rsplit(".", maxsplit=1)[-1] not in ("network_cli", "netconf"):
        raise ValueError("%s: ansible_connection must be ansible.netcommon.network_cli (IOS-XE) or ansible.netcommon.netconf "
                         "(Junos), got %r" % (host, conn_type or None))
    pc = action._play_context.set_task_and_variable_override(task=action._task, variables=variables, templar=templar)
    pc.connection = conn_type
    conn = connection_loader.get(conn_type, pc, None, task_uuid=action._task._uuid, ansible_playbook_pid=str(os.getppid()))
    if conn is None:
        raise ValueError("%s: connection plugin %s not found" % (host, conn_type))
    become = None
    if variables.get("ansible_become") is not None and bool(templar.template(variables["ansible_become"])):
        become = become_loader.get(str(templar.template(variables.get("ansible_become_method") or "sudo")))
    conn.set_become_plugin(become)
    if become is not None:
        pc.set_become_plugin(become.name)
    pc.set_attributes_from_plugin(conn)

    task_keys = action._task.dump_attrs()
    task_keys["timeout"] = pc.timeout
    if pc.password:
        task_keys["password"] = pc.password
    task_keys.pop("retries", None)
    conn.set_options(task_keys=task_keys, var_options=conn._resolve_option_variables(variables, templar))
    if become is not None:
        if pc.become_pass:
            task_keys["become_pass"] = pc.become_pass
        _plugin_options(templar, "become", become, variables, task_keys)
        for option in ("become_user", "become_flags", "become_exe", "become_pass"):
            try:
                setattr(pc, option, become.get_option(option))
            except KeyError:
                pass
        pc.prompt = become.prompt
    sub = getattr(conn, "_sub_plugin", None)
    if sub and sub.get("type") != "external" and sub.get("obj") is not None:
        _plugin_options(templar, get_plugin_class(sub["obj"]), sub["obj"], variables, task_keys)
    if conn_type.endswith("network_cli"):
        _plugin_options(templar, "connection", conn.ssh_type_conn, variables, task_keys)
    pc.timeout = conn.get_option("persistent_command_timeout")
    conn._play_context = pc
    return conn


def _socket_path(pc: Any, playbook_pid: str) -> str:
    """The socket ansible-connection uses for this play context (ansible_connection_cli_stub.main)."""
    from ansible import constants as C
    from ansible.plugins.loader import connection_loader
    from ansible.utils.path import unfrackpath

    ssh = connection_loader.get("ssh", class_only=True)
    control = ssh._create_control_path(pc.remote_addr, pc.port, pc.remote_user, pc.connection, playbook_pid)
    directory = unfrackpath(C.PERSISTENT_CONTROL_PATH_DIR)
    os.makedirs(directory, mode=0o700, exist_ok=True)
    return unfrackpath(control % dict(directory=directory))


def running(action: Any, host: str, variables: Mapping[str, Any]) -> str | None:
    """The socket of ``host``'s persistent connection in this playbook run, or None when it has none."""
    with _LOADER_LOCK:
        conn = _configured(action, host, variables)
    path = _socket_path(conn._play_context, str(os.getppid()))
    return path if os.path.exists(path) else None


def start(action: Any, host: str, variables: Mapping[str, Any]) -> str:
    """The socket path of ``host``'s persistent connection: the running one of this playbook run, or a new one forked
    from this process (ansible-connection's ``ConnectionProcess``, the socket path ansible-core computes, the options
    and play context a task on the host would pass it). Call it from the main thread only (it forks)."""
    from ansible.cli.scripts.ansible_connection_cli_stub import ConnectionProcess, file_lock
    from ansible.module_utils.connection import Connection, ConnectionError
    from ansible.module_utils.service import fork_process
    from ansible.utils.display import Display
    from ansible.utils.path import unfrackpath

    with _LOADER_LOCK:
        conn = _configured(action, host, variables)
    pc = conn._play_context
    options = conn.get_options()
    playbook_pid = str(os.getppid())  # the task's worker runs under ansible-playbook, as for TaskExecutor
    socket_path = _socket_path(pc, playbook_pid)
    lock_path = unfrackpath("%s/.ansible_pc_lock_%s" % os.path.split(socket_path))
    with file_lock(lock_path):
        if os.path.exists(socket_path):
            try:
                Connection(socket_path).set_options(direct=options)
                return socket_path
            except ConnectionError:  # a daemon that is ending (idle or command timeout): start a new one
                time.sleep(0.3)
                if os.path.exists(socket_path):
                    os.remove(socket_path)
        r, w = os.pipe()
        pid = fork_process()
        if pid == 0:  # the daemon (ansible_connection_cli_stub.main does the same after its own imports)
            rc = 1
            try:
                os.close(r)
                os.closerange(3, w)  # nothing of the worker (its results queue) is the daemon's
                os.closerange(w + 1, 65536)
                Display()._final_q = None  # display goes nowhere, never into the worker's results queue
                process = ConnectionProcess(os.fdopen(w, "w"), pc, socket_path, os.getcwd(), action._task._uuid, playbook_pid)
                process.start(options)
                rc = 0
                process.run()
            finally:
                os._exit(rc)
        os.close(w)
        with os.fdopen(r, "r") as rfd:
            data = rfd.read()
        try:
            os.waitpid(pid, 0)  # the first child of fork_process's double fork exits at once
        except ChildProcessError:
            pass
    result = json.loads(data or '{"error": "the connection process ended before it answered"}')
    if "error" in result:
        raise ValueError("%s: the persistent connection did not start: %s" % (host, result["error"]))
    return socket_path


def stop(socket_path: str) -> None:
    """End a persistent connection (its SSH/NETCONF session and daemon), as ``meta: reset_connection`` does."""
    from ansible.module_utils.connection import Connection

    if socket_path and os.path.exists(socket_path):
        try:
            Connection(socket_path).close()
        except Exception:  # noqa: BLE001 - already gone: nothing to end
            pass


def restart(action: Any, host: str, variables: Mapping[str, Any]) -> str:
    """A new persistent connection for ``host`` after its session died, from any thread: ansible-core's own
    ``start_connection`` (a new ansible-connection interpreter, ~0.75 s of CPU, only on this rare path), which forks
    nothing in this process. Returns the socket path (the same path ``start`` uses)."""
    from ansible.executor.task_executor import start_connection

    with _LOADER_LOCK:
        conn = _configured(action, host, variables)
    return start_connection(conn._play_context, conn.get_options(), action._task._uuid)
