"""OpenVINO inference of DeepRacer models, with a compiled-IR cache next to the model.

- The TensorFlow frozen graph (`model.pb`) is read directly by OpenVINO's TensorFlow frontend (no
  TensorFlow, no Model Optimizer); ONNX graphs (`model.onnx`) work the same way.
- Inputs are found by the original rule: the input whose name contains STEREO_CAMERAS, SECTOR_LIDAR,
  FRONT_FACING_CAMERA, LEFT_CAMERA, LIDAR or observation (e.g.
  `main_level/agent/main/online/network_0/FRONT_FACING_CAMERA/FRONT_FACING_CAMERA`). The batch
  dimension is pinned to 1; unknown dimensions come from the load request or the DeepRacer defaults.
- The output is the tensor named `.../policy` (PPO `network_1/ppo_head_0/policy`, SAC
  `network_0/sac_policy_head_0/policy`), else the first output, as the original.
- IR cache: `<stem>.xml`/`<stem>.bin` plus `<stem>.ir.json`, a stamp holding the md5 of the source
  graph, the OpenVINO version, the input shapes and a fingerprint of the IR files. The IR is used only
  when the stamp matches; any other `model.xml` (an IR v10 from OpenVINO 2021 shipped inside an archive,
  a stale conversion, a half-written file) is rebuilt from the graph, never trusted.
- Inference precision is pinned to f32 (INFERENCE_PRECISION_HINT) so results are reproducible across
  CPUs (bf16/f16 kernels would otherwise be chosen on some).
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import hashlib
import json
import os
import re
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from inference.errors import LoadErrorCode, ModelLoadError
from inference.metadata import LIDAR_SENSORS
from inference.tfgraph import sensor_of_input
from vehicle.model_load import MODEL_IMAGE_HEIGHT, MODEL_IMAGE_WIDTH

GRAPH_SUFFIXES = (".pb", ".onnx")
STAMP_SUFFIX = ".ir.json"
STAMP_FORMAT = 1
DEFAULT_DEVICE = "CPU"
DEFAULT_PRECISION = "f32"
_process_lock = threading.Lock()


def openvino_version() -> str:
    import openvino as ov

    return str(ov.get_version())


def file_md5(path: str | Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as handle:
        while True:
            block = handle.read(chunk)
            if not block:
                break
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class InputSpec:
    """One model input: which sensor feeds it and the exact array it takes."""

    name: str                      # tensor name without the ":0" suffix
    sensor: str
    shape: tuple[int, ...]         # full static shape, batch 1
    layout: str                    # "NHWC", "NCHW" or "NC"
    index: int = 0                 # port index in the model

    @property
    def is_lidar(self) -> bool:
        return self.sensor in LIDAR_SENSORS

    @property
    def height(self) -> int:
        return self.shape[1] if self.layout == "NHWC" else self.shape[2] if self.layout == "NCHW" else 0

    @property
    def width(self) -> int:
        return self.shape[2] if self.layout == "NHWC" else self.shape[3] if self.layout == "NCHW" else 0

    @property
    def channels(self) -> int:
        if self.layout == "NHWC":
            return self.shape[3]
        if self.layout == "NCHW":
            return self.shape[1]
        return self.shape[-1]


@dataclass
class PreparedModel:
    """The outcome of the optimizer step: a validated IR ready to be compiled."""

    source: Path | None            # model.pb / model.onnx (None for a bare IR without a source)
    xml: Path
    inputs: list[InputSpec]
    output: str
    rebuilt: bool
    source_md5: str = ""
    warnings: list[str] = field(default_factory=list)


def _layout_for(shape: Sequence[int], is_tf: bool) -> str:
    if len(shape) == 2:
        return "NC"
    if len(shape) != 4:
        raise ModelLoadError(f"input of rank {len(shape)} is not supported (expected an image or a vector)")
    if is_tf:
        return "NHWC"
    if shape[-1] in (1, 2, 3) and shape[1] not in (1, 2, 3):
        return "NHWC"
    return "NCHW" if shape[1] in (1, 2, 3) else "NHWC"


def _clean_name(names: set[str] | Sequence[str]) -> str:
    ordered = sorted(names, key=lambda n: (n.endswith(":0"), len(n)))
    name = ordered[0] if ordered else ""
    return name[:-2] if name.endswith(":0") else name


def _port_sensor(port: Any) -> tuple[str, str]:
    names = set(port.get_names())
    for name in sorted(names):
        sensor = sensor_of_input(name)
        if sensor is not None:
            return _clean_name(names), sensor
    raise ModelLoadError(
        f"model input {_clean_name(names) or '?'} is not a DeepRacer sensor input; input names must contain "
        "observation, FRONT_FACING_CAMERA, LEFT_CAMERA, STEREO_CAMERAS, LIDAR or SECTOR_LIDAR",
        LoadErrorCode.MODEL_INVALID)


def _default_dims(sensor: str, rank: int, nchw: bool, hints: Mapping[str, Sequence[int]]) -> list[int]:
    """Full shape for `sensor`: hints are given as [1, H, W, C] or [1, N]; NCHW graphs get them reordered."""
    if sensor in hints:
        dims = [int(d) for d in hints[sensor]]
    elif sensor in LIDAR_SENSORS:
        dims = [1, 64 if sensor == "LIDAR" else 8]
    else:
        dims = [1, MODEL_IMAGE_HEIGHT, MODEL_IMAGE_WIDTH, 2 if sensor == "STEREO_CAMERAS" else 1]
    if rank == 4 and len(dims) == 4 and nchw:
        dims = [dims[0], dims[3], dims[1], dims[2]]
    return dims


def _static_shapes(model: Any, is_tf: bool,
                   hints: Mapping[str, Sequence[int]]) -> tuple[dict[int, list[int]], list[str], bool]:
    """Port index -> full static shape; the graph's known dims win, hints fill the unknown ones.

    The last item tells whether any dimension came from the hints/defaults (then they key the cache).
    """
    shapes: dict[int, list[int]] = {}
    warnings: list[str] = []
    filled = False
    for index, port in enumerate(model.inputs):
        name, sensor = _port_sensor(port)
        partial = port.get_partial_shape()
        if partial.rank.is_dynamic:
            dims = _default_dims(sensor, 0, False, hints)
            filled = True
        else:
            rank = partial.rank.get_length()
            nchw = (not is_tf and rank == 4 and partial[1].is_static and partial[1].get_length() <= 3
                    and not (partial[3].is_static and partial[3].get_length() <= 3))
            fill = _default_dims(sensor, rank, nchw, hints)
            if len(fill) != rank:
                fill = _default_dims(sensor, rank, nchw, {})
            dims = []
            for axis in range(rank):
                d = partial[axis]
                want = int(fill[axis]) if axis < len(fill) else -1
                if axis == 0:
                    dims.append(1)
                elif d.is_static:
                    if want != d.get_length() and sensor in hints:
                        warnings.append(f"{name}: the model's size {d.get_length()} on axis {axis} is used, "
                                        f"not the requested {want}")
                    dims.append(d.get_length())
                else:
                    dims.append(want)
                    filled = True
        if any(d < 1 for d in dims):
            raise ModelLoadError(f"cannot tell the input size of {name}; give width/height/lidar_channels",
                                 LoadErrorCode.MODEL_INVALID)
        shapes[index] = dims
    return shapes, warnings, filled


def _select_output(model: Any) -> str:
    for port in model.outputs:
        for name in port.get_names():
            if re.search(r"/policy(:0)?$", name):
                return _clean_name(port.get_names())
    if not model.outputs:
        raise ModelLoadError("the model has no output", LoadErrorCode.MODEL_INVALID)
    return _clean_name(model.outputs[0].get_names())


def _input_specs(model: Any, is_tf: bool) -> list[InputSpec]:
    specs = []
    for index, port in enumerate(model.inputs):
        name, sensor = _port_sensor(port)
        partial = port.get_partial_shape()
        if partial.is_dynamic:
            raise ModelLoadError(f"input {name} has no static shape", LoadErrorCode.MODEL_INVALID)
        shape = tuple(int(d) for d in partial.to_shape())
        specs.append(InputSpec(name=name, sensor=sensor, shape=shape, layout=_layout_for(shape, is_tf), index=index))
    return specs


def find_source(path: str | Path) -> Path | None:
    """The graph a model artifact was built from: the path itself, or <stem>.pb/.onnx, or model.pb."""
    path = Path(path)
    if path.is_dir():
        candidates = [path / "model.pb", path / "model.onnx"]
        candidates += sorted(p for p in path.iterdir() if p.suffix in GRAPH_SUFFIXES)
    elif path.suffix in GRAPH_SUFFIXES:
        candidates = [path]
    else:
        candidates = [path.with_suffix(s) for s in GRAPH_SUFFIXES]
        candidates += [path.parent / "model.pb", path.parent / "model.onnx"]
    return next((c for c in candidates if c.is_file()), None)


def ir_paths(source: Path) -> tuple[Path, Path, Path]:
    stem = source.with_suffix("")
    return stem.with_suffix(".xml"), stem.with_suffix(".bin"), Path(f"{stem}{STAMP_SUFFIX}")


def _read_stamp(stamp: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(stamp.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _ir_fingerprint(xml: Path, bin_path: Path) -> dict[str, Any]:
    return {"xml_md5": file_md5(xml), "bin_size": bin_path.stat().st_size}


def ir_version(xml: Path) -> int | None:
    """The `<net version="N">` of an IR file (10 = OpenVINO 2021, 11 = 2022+)."""
    try:
        with open(xml, "rb") as handle:
            head = handle.read(4096).decode("utf-8", "replace")
    except OSError:
        return None
    match = re.search(r"<net\b[^>]*\bversion=\"(\d+)\"", head)
    return int(match.group(1)) if match else None


@contextlib.contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    with _process_lock:
        try:
            handle = open(folder / ".ir.lock", "a")
        except OSError:
            yield
            return
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield
        finally:
            handle.close()


_shared_core: Any = None
_core_lock = threading.Lock()


def _core() -> Any:
    """One OpenVINO Core per process (the optimizer and the inference node share its loaded plugin)."""
    global _shared_core
    with _core_lock:
        if _shared_core is None:
            import openvino as ov

            _shared_core = ov.Core()
        return _shared_core


def _shape_key(shapes: Mapping[str, Sequence[int]] | None) -> dict[str, list[int]]:
    return {k: [int(d) for d in v] for k, v in sorted((shapes or {}).items())}


def cache_status(source: str | Path, input_shapes: Mapping[str, Sequence[int]] | None = None) -> str:
    """"valid", "missing" or the reason the cached IR would be rebuilt (for logs and tests)."""
    source = Path(source)
    xml, bin_path, stamp_path = ir_paths(source)
    stamp = _read_stamp(stamp_path)
    if stamp is None:
        return "foreign IR (no stamp)" if xml.exists() else "missing"
    return _stamp_problem(stamp, source, file_md5(source), xml, bin_path, input_shapes) or "valid"


def _stamp_problem(stamp: Mapping[str, Any], source: Path, source_md5: str, xml: Path, bin_path: Path,
                   input_shapes: Mapping[str, Sequence[int]] | None) -> str | None:
    if stamp.get("format") != STAMP_FORMAT:
        return "unknown stamp format"
    if stamp.get("source") != source.name or stamp.get("source_md5") != source_md5:
        return "the graph changed"
    if stamp.get("openvino") != openvino_version():
        return f"built by OpenVINO {stamp.get('openvino')}"
    if input_shapes and stamp.get("hints") is not None and stamp.get("hints") != _shape_key(input_shapes):
        return "different input sizes requested"
    if not xml.is_file() or not bin_path.is_file():
        return "IR files missing"
    try:
        if _ir_fingerprint(xml, bin_path) != stamp.get("ir"):
            return "IR files do not match the stamp"
    except OSError:
        return "IR files unreadable"
    return None


def prepare_model(path: str | Path, input_shapes: Mapping[str, Sequence[int]] | None = None,
                  core: Any = None, log: Any = None) -> PreparedModel:
    """Build (or validate) the cached IR of a model; `path` is the graph, its folder or its model.xml.

    `input_shapes` maps sensor names to full shapes (batch first), used where the graph leaves a
    dimension unknown. Raises ModelLoadError with a code and a message a user can act on.
    """
    path = Path(path)
    if not path.exists() and not (path.suffix == ".xml" and path.parent.is_dir()):
        raise ModelLoadError(f"{path} does not exist", LoadErrorCode.NOT_FOUND)
    source = find_source(path)  # model.xml may be missing (deleted cache): rebuilt from model.pb
    if source is None:
        if path.suffix == ".xml" and path.is_file():
            return _prepare_bare_ir(path, core)
        raise ModelLoadError(f"no model graph (model.pb or model.onnx) found for {path}", LoadErrorCode.NOT_FOUND)
    xml, bin_path, stamp_path = ir_paths(source)
    folder = source.parent
    with _folder_lock(folder):
        source_md5 = file_md5(source)
        stamp = _read_stamp(stamp_path)
        if stamp is not None and _stamp_problem(stamp, source, source_md5, xml, bin_path, input_shapes) is None:
            inputs = [InputSpec(name=i["name"], sensor=i["sensor"], shape=tuple(i["shape"]), layout=i["layout"],
                                index=i["index"]) for i in stamp["inputs"]]
            return PreparedModel(source=source, xml=xml, inputs=inputs, output=stamp["output"], rebuilt=False,
                                 source_md5=source_md5)
        reason = "no cached IR" if stamp is None and not xml.exists() else (
            "foreign IR without a stamp" if stamp is None else
            _stamp_problem(stamp, source, source_md5, xml, bin_path, input_shapes))
        if log is not None:
            log(f"converting {source} ({reason})")
        try:
            return _convert(source, source_md5, xml, bin_path, stamp_path, input_shapes, core)
        finally:
            _trim_heap()


def _trim_heap() -> None:
    """Give the conversion's freed heap back to the OS (the TF frontend leaves ~100 MB in malloc arenas)."""
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def _convert(source: Path, source_md5: str, xml: Path, bin_path: Path, stamp_path: Path,
             input_shapes: Mapping[str, Sequence[int]] | None, core: Any) -> PreparedModel:
    import openvino as ov

    core = core or _core()
    is_tf = source.suffix == ".pb"
    try:
        model = core.read_model(str(source))
    except Exception as exc:  # OpenVINO raises RuntimeError/OVError subclasses
        kind = "TensorFlow frozen graph" if is_tf else "ONNX model"
        raise ModelLoadError(f"{source.name} cannot be read as a {kind}: {_first_line(exc)}",
                             LoadErrorCode.MODEL_INVALID) from None
    shapes, warnings, filled = _static_shapes(model, is_tf, input_shapes or {})
    try:
        model.reshape({model.inputs[i]: ov.PartialShape(dims) for i, dims in shapes.items()})
    except Exception as exc:
        raise ModelLoadError(f"{source.name}: the input sizes {list(shapes.values())} do not fit the model: "
                             f"{_first_line(exc)}", LoadErrorCode.MODEL_INVALID) from None
    inputs = _input_specs(model, is_tf)
    output = _select_output(model)
    tmp_xml = xml.with_name(f".{xml.stem}.tmp{os.getpid()}.xml")
    tmp_bin = tmp_xml.with_suffix(".bin")
    writable = os.access(source.parent, os.W_OK)
    if writable:
        try:
            ov.save_model(model, str(tmp_xml), compress_to_fp16=False)
            for p in (tmp_bin, tmp_xml):
                _fsync_file(p)
            with contextlib.suppress(FileNotFoundError):
                stamp_path.unlink()  # an old stamp must never vouch for the new files
            os.replace(tmp_bin, bin_path)
            os.replace(tmp_xml, xml)
            stamp = {
                "format": STAMP_FORMAT, "source": source.name, "source_md5": source_md5,
                "openvino": openvino_version(), "hints": _shape_key(input_shapes) if filled else None,
                "inputs": [{"name": i.name, "sensor": i.sensor, "shape": list(i.shape), "layout": i.layout,
                            "index": i.index} for i in inputs],
                "output": output, "ir": _ir_fingerprint(xml, bin_path), "created": time.time(),
            }
            from runtime.atomic import atomic_write_json

            atomic_write_json(stamp_path, stamp, indent=1)
        except OSError as exc:
            for p in (tmp_xml, tmp_bin):
                with contextlib.suppress(FileNotFoundError):
                    p.unlink()
            raise ModelLoadError(f"cannot write the converted model next to {source}: {exc.strerror}",
                                 LoadErrorCode.MODEL_INVALID) from None
        return PreparedModel(source=source, xml=xml, inputs=inputs, output=output, rebuilt=True,
                             source_md5=source_md5, warnings=warnings)
    raise ModelLoadError(f"the model folder {source.parent} is not writable; the converted model cannot be cached",
                         LoadErrorCode.MODEL_INVALID)


def _prepare_bare_ir(xml: Path, core: Any) -> PreparedModel:
    version = ir_version(xml)
    if version != 11:
        raise ModelLoadError(
            f"{xml.name} is an IR v{version or '?'} file without its model.pb; it cannot run reliably on "
            f"OpenVINO {openvino_version().split('-')[0]}. Upload the model archive with model.pb again.",
            LoadErrorCode.MODEL_INVALID)
    core = core or _core()
    try:
        model = core.read_model(str(xml))
    except Exception as exc:
        raise ModelLoadError(f"{xml.name} cannot be read: {_first_line(exc)}", LoadErrorCode.MODEL_INVALID) from None
    inputs = _input_specs(model, is_tf=False)
    return PreparedModel(source=None, xml=xml, inputs=inputs, output=_select_output(model), rebuilt=False,
                         warnings=[f"{xml.name} has no model.pb next to it; using it as is"])


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    for line in text:
        line = line.strip()
        if line and not line.startswith(("Exception from", "Check '")):
            return line[:300]
    return (text[0] if text else type(exc).__name__)[:300]


class InferenceEngine:
    """A compiled model: `infer({input_name: array}) -> 1-D float32 output`."""

    def __init__(self, prepared: PreparedModel, device: str = DEFAULT_DEVICE, precision: str = DEFAULT_PRECISION,
                 threads: int | None = None, core: Any = None) -> None:
        core = core or _core()
        config: dict[str, Any] = {"PERFORMANCE_HINT": "LATENCY", "NUM_STREAMS": "1"}
        if precision:
            config["INFERENCE_PRECISION_HINT"] = precision
        if threads:
            config["INFERENCE_NUM_THREADS"] = int(threads)
        try:
            model = core.read_model(str(prepared.xml))
            self._compiled = core.compile_model(model, device, config)
        except Exception as exc:
            raise ModelLoadError(f"{prepared.xml.name} could not be compiled for {device}: {_first_line(exc)}",
                                 LoadErrorCode.COMPILE_FAILED) from None
        self.prepared = prepared
        self.inputs = list(prepared.inputs)
        self.device = device
        self._request = self._compiled.create_infer_request()
        self._output = self._find_output(prepared.output)
        self._lock = threading.Lock()

    def _find_output(self, name: str) -> Any:
        for port in self._compiled.outputs:
            names = port.get_names()
            if name in names or f"{name}:0" in names:
                return port
        return self._compiled.outputs[0]

    @property
    def precision(self) -> str:
        value = self._compiled.get_property("INFERENCE_PRECISION_HINT")
        return str(value.to_string() if hasattr(value, "to_string") else value)

    @classmethod
    def load(cls, path: str | Path, input_shapes: Mapping[str, Sequence[int]] | None = None,
             device: str = DEFAULT_DEVICE, precision: str = DEFAULT_PRECISION, threads: int | None = None,
             log: Any = None) -> InferenceEngine:
        core = _core()
        return cls(prepare_model(path, input_shapes, core=core, log=log), device, precision, threads, core=core)

    def infer(self, feeds: Mapping[str, np.ndarray]) -> np.ndarray:
        """Run one inference. `feeds` maps each input name (or sensor name) to its array."""
        by_port: dict[int, np.ndarray] = {}
        for spec in self.inputs:
            array = feeds.get(spec.name)
            if array is None:
                array = feeds.get(spec.sensor)
            if array is None:
                raise ValueError(f"no data for model input {spec.name}")
            array = np.asarray(array, dtype=np.float32)
            if array.shape != spec.shape:
                if array.size != int(np.prod(spec.shape)):
                    raise ValueError(f"{spec.sensor}: got {array.size} values, the model takes {spec.shape}")
                array = array.reshape(spec.shape)
            by_port[spec.index] = np.ascontiguousarray(array)
        with self._lock:
            self._request.infer(by_port)
            return np.array(self._request.get_tensor(self._output).data, dtype=np.float32).reshape(-1)
