"""An independent numpy implementation of the DeepRacer shallow network, to check OpenVINO's outputs.

It shares nothing with inference/tfgraph.py but the weight names: convolutions are computed from
sliding windows with einsum, dense layers with matmul, in float64.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

LIDAR = ("LIDAR", "SECTOR_LIDAR")


def relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0.0)


def conv2d_valid(x: np.ndarray, kernel: np.ndarray, stride: int) -> np.ndarray:
    """x (H, W, C), kernel (kh, kw, C, F) -> (Ho, Wo, F), VALID padding."""
    kh, kw = kernel.shape[:2]
    windows = sliding_window_view(x, (kh, kw), axis=(0, 1))[::stride, ::stride]  # (Ho, Wo, C, kh, kw)
    return np.einsum("hwcij,ijcf->hwf", windows, kernel)


def softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max())
    return e / e.sum()


def shallow_forward(weights: Mapping[str, np.ndarray], inputs: Mapping[str, np.ndarray], *,
                    conv_layers: tuple[tuple[int, int, int], ...], lidar_layers: tuple[int, ...],
                    head: str, algorithm: str, action_space_type: str) -> np.ndarray:
    """inputs: sensor -> one sample (H, W, C) raw 0-255 or (N,) LiDAR values."""
    w = {k: np.asarray(v, dtype=np.float64) for k, v in weights.items()}
    embeddings = []
    for sensor in sorted(inputs):
        x = np.asarray(inputs[sensor], dtype=np.float64)
        if sensor in LIDAR:
            for i in range(len(lidar_layers)):
                x = relu(x @ w[f"{sensor}/Dense_{i}/kernel"] + w[f"{sensor}/Dense_{i}/bias"])
        else:
            x = x / 255.0
            for i, (_filters, _k, stride) in enumerate(conv_layers):
                x = relu(conv2d_valid(x, w[f"{sensor}/Conv2d_{i}/kernel"], stride) + w[f"{sensor}/Conv2d_{i}/bias"])
            x = x.reshape(-1)
        embeddings.append(x)
    x = np.concatenate(embeddings)
    x = relu(x @ w["middleware_fc_embedder/Dense_0/kernel"] + w["middleware_fc_embedder/Dense_0/bias"])
    layer = "policy_fc" if action_space_type == "discrete" else "policy_mean"
    x = x @ w[f"{head}/{layer}/kernel"] + w[f"{head}/{layer}/bias"]
    if action_space_type == "discrete":
        return softmax(x)
    if algorithm == "sac":
        return np.tanh(x)
    return x
