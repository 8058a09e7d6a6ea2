"""Software updates of the car: release bundles, side-by-side installs, health check and rollback.

    bundle.py    `deepracer-<version>.tar.gz`: wheels, the built interface package, a manifest with
                 the sha256 of every file; building (make dist, tests) and verifying
    releases.py  `<prefix>/releases/<version>/` and the `current` link switched atomically
    health.py    is the restarted stack healthy: graph up, console answers, servo neutral
    updater.py   one update from a bundle: verify, refuse (checksum, architecture, downgrade), install,
                 switch, restart, health check, roll back by itself; progress for the console and the
                 original's software_update_* services; recovery after a power cut
    sources.py   where bundles come from: a USB stick's `updates/` folder, an upload, a package index
"""
