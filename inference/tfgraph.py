"""Frozen TensorFlow graphs (GraphDef .pb) without TensorFlow.

The TensorFlow protocol buffers that `tensorboard` ships (tensorboard.compat.proto) are enough to
write the same frozen-graph format the DeepRacer training stack exports: every variable is a Const
node holding its weights, and the graph keeps rl_coach's tensor names, so OpenVINO's TensorFlow
frontend, the original `mo_tf.py` and any tool that looks for the DeepRacer input names all read it.

The DeepRacer "shallow" network (DEEP_CONVOLUTIONAL_NETWORK_SHALLOW), per camera input:
    input / 255 -> Conv(32, 8x8, stride 4) -> ReLU -> Conv(64, 4x4, /2) -> ReLU -> Conv(64, 3x3, /1)
    -> ReLU -> flatten (VALID padding, 120x160 -> 11x16x64 = 11264 features)
LiDAR inputs use two dense layers (256, 256). The embeddings of all inputs (sorted by input name, as
rl_coach does) are concatenated and fed to the middleware Dense(512)+ReLU, then the head:
    clipped PPO, discrete:   Dense(num_actions) -> softmax            .../network_1/ppo_head_0/policy
    clipped PPO, continuous: Dense(2) (the Gaussian mean)             .../network_1/ppo_head_0/policy
    SAC:                     Dense(2) -> tanh (the squashed mean)     .../network_0/sac_policy_head_0/policy
Inputs are placeholders `main_level/agent/{main|policy}/online/network_0/{SENSOR}/{SENSOR}`, shaped
[-1, 120, 160, C] (C = 1 per camera, 2 for STEREO_CAMERAS) or [-1, N] for LiDAR. Like rl_coach's
separate-networks-per-head PPO, the policy path lives in network_1 and reuses network_0's placeholders.
The full-size camera model is about 23 MB (the 11264x512 middleware kernel dominates).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from inference.metadata import (
    CAMERA_SENSORS,
    LIDAR_SENSORS,
    SENSORS,
    input_tensor_name,
)
from vehicle.model_load import MODEL_IMAGE_HEIGHT, MODEL_IMAGE_WIDTH

SHALLOW_CONV_LAYERS: tuple[tuple[int, int, int], ...] = ((32, 8, 4), (64, 4, 2), (64, 3, 1))
LIDAR_DENSE_LAYERS: tuple[int, ...] = (256, 256)
MIDDLEWARE_UNITS = 512
PPO_OUTPUT = "main_level/agent/main/online/network_1/ppo_head_0/policy"
SAC_OUTPUT = "main_level/agent/policy/online/network_0/sac_policy_head_0/policy"


def _protos() -> Any:
    from tensorboard.compat.proto import (
        attr_value_pb2,
        graph_pb2,
        node_def_pb2,
        tensor_pb2,
        tensor_shape_pb2,
        types_pb2,
    )

    class P:
        attr = attr_value_pb2
        graph = graph_pb2
        node = node_def_pb2
        tensor = tensor_pb2
        shape = tensor_shape_pb2
        types = types_pb2

    return P


_DTYPES = {np.dtype(np.float32): "DT_FLOAT", np.dtype(np.int32): "DT_INT32", np.dtype(np.int64): "DT_INT64"}


class GraphBuilder:
    """Appends TensorFlow NodeDefs to a GraphDef; every method returns the new node's name."""

    def __init__(self) -> None:
        self._p = _protos()
        self.graph = self._p.graph.GraphDef()
        self.graph.versions.producer = 27  # TensorFlow 1.x era, as the DeepRacer exports
        self._names: set[str] = set()

    # ---- attribute helpers ----
    def _dtype(self, dtype: Any) -> int:
        return int(self._p.types.DataType.Value(_DTYPES[np.dtype(dtype)]))

    def _type_attr(self, dtype: Any = np.float32) -> Any:
        return self._p.attr.AttrValue(type=self._dtype(dtype))

    def _shape(self, dims: Sequence[int | None]) -> Any:
        shape = self._p.shape.TensorShapeProto()
        for d in dims:
            shape.dim.add(size=-1 if d is None else int(d))
        return shape

    def _tensor(self, array: np.ndarray) -> Any:
        array = np.ascontiguousarray(array)
        return self._p.tensor.TensorProto(dtype=self._dtype(array.dtype), tensor_shape=self._shape(array.shape),
                                          tensor_content=array.tobytes())

    def _ints(self, values: Iterable[int]) -> Any:
        return self._p.attr.AttrValue(list=self._p.attr.AttrValue.ListValue(i=list(values)))

    def _add(self, op: str, name: str, inputs: Sequence[str] = (), **attrs: Any) -> str:
        if name in self._names:
            raise ValueError(f"duplicate node name {name}")
        self._names.add(name)
        node = self.graph.node.add(op=op, name=name)
        node.input.extend(inputs)
        for key, value in attrs.items():
            node.attr[key].CopyFrom(value)
        return name

    # ---- ops ----
    def placeholder(self, name: str, shape: Sequence[int | None], dtype: Any = np.float32) -> str:
        return self._add("Placeholder", name, dtype=self._type_attr(dtype),
                         shape=self._p.attr.AttrValue(shape=self._shape(shape)))

    def const(self, name: str, value: Any, dtype: Any = np.float32) -> str:
        array = np.asarray(value, dtype=dtype)
        return self._add("Const", name, dtype=self._type_attr(array.dtype),
                         value=self._p.attr.AttrValue(tensor=self._tensor(array)))

    def variable(self, name: str, value: np.ndarray) -> str:
        """A frozen variable: Const `name` plus the `name/read` Identity that tf.Variable creates."""
        self.const(name, value)
        return self.identity(f"{name}/read", name)

    def identity(self, name: str, x: str) -> str:
        return self._add("Identity", name, [x], T=self._type_attr())

    def unary(self, op: str, name: str, x: str) -> str:
        return self._add(op, name, [x], T=self._type_attr())

    def binary(self, op: str, name: str, x: str, y: str) -> str:
        return self._add(op, name, [x, y], T=self._type_attr())

    def conv2d(self, name: str, x: str, kernel: str, stride: int, padding: str = "VALID") -> str:
        return self._add("Conv2D", name, [x, kernel], T=self._type_attr(), strides=self._ints([1, stride, stride, 1]),
                         padding=self._p.attr.AttrValue(s=padding.encode()),
                         data_format=self._p.attr.AttrValue(s=b"NHWC"), dilations=self._ints([1, 1, 1, 1]),
                         use_cudnn_on_gpu=self._p.attr.AttrValue(b=True))

    def bias_add(self, name: str, x: str, bias: str) -> str:
        return self._add("BiasAdd", name, [x, bias], T=self._type_attr(), data_format=self._p.attr.AttrValue(s=b"NHWC"))

    def matmul(self, name: str, x: str, w: str) -> str:
        return self._add("MatMul", name, [x, w], T=self._type_attr(), transpose_a=self._p.attr.AttrValue(b=False),
                         transpose_b=self._p.attr.AttrValue(b=False))

    def reshape(self, name: str, x: str, shape: Sequence[int]) -> str:
        target = self.const(f"{name}/shape", np.asarray(shape, dtype=np.int32), dtype=np.int32)
        return self._add("Reshape", name, [x, target], T=self._type_attr(), Tshape=self._type_attr(np.int32))

    def concat(self, name: str, xs: Sequence[str], axis: int = -1) -> str:
        axis_node = self.const(f"{name}/axis", np.asarray(axis, dtype=np.int32), dtype=np.int32)
        return self._add("ConcatV2", name, [*xs, axis_node], N=self._p.attr.AttrValue(i=len(xs)),
                         T=self._type_attr(), Tidx=self._type_attr(np.int32))

    def to_bytes(self) -> bytes:
        return bytes(self.graph.SerializeToString())


# --------------------------------------------------------------------------------------------------
# the DeepRacer shallow network


@dataclass(frozen=True)
class ShallowNetworkSpec:
    sensors: tuple[str, ...] = ("FRONT_FACING_CAMERA",)
    training_algorithm: str = "clipped_ppo"        # or "sac"
    action_space_type: str = "discrete"            # or "continuous"
    num_actions: int = 5                           # discrete; continuous heads always have 2 outputs
    image_height: int = MODEL_IMAGE_HEIGHT
    image_width: int = MODEL_IMAGE_WIDTH
    lidar_size: int = 64
    conv_layers: tuple[tuple[int, int, int], ...] = SHALLOW_CONV_LAYERS
    lidar_layers: tuple[int, ...] = LIDAR_DENSE_LAYERS
    middleware_units: int = MIDDLEWARE_UNITS
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for s in self.sensors:
            if s not in SENSORS:
                raise ValueError(f"unknown sensor {s!r}")
        if self.training_algorithm not in ("clipped_ppo", "sac"):
            raise ValueError("training_algorithm must be clipped_ppo or sac")
        if self.action_space_type not in ("discrete", "continuous"):
            raise ValueError("action_space_type must be discrete or continuous")
        if self.training_algorithm == "sac" and self.action_space_type != "continuous":
            raise ValueError("SAC needs a continuous action space")

    @property
    def head(self) -> str:
        return "policy" if self.training_algorithm == "sac" else "main"

    @property
    def prefix(self) -> str:
        return f"main_level/agent/{self.head}/online"

    @property
    def policy_network(self) -> str:
        """PPO keeps the policy in network_1 (network_0 is the value network); SAC has one network."""
        return "network_0" if self.training_algorithm == "sac" else "network_1"

    @property
    def outputs(self) -> int:
        return self.num_actions if self.action_space_type == "discrete" else 2

    @property
    def output_name(self) -> str:
        return SAC_OUTPUT if self.training_algorithm == "sac" else PPO_OUTPUT

    def input_name(self, sensor: str) -> str:
        return input_tensor_name(sensor, self.training_algorithm)

    def input_shape(self, sensor: str) -> tuple[int, ...]:
        """Shape of one sample (without the batch dimension), NHWC for images."""
        if sensor in LIDAR_SENSORS:
            return (self.lidar_size,)
        channels = 2 if sensor == "STEREO_CAMERAS" else 1
        return (self.image_height, self.image_width, channels)

    def sorted_sensors(self) -> list[str]:
        return sorted(self.sensors)

    def conv_output_size(self) -> int:
        h, w = self.image_height, self.image_width
        channels = 1
        for filters, kernel, stride in self.conv_layers:
            h, w, channels = (h - kernel) // stride + 1, (w - kernel) // stride + 1, filters
        if h < 1 or w < 1:
            raise ValueError("image too small for the convolution stack")
        return h * w * channels

    def embedding_size(self, sensor: str) -> int:
        if sensor in LIDAR_SENSORS:
            return self.lidar_layers[-1] if self.lidar_layers else self.lidar_size
        return self.conv_output_size()

    def weight_shapes(self) -> dict[str, tuple[int, ...]]:
        """Names (relative to the policy network scope) and shapes of every weight tensor."""
        shapes: dict[str, tuple[int, ...]] = {}
        for sensor in self.sorted_sensors():
            if sensor in LIDAR_SENSORS:
                units_in = self.lidar_size
                for i, units in enumerate(self.lidar_layers):
                    shapes[f"{sensor}/Dense_{i}/kernel"] = (units_in, units)
                    shapes[f"{sensor}/Dense_{i}/bias"] = (units,)
                    units_in = units
            else:
                channels = self.input_shape(sensor)[2]
                for i, (filters, kernel, _stride) in enumerate(self.conv_layers):
                    shapes[f"{sensor}/Conv2d_{i}/kernel"] = (kernel, kernel, channels, filters)  # HWIO
                    shapes[f"{sensor}/Conv2d_{i}/bias"] = (filters,)
                    channels = filters
        merged = sum(self.embedding_size(s) for s in self.sensors)
        shapes["middleware_fc_embedder/Dense_0/kernel"] = (merged, self.middleware_units)
        shapes["middleware_fc_embedder/Dense_0/bias"] = (self.middleware_units,)
        head = self.head_scope
        shapes[f"{head}/{self.head_layer}/kernel"] = (self.middleware_units, self.outputs)
        shapes[f"{head}/{self.head_layer}/bias"] = (self.outputs,)
        return shapes

    @property
    def head_scope(self) -> str:
        return "sac_policy_head_0" if self.training_algorithm == "sac" else "ppo_head_0"

    @property
    def head_layer(self) -> str:
        return "policy_fc" if self.action_space_type == "discrete" else "policy_mean"


def random_weights(spec: ShallowNetworkSpec, seed: int = 0) -> dict[str, np.ndarray]:
    """He-initialised weights (small random biases) so that outputs depend on the input."""
    rng = np.random.default_rng(seed)
    weights: dict[str, np.ndarray] = {}
    for name, shape in spec.weight_shapes().items():
        if name.endswith("/bias"):
            weights[name] = rng.normal(0.0, 0.05, size=shape).astype(np.float32)
        else:
            fan_in = int(np.prod(shape[:-1]))
            weights[name] = (rng.standard_normal(size=shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)
    return weights


def build_shallow_graph(spec: ShallowNetworkSpec, weights: Mapping[str, np.ndarray]) -> GraphBuilder:
    shapes = spec.weight_shapes()
    for name, shape in shapes.items():
        if name not in weights:
            raise ValueError(f"missing weight {name}")
        if tuple(np.shape(weights[name])) != shape:
            raise ValueError(f"weight {name} has shape {np.shape(weights[name])}, expected {shape}")
    g = GraphBuilder()
    inputs = {s: g.placeholder(spec.input_name(s), (None, *spec.input_shape(s))) for s in spec.sensors}
    net = f"{spec.prefix}/{spec.policy_network}"

    def w(rel: str) -> str:
        return g.variable(f"{net}/{rel}", np.asarray(weights[rel], dtype=np.float32))

    embeddings: list[str] = []
    for sensor in spec.sorted_sensors():
        scope = f"{net}/{sensor}"
        x = inputs[sensor]
        if sensor in LIDAR_SENSORS:
            for i, _units in enumerate(spec.lidar_layers):
                layer = f"{scope}/Dense_{i}"
                x = g.matmul(f"{layer}/MatMul", x, w(f"{sensor}/Dense_{i}/kernel"))
                x = g.bias_add(f"{layer}/BiasAdd", x, w(f"{sensor}/Dense_{i}/bias"))
                x = g.unary("Relu", f"{layer}/Relu", x)
        else:
            x = g.binary("RealDiv", f"{scope}/truediv", x, g.const(f"{scope}/truediv/y", np.float32(255.0)))
            for i, (_filters, _kernel, stride) in enumerate(spec.conv_layers):
                layer = f"{scope}/Conv2d_{i}"
                x = g.conv2d(f"{layer}/Conv2D", x, w(f"{sensor}/Conv2d_{i}/kernel"), stride)
                x = g.bias_add(f"{layer}/BiasAdd", x, w(f"{sensor}/Conv2d_{i}/bias"))
                x = g.unary("Relu", f"{layer}/Relu", x)
            x = g.reshape(f"{scope}/Flatten/flatten/Reshape", x, [-1, spec.conv_output_size()])
        embeddings.append(x)
    merged = embeddings[0] if len(embeddings) == 1 else g.concat(f"{net}/merger", embeddings)
    layer = f"{net}/middleware_fc_embedder/Dense_0"
    x = g.matmul(f"{layer}/MatMul", merged, w("middleware_fc_embedder/Dense_0/kernel"))
    x = g.bias_add(f"{layer}/BiasAdd", x, w("middleware_fc_embedder/Dense_0/bias"))
    x = g.unary("Relu", f"{layer}/Relu", x)
    head = f"{net}/{spec.head_scope}"
    rel = f"{spec.head_scope}/{spec.head_layer}"
    x = g.matmul(f"{head}/{spec.head_layer}/MatMul", x, w(f"{rel}/kernel"))
    x = g.bias_add(f"{head}/{spec.head_layer}/BiasAdd", x, w(f"{rel}/bias"))
    if spec.action_space_type == "discrete":
        g.unary("Softmax", spec.output_name, x)
    elif spec.training_algorithm == "sac":
        g.unary("Tanh", spec.output_name, x)
    else:
        g.identity(spec.output_name, x)
    return g


def shallow_graph_bytes(spec: ShallowNetworkSpec, weights: Mapping[str, np.ndarray]) -> bytes:
    return build_shallow_graph(spec, weights).to_bytes()


def write_graph(path: str | Path, data: bytes) -> Path:
    from runtime.atomic import atomic_write_bytes

    atomic_write_bytes(path, data)
    return Path(path)


def default_action_space(spec: ShallowNetworkSpec) -> list[dict[str, float]] | dict[str, dict[str, float]]:
    if spec.action_space_type == "continuous":
        return {"steering_angle": {"low": -30.0, "high": 30.0}, "speed": {"low": 0.5, "high": 1.0}}
    n = spec.num_actions
    angles = np.linspace(-30.0, 30.0, n) if n > 1 else np.zeros(1)
    return [{"steering_angle": float(a), "speed": 0.5 if i % 2 else 1.0, "index": i} for i, a in enumerate(angles)]


def model_metadata(spec: ShallowNetworkSpec, action_space: Any = None, version: str = "5") -> dict[str, Any]:
    data: dict[str, Any] = {
        "action_space": default_action_space(spec) if action_space is None else action_space,
        "sensor": list(spec.sensors),
        "neural_network": "DEEP_CONVOLUTIONAL_NETWORK_SHALLOW",
        "training_algorithm": spec.training_algorithm,
        "action_space_type": spec.action_space_type,
        "version": version,
    }
    if any(s in LIDAR_SENSORS for s in spec.sensors):
        sector = "SECTOR_LIDAR" in spec.sensors
        data["lidar_config"] = {
            "num_values": 64 if sector else spec.lidar_size,
            "min_angle": -150.0, "max_angle": 150.0, "min_distance": 0.15, "max_distance": 0.5,
            "clipping_distance": 0.5 if sector else 1.0, "num_sectors": spec.lidar_size,
            "preprocess_type": 1 if sector else 0,
        }
    data.update(spec.extra)
    return data


def write_model_folder(folder: str | Path, spec: ShallowNetworkSpec, weights: Mapping[str, np.ndarray] | None = None,
                       action_space: Any = None, graph_name: str = "model.pb") -> Path:
    """A model folder as on the car: model.pb, model_metadata.json and checksum.txt (md5 of the graph)."""
    from runtime.atomic import atomic_write_json, atomic_write_text

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    data = shallow_graph_bytes(spec, weights if weights is not None else random_weights(spec))
    write_graph(folder / graph_name, data)
    atomic_write_json(folder / "model_metadata.json", model_metadata(spec, action_space))
    atomic_write_text(folder / "checksum.txt", hashlib.md5(data).hexdigest() + "\n")
    return folder / graph_name


# --------------------------------------------------------------------------------------------------
# reading


def read_graph(data: bytes) -> Any:
    """Parse a GraphDef; raises ValueError when the bytes are not one."""
    from google.protobuf.message import DecodeError

    graph = _protos().graph.GraphDef()
    try:
        graph.ParseFromString(data)
    except (DecodeError, RuntimeError, ValueError) as exc:
        raise ValueError(f"not a TensorFlow frozen graph ({exc})") from None
    if not graph.node:
        raise ValueError("not a TensorFlow frozen graph (no nodes)")
    return graph


def graph_placeholders(graph: Any) -> dict[str, tuple[int, ...] | None]:
    """Placeholder name -> shape (-1 for unknown dims; None when the rank is unknown)."""
    result: dict[str, tuple[int, ...] | None] = {}
    for node in graph.node:
        if node.op in ("Placeholder", "PlaceholderV2"):
            shape = node.attr["shape"].shape if "shape" in node.attr else None
            if shape is None or shape.unknown_rank:
                result[node.name] = None
            else:
                result[node.name] = tuple(int(d.size) for d in shape.dim)
    return result


def sensor_of_input(name: str) -> str | None:
    """The DeepRacer sensor an input tensor name belongs to (the original's substring rule)."""
    for sensor in ("STEREO_CAMERAS", "SECTOR_LIDAR", "FRONT_FACING_CAMERA", "LEFT_CAMERA", "LIDAR", "observation"):
        if sensor in name:
            return sensor
    return None


def describe_inputs(graph: Any) -> str:
    return json.dumps({k: list(v) if v else v for k, v in graph_placeholders(graph).items()})


__all__ = [
    "CAMERA_SENSORS",
    "GraphBuilder",
    "ShallowNetworkSpec",
    "build_shallow_graph",
    "graph_placeholders",
    "model_metadata",
    "random_weights",
    "read_graph",
    "sensor_of_input",
    "shallow_graph_bytes",
    "write_graph",
    "write_model_folder",
]
