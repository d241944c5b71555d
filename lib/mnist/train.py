"""Train and evaluate MNIST classifiers: the talk's network exactly, and faster modern variants.

The network and the plain PyTorch loop the page shows are in lib/mnist/network.py; this module runs
them from a TrainConfig, with progress, stopping, resuming and model files. The talk's recipe
(784-200-10, Sigmoid after both layers, BCELoss against one-hot targets, SGD with lr 0.01, one image
per step, 3 epochs) takes the app's fast path, `TalkNetworkFast`: a hand-written forward and backward
pass for the batch-of-one case, the same maths as `train_epoch`'s autograd, but touching only the
weights of the non-zero pixels (about a fifth of each image), so it runs about ten times faster on a
CPU. The plain loop stays available (`engine="autograd"`) to compare against.
"""
from __future__ import annotations

import functools
import io
import math
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import numpy as np
import torch
from torch import nn

from lib.background.jobs import APP_WORKERS, BackgroundJob, WorkerTask
from lib.background.worker_processes import WorkerPool
from lib.mnist.config import (
    ACTIVATIONS,
    ARCHITECTURES,
    LOSSES,
    MAX_HIDDEN,
    MAX_SCALING_HIDDEN,
    MAX_SCALING_SAMPLES,
    MAX_TRAIN_SECONDS,
    MIN_HIDDEN,
    OPTIMISERS,
    TrainConfig,
)
from lib.mnist.confusion import confusion_counts
from lib.mnist.data import PIXELS, MnistData, MnistSplit, load_best_available
from lib.mnist.network import (
    build_network,
    make_optimiser,
    network_outputs,
    time_training,
    train_epoch,
)

MAX_MODEL_BYTES = 50 * 2**20
MODEL_FORMAT = "dscl-mnist-model/1"  # weights and settings only: it scores, and continues with a fresh optimiser
RESUMABLE_FORMAT = "dscl-mnist-model/2"  # also the optimiser, how far the run got, its generators and its losses
MAX_LOSS_ROWS = 2_000_000  # a file's loss history above this is not one this page wrote


@dataclass(frozen=True)
class TrainProgress:
    samples_done: int
    samples_total: int
    epoch: int  # 1-based epoch now running
    elapsed_s: float
    new_losses: list[tuple[int, float]]  # (samples seen, loss) recorded since the last report
    samples_at_start: int = 0  # a resumed run starts where its file left off

    @property
    def fraction(self) -> float:
        return self.samples_done / self.samples_total if self.samples_total else 1.0

    @property
    def seconds_left(self) -> float | None:
        done_here = self.samples_done - self.samples_at_start
        if done_here <= 0:
            return None
        return self.elapsed_s * (self.samples_total - self.samples_done) / done_here


@dataclass
class TrainResult:
    model: nn.Module
    config: TrainConfig
    losses: list[tuple[int, float]]
    samples_seen: int
    seconds: float
    stopped: str | None  # None when it ran to the end, else why it stopped early
    epoch_accuracies: list[float] = field(default_factory=list)  # test accuracy after each full epoch
    # What a resumable file carries besides the weights (see `to_file`); `losses` is the whole run's history.
    epochs_done: int = 0  # complete epochs of the whole run, earlier files included
    samples_before: int = 0  # images the run had seen before this call resumed it
    samples_per_epoch: int = 0
    optimiser_state: dict | None = None  # torch's optimiser state_dict, on the CPU; None: start a fresh one
    shuffle_state: dict | None = None  # numpy's PCG64 state before the next epoch's shuffle
    torch_rng_state: torch.Tensor | None = None
    fresh_optimiser: bool = False  # resumed from a file without optimiser state

    @property
    def samples_per_second(self) -> float:
        return self.samples_seen / self.seconds if self.seconds > 0 else 0.0

    @property
    def samples_done(self) -> int:
        """Images seen over the whole run, the earlier runs it resumed included."""
        return self.samples_before + self.samples_seen

    def to_file(self) -> bytes:
        """A resumable model file: plain values and tensors only, so it loads with `weights_only=True`."""
        buffer = io.BytesIO()
        torch.save({
            "format": RESUMABLE_FORMAT, "config": asdict(self.config), "state_dict": _cpu_weights(self.model),
            "optimiser": self.optimiser_state,
            "progress": {"epochs_done": self.epochs_done, "samples_done": self.samples_done,
                         "samples_per_epoch": self.samples_per_epoch},
            "rng": {"shuffle": self.shuffle_state, "torch": self.torch_rng_state},
            "losses": torch.tensor(self.losses, dtype=torch.float64).reshape(-1, 2),  # (n, 2): samples seen, loss
        }, buffer)
        return buffer.getvalue()


@dataclass(frozen=True)
class EvalResult:
    accuracy: float
    confusion: np.ndarray  # (10, 10) int64: row = true label, column = predicted
    predictions: np.ndarray  # (n,) int64
    outputs: np.ndarray  # (n, 10) float32: what the network says for each digit, 0-1
    truth: np.ndarray  # (n,) int64: the labels scored against

    @property
    def misclassified(self) -> np.ndarray:
        """Indices of the test records the network got wrong."""
        return np.flatnonzero(self.predictions != self.truth)


ProgressCallback = Callable[[TrainProgress], None]


class ModelFileError(ValueError):
    """An uploaded model file that is not one of ours, is damaged, or tries to run code."""


# ---------------------------------------------------------------- configs and models


def validate_config(config: TrainConfig) -> None:
    for name, allowed in (("architecture", ARCHITECTURES), ("activation", ACTIVATIONS),
                          ("loss", LOSSES), ("optimiser", OPTIMISERS)):
        if getattr(config, name) not in allowed:
            raise ValueError(f"{name} must be one of {', '.join(allowed)}")
    if not (0 < config.learning_rate <= 1.0 and math.isfinite(config.learning_rate)):
        raise ValueError("learning rate must be above 0 and at most 1")


def build_model(config: TrainConfig) -> nn.Module:
    """A freshly initialised network for `config`, seeded so the same config gives the same weights."""
    validate_config(config)
    return build_network(config.architecture, config.hidden, config.activation, config.loss, config.seed)


def _optimiser(config: TrainConfig, model: nn.Module) -> torch.optim.Optimizer:
    return make_optimiser(config.optimiser, model, config.learning_rate)


def fast_path_applies(config: TrainConfig) -> bool:
    """The app's fast path covers the talk's family: MLP, Sigmoid, BCE or MSE, plain SGD at a constant rate,
    one image per step."""
    return (config.architecture == "mlp" and config.activation == "sigmoid" and config.loss in ("bce", "mse")
            and config.optimiser == "sgd" and config.batch_size == 1 and not config.decay_lr)


# ---------------------------------------------------------------- training


class _Reporter:
    """Collects recorded losses and calls the progress callback at most every `interval_s`."""

    def __init__(self, total: int, progress: ProgressCallback | None, interval_s: float = 0.2,
                 start_done: int = 0) -> None:
        self.total, self.progress, self.interval_s, self.start_done = total, progress, interval_s, start_done
        self.started = time.perf_counter()
        self.last = self.started
        self.losses: list[tuple[int, float]] = []
        self.reported = 0

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def maybe_report(self, done: int, epoch: int, force: bool = False) -> None:
        now = time.perf_counter()
        if self.progress is None or (not force and now - self.last < self.interval_s):
            return
        self.last = now
        new = self.losses[self.reported:]
        self.reported = len(self.losses)
        self.progress(TrainProgress(done, self.total, epoch, now - self.started, new, self.start_done))


def _stop_reason(stop: threading.Event | None, reporter: _Reporter, time_limit_s: float) -> str | None:
    if stop is not None and stop.is_set():
        return "stopped by the visitor"
    if reporter.elapsed() > time_limit_s:
        return f"stopped at the {time_limit_s:.0f} s limit per run on this shared app"
    return None


def train_model(
    train: MnistSplit,
    config: TrainConfig,
    device: torch.device | None = None,
    progress: ProgressCallback | None = None,
    stop: threading.Event | None = None,
    test: MnistSplit | None = None,
    engine: str = "fast",
    max_samples: int | None = None,
    time_limit_s: float = MAX_TRAIN_SECONDS,
    resume_from: bytes | None = None,
) -> TrainResult:
    """Train a network for `config` on `train`; returns the model, the loss curve and timings.

    engine "fast" uses the hand-written batch-of-one pass where it applies (on the CPU), "autograd"
    always uses PyTorch's plain loop. `max_samples` keeps only the first records of each epoch;
    `test`, when given, is scored after every epoch. `stop` ends training after the current step.
    `resume_from`, a file from `TrainResult.to_file` (or `model_to_bytes`), continues that run until
    `config.epochs` epochs are done in all; `config` must be the file's, apart from `epochs`.
    """
    device = device or torch.device("cpu")
    validate_config(config)
    run = _RunStart.fresh(config) if resume_from is None else _RunStart.resumed(resume_from, config)
    model = run.model.to(device)
    count, position, total = run.plan(len(train), max_samples)
    reporter = _Reporter(total, progress, start_done=run.samples_done)
    accuracies: list[float] = []
    done, stopped, epochs_done = run.samples_done, None, run.epochs_done
    scoring_seconds = 0.0  # time spent scoring the test set, left out of the training time
    use_fast = engine == "fast" and fast_path_applies(config) and device.type == "cpu"
    fast_state = TalkNetworkFast.from_model(model, config) if use_fast else None
    optimiser = run.optimiser_for(model)
    generator = run.shuffle_generator()
    shuffle_state = generator.bit_generator.state
    for epoch in range(run.epochs_done + 1, config.epochs + 1):
        order = generator.permutation(count) if config.shuffle else np.arange(count)
        order = order[position:] if epoch == run.epochs_done + 1 else order  # a stopped epoch goes on where it was
        if fast_state is not None:
            done, stopped = fast_state.run_epoch(train, order, done, epoch, reporter, stop, time_limit_s)
            fast_state.write_to(model)
        else:
            done, stopped = _autograd_epoch(model, config, train, order, done, epoch, reporter, stop,
                                            time_limit_s, optimiser)
        if stopped:
            break
        epochs_done, shuffle_state = epoch, generator.bit_generator.state
        if test is not None:
            scoring_started = time.perf_counter()
            accuracies.append(evaluate(model, config, test).accuracy)
            scoring_seconds += time.perf_counter() - scoring_started
    reporter.maybe_report(done, min(epochs_done + 1, config.epochs), force=True)
    model.eval()
    return TrainResult(model, config, run.losses + reporter.losses, done - run.samples_done,
                       reporter.elapsed() - scoring_seconds, stopped, accuracies, epochs_done=epochs_done,
                       samples_before=run.samples_done, samples_per_epoch=count,
                       optimiser_state=_cpu_optimiser_state(optimiser), shuffle_state=shuffle_state,
                       torch_rng_state=torch.get_rng_state(), fresh_optimiser=run.fresh_optimiser)


@dataclass
class _RunStart:
    """Where a run starts: a fresh network, or the state a resumable file saved."""

    model: nn.Module
    config: TrainConfig
    losses: list[tuple[int, float]] = field(default_factory=list)
    epochs_done: int = 0
    samples_done: int = 0
    samples_per_epoch: int = 0
    optimiser_state: dict | None = None
    shuffle_state: dict | None = None
    torch_rng_state: torch.Tensor | None = None
    fresh_optimiser: bool = False

    @classmethod
    def fresh(cls, config: TrainConfig) -> _RunStart:
        return cls(build_model(config), config)

    @classmethod
    def resumed(cls, blob: bytes, config: TrainConfig) -> _RunStart:
        saved = read_model_file(blob)
        differ = [name for name, value in asdict(saved.config).items()
                  if name != "epochs" and getattr(config, name) != value]
        if differ:
            raise ValueError(f"a resumed run keeps its file's settings; these differ: {', '.join(differ)}")
        if saved.torch_rng_state is not None:
            torch.set_rng_state(saved.torch_rng_state)
        return cls(saved.model, config, list(saved.losses), saved.epochs_done, saved.samples_done,
                   saved.samples_per_epoch, saved.optimiser_state, saved.shuffle_state, saved.torch_rng_state,
                   fresh_optimiser=saved.optimiser_state is None)

    def plan(self, available: int, max_samples: int | None) -> tuple[int, int, int]:
        """Images per epoch, images of the unfinished epoch already done, and images of the whole run."""
        if max_samples is None and self.samples_per_epoch:
            max_samples = self.samples_per_epoch  # a resumed run keeps its epoch length unless told otherwise
        count = available if max_samples is None else min(available, max_samples)
        position = self.position_in_epoch(count)
        total = self.samples_done + count * (self.config.epochs - self.epochs_done) - position
        return count, position, max(total, self.samples_done)

    def position_in_epoch(self, count: int) -> int:
        """Images of the unfinished epoch already done (a run stopped part-way), 0 for a fresh start."""
        if self.samples_per_epoch != count:
            return 0  # another epoch length: the next epoch starts from its beginning
        return min(max(self.samples_done - self.epochs_done * count, 0), count)

    def optimiser_for(self, model: nn.Module) -> torch.optim.Optimizer:
        """The config's optimiser for `model` (already on its device), with the saved state where there is one."""
        optimiser = _optimiser(self.config, model)
        if self.optimiser_state is not None:
            optimiser.load_state_dict(self.optimiser_state)
        return optimiser

    def shuffle_generator(self) -> np.random.Generator:
        if self.shuffle_state is None:
            return np.random.default_rng(self.config.seed)
        bits = np.random.PCG64()
        bits.state = self.shuffle_state  # numpy's documented way to restore a generator
        return np.random.Generator(bits)


def _cpu_optimiser_state(optimiser: torch.optim.Optimizer) -> dict:
    """The optimiser's state_dict with its tensors copied to the CPU, apart from the live optimiser."""
    state = optimiser.state_dict()
    per_parameter = {index: {name: value.detach().cpu().clone() if isinstance(value, torch.Tensor) else value
                             for name, value in values.items()} for index, values in state["state"].items()}
    groups = [dict(group, params=list(group["params"])) for group in state["param_groups"]]
    return {"state": per_parameter, "param_groups": groups}


def _autograd_epoch(model, config, train, order, done, epoch, reporter, stop, time_limit_s,
                    optimiser) -> tuple[int, str | None]:
    """PyTorch's plain loop (`train_epoch`), recording the loss every `record_every` images and stopping when asked.

    A decaying rate counts the whole run's images (`reporter.total`), earlier files included, so a resumed
    run takes the same rates as the same steps of a run done in one go.
    """
    next_record = (done // config.record_every + 1) * config.record_every
    steps = train_epoch(model, optimiser, config.loss, train.images, train.labels, order, config.batch_size, done,
                        reporter.total if config.decay_lr else 0)
    for seen, loss in steps:
        batch, done = seen - done, seen
        if done >= next_record:
            reporter.losses.append((done, float(loss.item())))
            next_record += config.record_every * max(1, math.ceil(batch / config.record_every))
        reporter.maybe_report(done, epoch)
        if (reason := _stop_reason(stop, reporter, time_limit_s)) is not None:
            return done, reason
    return done, None


class TalkNetworkFast:
    """The app's fast path for the talk's recipe: its network as numpy arrays, trained one image at a time
    with a hand-written backward pass, the same maths as `train_epoch` (the plain loop the page shows).

    Forward: h = sigmoid(W1 x + b1) (hidden), y = sigmoid(W2 h + b2) (10).
    BCE (mean over 10 outputs) with a Sigmoid output gives dL/dz2 = (y - t) / 10 exactly; MSE gives
    dL/dz2 = 2 (y - t) y (1 - y) / 10. Then dh = W2^T dz2, dz1 = dh h (1 - h), and SGD subtracts
    lr * gradient. A zero pixel contributes nothing to W1 x and its column of W1 gets a zero
    gradient, so only the non-zero pixels' columns are read and written.
    """

    def __init__(self, w1_t: np.ndarray, b1: np.ndarray, w2: np.ndarray, b2: np.ndarray, config: TrainConfig) -> None:
        self.w1_t, self.b1, self.w2, self.b2 = w1_t, b1, w2, b2  # w1_t: (784, hidden), W1 transposed
        self.config = config

    @classmethod
    def from_model(cls, model: nn.Sequential, config: TrainConfig) -> TalkNetworkFast:
        first, second = model[0], model[2]
        return cls(first.weight.detach().cpu().numpy().T.copy(), first.bias.detach().cpu().numpy().copy(),
                   second.weight.detach().cpu().numpy().copy(), second.bias.detach().cpu().numpy().copy(), config)

    def write_to(self, model: nn.Sequential) -> None:
        with torch.no_grad():
            model[0].weight.copy_(torch.from_numpy(self.w1_t.T.copy()))
            model[0].bias.copy_(torch.from_numpy(self.b1))
            model[2].weight.copy_(torch.from_numpy(self.w2))
            model[2].bias.copy_(torch.from_numpy(self.b2))

    def run_epoch(self, train, order, done, epoch, reporter, stop, time_limit_s) -> tuple[int, str | None]:
        lr = np.float32(self.config.learning_rate)
        scale = np.float32(1.0 / 255.0)
        tenth = np.float32(0.1)
        one_hot = np.eye(10, dtype=np.float32)
        is_bce = self.config.loss == "bce"
        record_every = self.config.record_every
        w1_t, b1, w2, b2 = self.w1_t, self.b1, self.w2, self.b2
        images, labels = train.images, train.labels
        with np.errstate(over="ignore"):  # exp of a large negative input is inf, and 1/(1+inf) = 0 as wanted
            for position, row_index in enumerate(order):
                row = images[row_index]
                nonzero = np.flatnonzero(row)
                pixels = row[nonzero].astype(np.float32) * scale  # (k,)
                w1_cols = w1_t[nonzero]  # (k, hidden)
                hidden = 1.0 / (1.0 + np.exp(-(pixels @ w1_cols + b1)))  # (hidden,)
                output = 1.0 / (1.0 + np.exp(-(w2 @ hidden + b2)))  # (10,)
                target = one_hot[labels[row_index]]
                if is_bce:
                    d_z2 = (output - target) * tenth
                else:
                    d_z2 = (output - target) * output * (1.0 - output) * np.float32(0.2)
                d_z1 = (d_z2 @ w2) * hidden * (1.0 - hidden)  # uses W2 before its update, as autograd does
                w2 -= lr * (d_z2[:, None] * hidden)
                b2 -= lr * d_z2
                b1 -= lr * d_z1
                w1_t[nonzero] = w1_cols - (lr * pixels)[:, None] * d_z1
                done += 1
                if done % record_every == 0:
                    reporter.losses.append((done, _loss_value(output, target, is_bce)))
                if position % 256 == 0:
                    reporter.maybe_report(done, epoch)
                    if (reason := _stop_reason(stop, reporter, time_limit_s)) is not None:
                        return done, reason
        return done, None


def _loss_value(output: np.ndarray, target: np.ndarray, is_bce: bool) -> float:
    if is_bce:  # BCELoss clamps each log at -100
        log_y = np.maximum(np.log(np.maximum(output, 0.0)), -100.0)
        log_not_y = np.maximum(np.log(np.maximum(1.0 - output, 0.0)), -100.0)
        return float(-np.mean(target * log_y + (1.0 - target) * log_not_y))
    return float(np.mean((output - target) ** 2))


# ---------------------------------------------------------------- evaluation


def predict(model: nn.Module, config: TrainConfig, images: np.ndarray, batch_size: int = 1000) -> np.ndarray:
    """The 10 outputs (each 0-1) for each image in (n, 784) uint8, on the model's device: (n, 10) float32."""
    return network_outputs(model, images.reshape(-1, PIXELS), config.loss, batch_size)


def evaluate(model: nn.Module, config: TrainConfig, test: MnistSplit) -> EvalResult:
    """Score the test set: accuracy, confusion matrix, each prediction and the 10 outputs per image."""
    outputs = predict(model, config, test.images)
    predictions = outputs.argmax(axis=1).astype(np.int64)
    truth = test.labels.astype(np.int64)
    accuracy = float((predictions == truth).mean()) if len(truth) else 0.0
    return EvalResult(accuracy, confusion_counts(truth, predictions), predictions, outputs, truth)


# ---------------------------------------------------------------- a training job off the script thread


@functools.cache
def warm_up_torch() -> None:
    """Build one optimiser on the calling thread: PyTorch imports torch._dynamo lazily on the first one,
    and that import, when it first happens in a background thread of a Streamlit server, never finished."""
    torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)


def warm_up_where_it_runs(job: BackgroundJob) -> BackgroundJob:
    """Warm up here when `job` runs in a thread of this process; a worker process warms itself up (train_task,
    scaling_task), so a server whose runs all go to workers never holds torch._dynamo (about 70 MB)."""
    if job.runs_here:
        warm_up_torch()
    return job


@dataclass(frozen=True, eq=False)
class KeptSplit:
    """The shared training split, sent to a worker process as its folder only: each worker reads it once
    and keeps it (`kept_data`), so a run does not copy 47 MB of digits through a pipe.

    `split` is the copy this process already holds (a page's cache); it is used here and never sent.
    """

    folder: str
    signature: tuple  # the cache folder's file sizes and times: a fetch or an import reads it anew
    split: MnistSplit | None = None

    def __reduce__(self) -> tuple:
        return KeptSplit, (self.folder, self.signature)

    def resolve(self) -> MnistSplit:
        return self.split if self.split is not None else kept_data(self.folder, self.signature).train


@functools.lru_cache(maxsize=1)
def kept_data(folder: str, signature: tuple) -> MnistData:
    """MNIST as a worker process keeps it between runs (one folder at a time); `signature` is only the key."""
    return load_best_available(folder)


TrainData = MnistSplit | KeptSplit


def _resolve(train: TrainData) -> MnistSplit:
    return train.resolve() if isinstance(train, KeptSplit) else train


def result_to_weights(result: TrainResult) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """A TrainResult that can cross between processes: the weights on the CPU, and every other field."""
    weights = {name: tensor.detach().cpu() for name, tensor in result.model.state_dict().items()}
    return weights, {item.name: getattr(result, item.name) for item in fields(result) if item.name != "model"}


def result_from_weights(portable: tuple[dict[str, torch.Tensor], dict[str, Any]]) -> TrainResult:
    """The TrainResult again, its model rebuilt on the CPU from the weights (in the server, for the session)."""
    weights, values = portable
    model = build_model(values["config"])
    model.load_state_dict(weights)
    model.eval()
    return TrainResult(model=model, **values)


def train_task(report: Callable[[TrainProgress], None], stop: threading.Event, *, train: TrainData,
               config: TrainConfig, device: torch.device | str | None, test: MnistSplit | None,
               max_samples: int | None, torch_threads: int | None,
               resume_from: bytes | None = None) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """One training run as a worker's task; `device` "cpu" or None is chosen here, where the work runs."""
    from lib.core.device import pick_device

    warm_up_torch()
    chosen = device if isinstance(device, torch.device) else pick_device(device)
    before = torch.get_num_threads()
    # One CPU thread per run by default: on a shared, busy CPU PyTorch's two threads measured six times
    # slower than one (benchmarks/mnist.py --threads), and two runs may share a two-core container.
    if torch_threads is not None:
        torch.set_num_threads(torch_threads)
    try:
        result = train_model(_resolve(train), config, chosen, report, stop, test, max_samples=max_samples,
                             resume_from=resume_from)
    finally:
        torch.set_num_threads(before)  # a worker's next task (the scaling experiment, say) starts as the first did
    return result_to_weights(result)


class TrainingJob(BackgroundJob):
    """One visitor's training run on the app's background-job mechanism; the page polls `snapshot()`.

    Each reported item is a `TrainProgress`; the losses recorded in this run are theirs, in order. It runs in
    a worker process (lib/background/worker_processes.py) unless `workers` says otherwise; its result's model is rebuilt here.
    `resume_from` (a model file's bytes, so the task pickles as plain values) continues that run.
    """

    def __init__(self, train: TrainData, config: TrainConfig, device: torch.device | str | None = None,
                 test: MnistSplit | None = None, max_samples: int | None = None,
                 on_finish: Callable[[], None] | None = None, torch_threads: int | None = 1,
                 owner_alive: Callable[[], bool] | None = None, resume_from: bytes | None = None,
                 workers: WorkerPool | str | None = APP_WORKERS) -> None:
        self.config = config
        # A resumed run's chart goes on from the file's curve: its history comes first in `snapshot()`.
        self.earlier_losses = read_model_file(resume_from).losses if resume_from is not None else []
        task = WorkerTask(train_task, {"train": train, "config": config, "device": device, "test": test,
                                       "max_samples": max_samples, "torch_threads": torch_threads,
                                       "resume_from": resume_from},
                          rebuild=result_from_weights)
        super().__init__(task, name="mnist-training", on_finish=on_finish, owner_alive=owner_alive, workers=workers)
        warm_up_where_it_runs(self)

    def snapshot(self) -> tuple[TrainProgress | None, list[tuple[int, float]]]:
        """The latest progress and the whole run's losses so far (a resumed file's first)."""
        progress = self.items()
        return (progress[-1] if progress else None), self.earlier_losses + [
            loss for item in progress for loss in item.new_losses]


def loss_curve_points(losses: list[tuple[int, float]], max_points: int = 1500) -> tuple[np.ndarray, np.ndarray, int]:
    """At most about `max_points` of the recorded (samples seen, loss) pairs, taking every k-th; returns k too."""
    if not losses:
        return np.zeros(0), np.zeros(0), 1
    stride = max(1, math.ceil(len(losses) / max_points))
    kept = losses[stride - 1::stride] if stride > 1 else losses
    return (np.array([s for s, _ in kept], dtype=np.float64), np.array([v for _, v in kept], dtype=np.float64),
            stride)


# ---------------------------------------------------------------- the CPU vs GPU experiment


def time_hidden_sizes(
    train: MnistSplit,
    hidden_sizes: list[int],
    device: torch.device,
    samples: int = 500,
    progress: Callable[[int, float], None] | None = None,
    seed: int = 0,
    stop: threading.Event | None = None,
) -> list[tuple[int, float]]:
    """Seconds to train the talk's network (plain autograd, one image per step) on `samples` images
    for each hidden size, on `device`: the talk's chart of time against hidden-layer size."""
    samples = min(samples, MAX_SCALING_SAMPLES, len(train))
    timings = []
    for hidden in hidden_sizes:
        if stop is not None and stop.is_set():
            break
        hidden = min(max(int(hidden), MIN_HIDDEN), MAX_SCALING_HIDDEN)
        seconds = time_training(train.images[:samples], train.labels[:samples], hidden, device, seed)
        timings.append((hidden, seconds))
        if progress is not None:
            progress(hidden, seconds)
    return timings


def scaling_task(report: Callable[[tuple[str, int, float]], None], stop: threading.Event, *, train: TrainData,
                 hidden_sizes: list[int], samples: int) -> None:
    """The experiment as a worker's task: every device this process finds, each hidden size, one report a timing."""
    from lib.core.device import available_devices, describe_device

    warm_up_torch()  # as train_task: in a worker, the first optimiser is built where the work runs
    split = _resolve(train)
    for device in available_devices():
        name = describe_device(device).name
        time_hidden_sizes(split, hidden_sizes, device, samples, stop=stop,
                          progress=lambda hidden, seconds, name=name: report((name, hidden, seconds)))


# ---------------------------------------------------------------- saving and loading a trained model


def _cpu_weights(model: nn.Module) -> dict[str, torch.Tensor]:
    return {name: tensor.detach().cpu() for name, tensor in model.state_dict().items()}


def model_to_bytes(model: nn.Module, config: TrainConfig) -> bytes:
    """A file of the first format: the config as plain values and the weights, nothing executable.

    It scores as well as a resumable file; continuing it starts a fresh optimiser (`TrainResult.to_file`
    writes the resumable kind).
    """
    buffer = io.BytesIO()
    torch.save({"format": MODEL_FORMAT, "config": asdict(config), "state_dict": _cpu_weights(model)}, buffer)
    return buffer.getvalue()


@dataclass
class ModelFile:
    """What a model file holds, checked: a file of the first format has only the model and its config."""

    model: nn.Module
    config: TrainConfig
    resumable: bool  # False for the first format: weights and settings only
    optimiser_state: dict | None = None  # None: continuing it starts a fresh optimiser
    epochs_done: int = 0
    samples_done: int = 0
    samples_per_epoch: int = 0
    losses: list[tuple[int, float]] = field(default_factory=list)
    shuffle_state: dict | None = None
    torch_rng_state: torch.Tensor | None = None

    def as_result(self) -> TrainResult:
        """The file as a finished run: what the page scores, and what `to_file` writes back unchanged."""
        return TrainResult(self.model, self.config, list(self.losses), 0, 0.0, None, epochs_done=self.epochs_done,
                           samples_before=self.samples_done, samples_per_epoch=self.samples_per_epoch,
                           optimiser_state=self.optimiser_state, shuffle_state=self.shuffle_state,
                           torch_rng_state=self.torch_rng_state, fresh_optimiser=self.optimiser_state is None)


def _config_from_plain(values: object) -> TrainConfig:
    if not isinstance(values, dict):
        raise ModelFileError("the file has no training settings")
    defaults = asdict(TrainConfig())
    unknown = set(values) - set(defaults)
    if unknown:
        raise ModelFileError(f"unknown settings in the file: {', '.join(sorted(map(str, unknown)))}")
    checked = {}
    for name, default in defaults.items():
        value = values.get(name, default)
        if type(value) is not type(default) and not (isinstance(default, float) and type(value) is int):
            raise ModelFileError(f"setting {name!r} has the wrong type")
        checked[name] = value
    config = TrainConfig(**checked)
    try:
        validate_config(config)
    except ValueError as error:
        raise ModelFileError(str(error)) from error
    if not (MIN_HIDDEN <= config.hidden <= MAX_HIDDEN):
        raise ModelFileError(f"hidden size {config.hidden} is outside {MIN_HIDDEN}-{MAX_HIDDEN}")
    return config


def model_from_bytes(blob: bytes) -> tuple[nn.Module, TrainConfig]:
    """Load a model file made by `model_to_bytes` or `TrainResult.to_file`; anything else raises ModelFileError."""
    loaded = read_model_file(blob)
    return loaded.model, loaded.config


def read_model_file(blob: bytes) -> ModelFile:
    """Read either format of model file; anything else raises ModelFileError with the reason.

    `weights_only=True` refuses pickled code (a hostile file cannot run anything); then the settings
    are checked, the weights must fit the network they describe exactly, and a resumable file's
    optimiser state, progress, generators and losses must fit that network and each other.
    """
    if len(blob) > MAX_MODEL_BYTES:
        raise ModelFileError(f"the file is larger than {MAX_MODEL_BYTES // 2**20} MB")
    try:
        payload = torch.load(io.BytesIO(blob), map_location="cpu", weights_only=True)
    except Exception as error:  # UnpicklingError, RuntimeError, EOFError...: all mean "not a safe model file"
        # torch's own words (pickle opcodes, zip internals) stay with the cause, for the log
        raise ModelFileError("not a model file this page can load safely") from error
    if not isinstance(payload, dict) or payload.get("format") not in (MODEL_FORMAT, RESUMABLE_FORMAT):
        raise ModelFileError("not a model saved by this page (its format tag is missing)")
    config = _config_from_plain(payload.get("config"))
    model = _model_with_weights(config, payload.get("state_dict"))
    if payload["format"] == MODEL_FORMAT:
        return ModelFile(model, config, resumable=False)
    progress = _checked_progress(payload.get("progress"))
    rng = payload.get("rng")
    if not isinstance(rng, dict) or set(rng) != {"shuffle", "torch"}:
        raise ModelFileError("the file's random generator states are missing")
    return ModelFile(model, config, True, _checked_optimiser_state(payload.get("optimiser"), config, model),
                     *progress, losses=_checked_losses(payload.get("losses"), progress[1]),
                     shuffle_state=_checked_shuffle_state(rng["shuffle"]),
                     torch_rng_state=_checked_torch_rng_state(rng["torch"]))


def _model_with_weights(config: TrainConfig, state: object) -> nn.Module:
    if not isinstance(state, dict) or not all(isinstance(t, torch.Tensor) for t in state.values()):
        raise ModelFileError("the file has no weights")
    model = build_model(config)
    expected = model.state_dict()
    if set(state) != set(expected):
        raise ModelFileError("the weights do not match the network described in the file")
    for name, tensor in state.items():
        if tensor.shape != expected[name].shape:
            raise ModelFileError(f"weight {name} has shape {tuple(tensor.shape)}, expected {tuple(expected[name].shape)}")
        if not torch.isfinite(tensor.float()).all():
            raise ModelFileError(f"weight {name} holds NaN or infinite values")
    model.load_state_dict({name: tensor.to(expected[name].dtype) for name, tensor in state.items()})
    model.eval()
    return model


def _is_count(value: object, limit: int = 10**12) -> bool:
    return type(value) is int and 0 <= value <= limit


def _checked_progress(progress: object) -> tuple[int, int, int]:
    """(epochs done, samples done, samples per epoch), each a whole number that fits the others."""
    names = ("epochs_done", "samples_done", "samples_per_epoch")
    if not isinstance(progress, dict) or set(progress) != set(names) or not all(_is_count(progress[n]) for n in names):
        raise ModelFileError("the file's progress (epochs and images done) is damaged")
    epochs, samples, per_epoch = (progress[name] for name in names)
    if samples < epochs * per_epoch:
        raise ModelFileError("the file's progress (epochs and images done) is damaged")
    return epochs, samples, per_epoch


def _checked_losses(losses: object, samples_done: int) -> list[tuple[int, float]]:
    if (not isinstance(losses, torch.Tensor) or not losses.is_floating_point() or losses.ndim != 2
            or losses.shape[1] != 2 or losses.shape[0] > MAX_LOSS_ROWS or not torch.isfinite(losses).all()):
        raise ModelFileError("the file's loss history is damaged")
    rows = losses.double().tolist()
    seen = [int(row[0]) for row in rows]
    if any(s < 0 or s > samples_done for s in seen) or seen != sorted(seen):
        raise ModelFileError("the file's loss history is damaged")
    return [(int(row[0]), float(row[1])) for row in rows]


def _checked_shuffle_state(state: object) -> dict | None:
    if state is None:
        return None
    if not isinstance(state, dict) or state.get("bit_generator") != "PCG64":
        raise ModelFileError("the file's shuffling generator state is damaged")
    try:
        np.random.PCG64().state = state  # numpy checks every field of a state it is given
    except (TypeError, ValueError, KeyError, OverflowError) as error:
        raise ModelFileError("the file's shuffling generator state is damaged") from error
    return state


def _checked_torch_rng_state(state: object) -> torch.Tensor | None:
    if state is None:
        return None
    if not isinstance(state, torch.Tensor) or state.dtype != torch.uint8 or state.shape != torch.get_rng_state().shape:
        raise ModelFileError("the file's torch generator state is damaged")
    return state.clone()


_OPTIMISER_SLOTS = {"adam": {"step", "exp_avg", "exp_avg_sq"}, "sgd": {"momentum_buffer"}}


def _checked_optimiser_state(state: object, config: TrainConfig, model: nn.Module) -> dict | None:
    """The optimiser state_dict, if it is exactly what `config`'s optimiser keeps for `model`'s parameters."""
    if state is None:
        return None
    damaged = ModelFileError("the file's optimiser state does not fit its network")
    fresh = _optimiser(config, model).state_dict()
    if not isinstance(state, dict) or set(state) != {"state", "param_groups"}:
        raise damaged
    groups, per_parameter = state["param_groups"], state["state"]
    if not isinstance(groups, list) or len(groups) != len(fresh["param_groups"]) or not isinstance(per_parameter, dict):
        raise damaged
    for group, expected in zip(groups, fresh["param_groups"], strict=True):
        rate = group.get("lr") if isinstance(group, dict) else None
        if (type(rate) not in (int, float) or not 0 <= rate <= 1
                or {k: v for k, v in group.items() if k != "lr"} != {k: v for k, v in expected.items() if k != "lr"}):
            raise damaged
    parameters = list(model.parameters())
    for index, slots in per_parameter.items():
        if type(index) is not int or not 0 <= index < len(parameters) or not isinstance(slots, dict):
            raise damaged
        if not set(slots) <= _OPTIMISER_SLOTS[config.optimiser]:
            raise damaged
        for name, value in slots.items():
            _check_slot(name, value, parameters[index].shape, damaged)
    return state


def _check_slot(name: str, value: object, shape: torch.Size, damaged: ModelFileError) -> None:
    if name == "momentum_buffer" and value is None:
        return
    if not isinstance(value, torch.Tensor) or not value.is_floating_point() or not torch.isfinite(value).all():
        raise damaged
    wanted = torch.Size([]) if name == "step" else shape
    if value.shape != wanted or (name in ("step", "exp_avg_sq") and bool((value < 0).any())):
        raise damaged
