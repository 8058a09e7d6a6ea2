"""The tests' fake `nmcli`/`iwgetid` is the simulated car's NetworkManager (drivers/sim/network_manager.py)."""

from drivers.sim.network_manager import FakeNetworkManager, SimNetworkManager, default_state

__all__ = ["FakeNetworkManager", "SimNetworkManager", "default_state"]
