"""Runtime plumbing shared by every library: paths of the car's state and of the kernel
interfaces (all injectable so tests and the simulated car point them at temporary trees),
atomic file writes, and typed settings."""
