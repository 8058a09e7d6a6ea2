"""deepracer_systems_pkg: network monitor, model loader, software update and OTG nodes."""
