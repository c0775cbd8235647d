"""mplssec_lab: an embedded emulated lab of IOS-XE and Junos P routers with link physics.

One asyncio process (:mod:`mplssec_lab.server`) serves every emulated router over SSH on
127.0.0.1; :mod:`mplssec_lab.physics` derives protocol state from both ends' configurations.
The lab is the test oracle of the mplssec.p2p collection and shares no code with ``plugins/``.
"""
__version__ = "0.1.0"
