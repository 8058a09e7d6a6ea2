"""The tests' fake `nmcli`/`iwgetid` is the simulated car's NetworkManager (sim/network_manager.py)."""

from sim.network_manager import FakeNetworkManager, SimNetworkManager, default_state

__all__ = ["FakeNetworkManager", "SimNetworkManager", "default_state"]
