"""Emulated Juniper vSRX/SRX (Junos 23.x flavour): NETCONF server, operational/configuration CLI,
schema-validated configuration hierarchy, real-format show output.  Shares no code with plugins/."""

from .device import JunosDevice

__all__ = ["JunosDevice"]
