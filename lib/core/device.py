"""One place that picks the compute device (CUDA, then Apple MPS, then CPU) and describes it."""
from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class DeviceInfo:
    kind: str  # "cuda", "mps" or "cpu"
    name: str  # what a person reads: the GPU's name, "Apple MPS" or "CPU"
    detail: str  # threads for a CPU, memory for a GPU

    @property
    def label(self) -> str:
        return f"{self.name} ({self.detail})" if self.detail else self.name


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def pick_device(prefer: str | None = None) -> torch.device:
    """CUDA when present, then MPS, then CPU; `prefer="cpu"` forces the CPU."""
    if prefer == "cpu":
        return torch.device("cpu")
    if torch.cuda.is_available():
        return torch.device("cuda")
    if _mps_available():
        return torch.device("mps")
    return torch.device("cpu")


def available_devices() -> list[torch.device]:
    """Every device this machine can compute on, CPU first, for side-by-side timing."""
    devices = [torch.device("cpu")]
    if torch.cuda.is_available():
        devices.append(torch.device("cuda"))
    if _mps_available():
        devices.append(torch.device("mps"))
    return devices


def describe_device(device: torch.device) -> DeviceInfo:
    if device.type == "cuda":
        props = torch.cuda.get_device_properties(device)
        return DeviceInfo("cuda", f"CUDA: {props.name}", f"{props.total_memory / 2**30:.0f} GiB")
    if device.type == "mps":
        return DeviceInfo("mps", "Apple MPS", "Apple-silicon GPU")
    return DeviceInfo("cpu", "CPU", f"{torch.get_num_threads()} threads")


def synchronize(device: torch.device) -> None:
    """Wait for queued GPU work so a timer measures the work, not just its launch."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()
