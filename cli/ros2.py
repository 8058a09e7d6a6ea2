"""A `ros2` command with the subset fleet tools use on the car (the real CLI is not on PyPI).

    ros2 service call SERVICE TYPE [VALUES]      e.g. "{red: 0, green: 0, blue: 9999825}"
    ros2 service list [-t]
    ros2 topic list [-t]
    ros2 topic echo TOPIC [TYPE] [--once]
    ros2 topic pub TOPIC TYPE [VALUES] [--once | -1] [-r RATE] [-t TIMES]
    ros2 node list
    ros2 param get NODE NAME

Same argument syntax and the same output shape as the real tool. Installed as `ros2` only where
no system ROS 2 provides one (see scripts/bootstrap.sh).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from rclpy.client import Client

DISCOVERY_S = 2.0


# -- interface types and values -------------------------------------------------------------------
def import_type(name: str, kind: str) -> Any:
    """`pkg/srv/Name`, `pkg/Name` or `pkg.srv.Name` -> the generated Python class."""
    parts = name.replace(".", "/").split("/")
    if len(parts) == 2:
        parts = [parts[0], kind, parts[1]]
    if len(parts) != 3:
        raise SystemExit(f"The passed {kind} type '{name}' is invalid")
    pkg, sub, cls = parts
    try:
        return getattr(importlib.import_module(f"{pkg}.{sub}"), cls)
    except (ImportError, AttributeError):
        raise SystemExit(f"The passed {kind} type '{name}' is invalid") from None


def parse_values(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        values = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SystemExit(f"The passed value needs to be a dictionary in YAML format: {exc}") from None
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise SystemExit("The passed value needs to be a dictionary in YAML format")
    return values


def set_fields(msg: Any, values: dict[str, Any]) -> Any:
    fields = msg.get_fields_and_field_types()
    for key, value in values.items():
        if key not in fields:
            raise SystemExit(f"Failed to populate field: '{type(msg).__name__}' object has no attribute '{key}'")
        current = getattr(msg, key)
        if isinstance(value, dict) and hasattr(current, "get_fields_and_field_types"):
            set_fields(current, value)
            continue
        field_type = fields[key]
        try:
            if isinstance(value, list) and field_type.startswith("sequence<") and "/" in field_type:
                inner = field_type[len("sequence<"):].rstrip(">").split(",")[0]
                pkg, cls = inner.split("/")
                elem_cls = getattr(importlib.import_module(f"{pkg}.msg"), cls)
                value = [set_fields(elem_cls(), v) for v in value]
            elif isinstance(value, int) and field_type in ("float", "double"):
                value = float(value)
            setattr(msg, key, value)
        except (AssertionError, TypeError, ValueError) as exc:
            raise SystemExit(f"Failed to populate field '{key}': {exc}") from None
    return msg


def to_plain(msg: Any) -> Any:
    if hasattr(msg, "get_fields_and_field_types"):
        return {k: to_plain(getattr(msg, k)) for k in msg.get_fields_and_field_types()}
    if isinstance(msg, (list, tuple)):
        return [to_plain(v) for v in msg]
    if hasattr(msg, "tolist"):
        return msg.tolist()
    if isinstance(msg, (bytes, bytearray)):
        return list(msg)
    return msg


def to_yaml(msg: Any) -> str:
    return yaml.safe_dump(to_plain(msg), default_flow_style=False, sort_keys=False, width=10**6)


# -- a node for one command -----------------------------------------------------------------------
class _Session:
    def __init__(self) -> None:
        import rclpy
        from rclpy.executors import SingleThreadedExecutor

        self.rclpy = rclpy
        self.context = rclpy.Context()
        rclpy.init(context=self.context)
        self.node = rclpy.create_node(f"_ros2cli_{os.getpid()}", context=self.context,
                                      start_parameter_services=False)
        self.executor = SingleThreadedExecutor(context=self.context)
        self.executor.add_node(self.node)

    def spin_for(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.executor.spin_once(timeout_sec=0.05)

    def wait_future(self, future: Any, timeout: float | None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        while not future.done():
            if deadline is not None and time.monotonic() > deadline:
                return False
            self.executor.spin_once(timeout_sec=0.05)
        return True

    def close(self) -> None:
        self.executor.shutdown()
        self.node.destroy_node()
        self.rclpy.shutdown(context=self.context)


def _settle(session: _Session, timeout: float = 5.0) -> None:
    """Spin until the graph is complete: every discovered node's endpoints are known and no new
    node appeared for a while (the real CLI asks its daemon; we have none, so we listen briefly).

    Node names and endpoints arrive separately in DDS discovery; every rclpy node publishes /rosout,
    so a node without any known publisher has not been fully discovered yet. Participants announce
    themselves every 0.5 s (runtime/dds/fastdds_profile.xml), which bounds the quiet period.
    """
    own = session.node.get_name()
    start = time.monotonic()
    last_change = start
    known: set[tuple[str, str]] = set()
    while time.monotonic() - start < timeout:
        session.executor.spin_once(timeout_sec=0.05)
        nodes = {(n, ns) for n, ns in session.node.get_node_names_and_namespaces() if n != own}
        now = time.monotonic()
        if nodes != known:
            known, last_change = nodes, now
            continue
        if now - start < 1.2 or now - last_change < 0.3:
            continue
        try:
            if all(session.node.get_publisher_names_and_types_by_node(n, ns) for n, ns in nodes):
                return
        except Exception:  # a node vanished between the two calls
            continue


def _discover(session: _Session, lister: Any, wanted: str | None = None) -> list[tuple[str, list[str]]]:
    deadline = time.monotonic() + DISCOVERY_S * 2
    _settle(session)
    items = lister()
    while wanted is not None and not any(name == wanted for name, _ in items) and time.monotonic() < deadline:
        session.executor.spin_once(timeout_sec=0.05)
        items = lister()
    return items


# -- commands -------------------------------------------------------------------------------------
def service_call(args: argparse.Namespace) -> int:
    srv_type = import_type(args.service_type, "srv")
    request = set_fields(srv_type.Request(), parse_values(args.values))
    session = _Session()
    try:
        # a type named on the command line: its request and response are known only at run time
        client: Client[object, object] = session.node.create_client(srv_type, args.service_name)
        if not client.wait_for_service(timeout_sec=DISCOVERY_S):
            print("waiting for service to become available...", flush=True)
            while not client.wait_for_service(timeout_sec=1.0):
                pass
        print(f"requester: making request: {request!r}\n")
        future = client.call_async(request)
        session.wait_future(future, None)
        print("response:")
        print(f"{future.result()!r}\n")
        return 0
    finally:
        session.close()


def service_list(args: argparse.Namespace) -> int:
    session = _Session()
    try:
        services = _discover(session, session.node.get_service_names_and_types)
        for name, types in sorted(services):
            print(f"{name} [{', '.join(types)}]" if args.show_types else name)
        return 0
    finally:
        session.close()


def topic_list(args: argparse.Namespace) -> int:
    session = _Session()
    try:
        topics = _discover(session, session.node.get_topic_names_and_types)
        for name, types in sorted(topics):
            print(f"{name} [{', '.join(types)}]" if args.show_types else name)
        return 0
    finally:
        session.close()


def topic_echo(args: argparse.Namespace) -> int:
    from rclpy.qos import QoSProfile, ReliabilityPolicy

    session = _Session()
    try:
        type_name = args.message_type
        if not type_name:
            topics = dict(_discover(session, session.node.get_topic_names_and_types, args.topic_name))
            if args.topic_name not in topics:
                print(f"Could not determine the type for the passed topic {args.topic_name}", file=sys.stderr)
                return 1
            type_name = topics[args.topic_name][0]
        msg_type = import_type(type_name, "msg")
        got = threading.Event()
        count = [0]

        def on_msg(msg: Any) -> None:
            if args.once and count[0]:
                return
            count[0] += 1
            print(to_yaml(msg) + "---", flush=True)
            if args.once:
                got.set()

        qos = QoSProfile(depth=10, reliability=ReliabilityPolicy.BEST_EFFORT)
        session.node.create_subscription(msg_type, args.topic_name, on_msg, qos)
        while not got.is_set():
            session.executor.spin_once(timeout_sec=0.1)
        return 0
    finally:
        session.close()


def topic_pub(args: argparse.Namespace) -> int:
    msg_type = import_type(args.message_type, "msg")
    msg = set_fields(msg_type(), parse_values(args.values))
    times = 1 if args.once else args.times
    session = _Session()
    try:
        pub = session.node.create_publisher(msg_type, args.topic_name, 10)
        print("publisher: beginning loop", flush=True)
        # Give late subscribers the chance to match before the first message, as the real tool does.
        deadline = time.monotonic() + (args.wait_matching or 0.0)
        while pub.get_subscription_count() == 0 and time.monotonic() < deadline:
            session.spin_for(0.05)
        sent = 0
        period = 1.0 / args.rate if args.rate > 0 else 1.0
        while times == 0 or sent < times:
            sent += 1
            print(f"publishing #{sent}: {msg!r}\n", flush=True)
            pub.publish(msg)
            if times and sent >= times:
                break
            session.spin_for(period)
        session.spin_for(0.2)  # let the last message leave before the node goes away
        return 0
    finally:
        session.close()


def node_list(args: argparse.Namespace) -> int:
    session = _Session()
    try:
        own = session.node.get_name()
        _settle(session)
        names = {(ns.rstrip("/") + "/" + n) for n, ns in session.node.get_node_names_and_namespaces() if n != own}
        for name in sorted(names):
            print(name)
        return 0
    finally:
        session.close()


_PARAM_LABELS = {1: "Boolean", 2: "Integer", 3: "Double", 4: "String", 5: "Byte array",
                 6: "Boolean array", 7: "Integer array", 8: "Double array", 9: "String array"}


def param_get(args: argparse.Namespace) -> int:
    from rcl_interfaces.srv import GetParameters

    node_name = args.node_name if args.node_name.startswith("/") else "/" + args.node_name
    session = _Session()
    try:
        client: Client[GetParameters.Request, GetParameters.Response] = session.node.create_client(
            GetParameters, f"{node_name}/get_parameters")
        if not client.wait_for_service(timeout_sec=DISCOVERY_S + 3):
            print("Node not found", file=sys.stderr)
            return 1
        future = client.call_async(GetParameters.Request(names=[args.parameter_name]))
        if not session.wait_future(future, 10.0):
            print("Exception while calling service of node: timed out", file=sys.stderr)
            return 1
        response = future.result()
        if response is None:
            print("Exception while calling service of node: no response", file=sys.stderr)
            return 1
        values = response.values
        if not values or values[0].type == 0:
            print("Parameter not set.")
            return 1
        pv = values[0]
        field = {1: "bool_value", 2: "integer_value", 3: "double_value", 4: "string_value",
                 5: "byte_array_value", 6: "bool_array_value", 7: "integer_array_value",
                 8: "double_array_value", 9: "string_array_value"}[pv.type]
        value = getattr(pv, field)
        if hasattr(value, "tolist"):
            value = value.tolist()
        elif isinstance(value, (list, tuple)):
            value = list(value)
        print(f"{_PARAM_LABELS[pv.type]} value is: {value}")
        return 0
    finally:
        session.close()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ros2", description="ROS 2 command subset of the DeepRacer stack")
    verbs = parser.add_subparsers(dest="verb", metavar="COMMAND")
    verbs.required = True

    service = verbs.add_parser("service", help="service commands").add_subparsers(dest="sub", metavar="VERB")
    service.required = True
    call = service.add_parser("call", help="call a service")
    call.add_argument("service_name")
    call.add_argument("service_type")
    call.add_argument("values", nargs="?", default="{}")
    call.set_defaults(func=service_call)
    slist = service.add_parser("list", help="list services")
    slist.add_argument("-t", "--show-types", action="store_true")
    slist.set_defaults(func=service_list)

    topic = verbs.add_parser("topic", help="topic commands").add_subparsers(dest="sub", metavar="VERB")
    topic.required = True
    tlist = topic.add_parser("list", help="list topics")
    tlist.add_argument("-t", "--show-types", action="store_true")
    tlist.set_defaults(func=topic_list)
    echo = topic.add_parser("echo", help="print messages of a topic")
    echo.add_argument("topic_name")
    echo.add_argument("message_type", nargs="?")
    echo.add_argument("--once", action="store_true")
    echo.set_defaults(func=topic_echo)
    pub = topic.add_parser("pub", help="publish a message")
    pub.add_argument("topic_name")
    pub.add_argument("message_type")
    pub.add_argument("values", nargs="?", default="{}")
    pub.add_argument("-1", "--once", action="store_true")
    pub.add_argument("-r", "--rate", type=float, default=1.0)
    pub.add_argument("-t", "--times", type=int, default=0)
    pub.add_argument("-w", "--wait-matching", type=float, default=3.0,
                     help="seconds to wait for a subscriber before the first message")
    pub.set_defaults(func=topic_pub)

    node = verbs.add_parser("node", help="node commands").add_subparsers(dest="sub", metavar="VERB")
    node.required = True
    nlist = node.add_parser("list", help="list nodes")
    nlist.set_defaults(func=node_list)

    param = verbs.add_parser("param", help="parameter commands").add_subparsers(dest="sub", metavar="VERB")
    param.required = True
    get = param.add_parser("get", help="get a parameter")
    get.add_argument("node_name")
    get.add_argument("parameter_name")
    get.set_defaults(func=param_get)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        code = args.func(args)
    except KeyboardInterrupt:
        code = 0
    sys.exit(code)


if __name__ == "__main__":
    main()
