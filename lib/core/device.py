"""One place that picks the compute device (CUDA, then Apple MPS, then CPU) and describes it.

PyTorch is imported inside the functions: importing it takes seconds, and a page that never computes
with it (the welcome page's sidebar label, say) should not wait for it.
"""
from __future__ import annotations

import functools
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch


@dataclass(frozen=True)
class DeviceInfo:
    kind: str  # "cuda", "mps" or "cpu"
    name: str  # what a person reads: the GPU's name, "Apple MPS" or "CPU"
    detail: str  # threads for a CPU, memory for a GPU

    @property
    def label(self) -> str:
        return f"{self.name} ({self.detail})" if self.detail else self.name


def mps_available() -> bool:
    import torch

    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def pick_device(prefer: str | None = None) -> torch.device:
    """CUDA when present, then MPS, then CPU; `prefer="cpu"` forces the CPU."""
    import torch

    if prefer == "cpu":
        return torch.device("cpu")
    if torch.cuda.is_available():
        return torch.device("cuda")
    if mps_available():
        return torch.device("mps")
    return torch.device("cpu")


def available_devices() -> list[torch.device]:
    """Every device this machine can compute on, CPU first, for side-by-side timing."""
    import torch

    devices = [torch.device("cpu")]
    if torch.cuda.is_available():
        devices.append(torch.device("cuda"))
    if mps_available():
        devices.append(torch.device("mps"))
    return devices


def describe_device(device: torch.device) -> DeviceInfo:
    import torch

    if device.type == "cuda":
        props = torch.cuda.get_device_properties(device)
        return DeviceInfo("cuda", f"CUDA: {props.name}", f"{props.total_memory / 2**30:.0f} GiB")
    if device.type == "mps":
        return DeviceInfo("mps", "Apple MPS", "Apple-silicon GPU")
    return DeviceInfo("cpu", "CPU", f"{torch.get_num_threads()} threads")


@functools.cache
def _chosen_device_label() -> str:
    return describe_device(pick_device()).label


def device_label_if_loaded() -> str | None:
    """The label of the device `pick_device()` chooses, or None while PyTorch is not imported yet.

    For a label on every page (the sidebar) that must not make a page without PyTorch import it.
    """
    torch_module = sys.modules.get("torch")
    spec = getattr(torch_module, "__spec__", None)
    if torch_module is None or getattr(spec, "_initializing", False):  # absent, or mid-import in another session
        return None
    return _chosen_device_label()


def synchronize(device: torch.device) -> None:
    """Wait for queued GPU work so a timer measures the work, not just its launch."""
    import torch

    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()
