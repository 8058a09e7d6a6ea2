# Source from the repository root after set-up:  . ./env.sh
# Gives a shell whose python imports rclpy and deepracer_interfaces_pkg, with `deepracer` and `ros2`
# on PATH. Uses a system ROS 2 when ROS_DISTRO is set and /opt/ros/$ROS_DISTRO exists.
_dr_root="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")" && pwd)"
if [ -n "${ROS_DISTRO:-}" ] && [ -f "/opt/ros/${ROS_DISTRO}/setup.bash" ]; then
  . "/opt/ros/${ROS_DISTRO}/setup.bash"
fi
. "$_dr_root/.venv/bin/activate"
_dr_pyver="$(python -c 'import sys; print(f"python{sys.version_info[0]}.{sys.version_info[1]}")')"
_dr_pkg="$_dr_root/ros2_ws/install/deepracer_interfaces_pkg"
export PYTHONPATH="$_dr_pkg/lib/$_dr_pyver/site-packages${PYTHONPATH:+:$PYTHONPATH}"
export LD_LIBRARY_PATH="$_dr_pkg/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export AMENT_PREFIX_PATH="$_dr_pkg:${AMENT_PREFIX_PATH:-$VIRTUAL_ENV}"
export RMW_IMPLEMENTATION="${RMW_IMPLEMENTATION:-rmw_fastrtps_cpp}"
export DEEPRACER_REPO="$_dr_root"
# quicker DDS discovery on the car's loopback graph (see the file); a user's own profile wins
# a laptop's ROS graph stays on this machine (a car's services, started by systemd with the default
# range, are still found from such a shell on the car itself)
export ROS_AUTOMATIC_DISCOVERY_RANGE="${ROS_AUTOMATIC_DISCOVERY_RANGE:-LOCALHOST}"
export FASTDDS_DEFAULT_PROFILES_FILE="${FASTDDS_DEFAULT_PROFILES_FILE:-$_dr_root/runtime/dds/fastdds_profile.xml}"
unset _dr_root _dr_pyver _dr_pkg
