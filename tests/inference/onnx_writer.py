"""A minimal ONNX writer (protobuf wire format by hand) for test models, since the onnx package is not needed.

Model: NCHW camera input -> Conv(k x k, stride s) -> Relu -> Flatten -> Gemm -> Softmax, output `.../policy`.
"""

from __future__ import annotations

import struct

import numpy as np


def _varint(value: int) -> bytes:
    value &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _key(field: int, wire: int) -> bytes:
    return _varint((field << 3) | wire)


def _int(field: int, value: int) -> bytes:
    return _key(field, 0) + _varint(value)


def _bytes(field: int, value: bytes) -> bytes:
    return _key(field, 2) + _varint(len(value)) + value


def _str(field: int, value: str) -> bytes:
    return _bytes(field, value.encode())


def _tensor(name: str, array: np.ndarray) -> bytes:
    array = np.ascontiguousarray(array, dtype=np.float32)
    body = b"".join(_int(1, d) for d in array.shape) + _int(2, 1) + _str(8, name) + _bytes(9, array.tobytes())
    return body


def _value_info(name: str, dims: list[int | str]) -> bytes:
    shape = b"".join(_bytes(1, _int(1, d) if isinstance(d, int) else _str(2, d)) for d in dims)
    tensor_type = _int(1, 1) + _bytes(2, shape)
    return _str(1, name) + _bytes(2, _bytes(1, tensor_type))


def _attr_ints(name: str, values: list[int]) -> bytes:
    return _str(1, name) + b"".join(_int(8, v) for v in values) + _int(20, 7)


def _attr_int(name: str, value: int) -> bytes:
    return _str(1, name) + _int(3, value) + _int(20, 2)


def _node(op: str, inputs: list[str], outputs: list[str], name: str, attrs: list[bytes] = ()) -> bytes:  # type: ignore[assignment]
    body = b"".join(_str(1, i) for i in inputs) + b"".join(_str(2, o) for o in outputs) + _str(3, name) + _str(4, op)
    return body + b"".join(_bytes(5, a) for a in attrs)


def conv_policy_onnx(input_name: str, output_name: str, kernel: np.ndarray, bias: np.ndarray, stride: int,
                     fc: np.ndarray, fc_bias: np.ndarray, height: int = 120, width: int = 160) -> bytes:
    """kernel (F, C, k, k) as ONNX orders it; fc (N, actions)."""
    f, c, k, _ = kernel.shape
    nodes = [
        _node("Conv", [input_name, "conv_w", "conv_b"], ["conv"], "conv",
              [_attr_ints("kernel_shape", [k, k]), _attr_ints("strides", [stride, stride])]),
        _node("Relu", ["conv"], ["relu"], "relu"),
        _node("Flatten", ["relu"], ["flat"], "flatten", [_attr_int("axis", 1)]),
        _node("Gemm", ["flat", "fc_w", "fc_b"], ["logits"], "fc"),
        _node("Softmax", ["logits"], [output_name], "softmax", [_attr_int("axis", 1)]),
    ]
    graph = b"".join(_bytes(1, n) for n in nodes) + _str(2, "deepracer")
    for name, array in (("conv_w", kernel), ("conv_b", bias), ("fc_w", fc), ("fc_b", fc_bias)):
        graph += _bytes(5, _tensor(name, array))
    graph += _bytes(11, _value_info(input_name, ["batch", c, height, width]))
    graph += _bytes(12, _value_info(output_name, ["batch", fc.shape[1]]))
    opset = _str(1, "") + _int(2, 13)
    return _int(1, 8) + _str(2, "deepracer-tests") + _bytes(7, graph) + _bytes(8, opset)


__all__ = ["conv_policy_onnx", "struct"]
