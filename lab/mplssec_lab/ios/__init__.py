"""Emulated Cisco IOS-XE router (Cat8000v / CSR1000v 17.x flavour) for mplssec_lab."""
from .device import IosDevice

__all__ = ["IosDevice"]
