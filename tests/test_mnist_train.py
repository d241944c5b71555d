"""The MNIST models, the fast talk trainer against PyTorch's autograd loop, evaluation and model files."""
from __future__ import annotations

import io
import os
import pickle
import threading
from dataclasses import replace

import numpy as np
import pytest
import torch

import lib.mnist.train as trainer
from lib.mnist.config import MAX_EPOCHS, MAX_HIDDEN, PRESETS, TrainConfig, bound_config
from lib.mnist.data import MnistSplit, load_sample
from lib.mnist.network import make_optimiser, train_epoch
from lib.mnist.train import (
    ModelFileError,
    TalkNetworkFast,
    TrainingJob,
    build_model,
    evaluate,
    fast_path_applies,
    loss_curve_points,
    model_from_bytes,
    model_to_bytes,
    predict,
    time_hidden_sizes,
    train_model,
)

SAMPLE = load_sample()


def _first(split: MnistSplit, count: int) -> MnistSplit:
    return MnistSplit(split.images[:count], split.labels[:count])


def _talk_by_hand(split: MnistSplit, steps: int, config: TrainConfig) -> torch.nn.Module:
    """The talk's own loop, written out: one image, BCELoss against one-hot, zero_grad, backward, step."""
    model = build_model(config)
    loss_function = torch.nn.MSELoss() if config.loss == "mse" else torch.nn.BCELoss()
    optimiser = torch.optim.SGD(model.parameters(), lr=config.learning_rate)
    for index in range(steps):
        inputs = torch.tensor(split.images[index], dtype=torch.float32) / 255.0
        target = torch.zeros(10)
        target[split.labels[index]] = 1.0
        loss = loss_function(model(inputs), target)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    return model


def test_talk_preset_is_the_talks_network() -> None:
    config = PRESETS["talk"]
    model = build_model(config)
    kinds = [type(layer).__name__ for layer in model]
    assert kinds == ["Linear", "Sigmoid", "Linear", "Sigmoid"]
    assert model[0].weight.shape == (200, 784) and model[2].weight.shape == (10, 200)
    assert (config.loss, config.optimiser, config.learning_rate, config.batch_size, config.epochs) == (
        "bce", "sgd", 0.01, 1, 3)
    assert config.record_every == 10 and not config.shuffle
    assert fast_path_applies(config)


@pytest.mark.parametrize("preset", ["talk", "mlp", "cnn"])
def test_every_preset_maps_a_batch_to_ten_outputs_between_0_and_1(preset: str) -> None:
    config = PRESETS[preset]
    outputs = predict(build_model(config), config, SAMPLE.test.images[:5])
    assert outputs.shape == (5, 10)
    assert outputs.min() >= 0 and outputs.max() <= 1


@pytest.mark.parametrize("loss", ["bce", "mse"])
def test_fast_talk_trainer_gives_the_same_weights_as_autograd(loss: str) -> None:
    config = replace(PRESETS["talk"], loss=loss, epochs=1)
    steps = 200
    fast = train_model(SAMPLE.train, config, max_samples=steps, engine="fast").model
    autograd = train_model(SAMPLE.train, config, max_samples=steps, engine="autograd").model
    by_hand = _talk_by_hand(SAMPLE.train, steps, config)
    start = build_model(config)
    assert not torch.allclose(fast[0].weight, start[0].weight, atol=1e-4)  # training really moved them
    for trained in (autograd, by_hand):
        for mine, reference in zip(fast.parameters(), trained.parameters(), strict=True):
            torch.testing.assert_close(mine, reference, atol=2e-6, rtol=1e-4)


@pytest.mark.parametrize("loss", ["bce", "mse"])
@pytest.mark.parametrize("steps", [1, 50])
def test_the_apps_fast_path_takes_the_shown_loops_steps(loss: str, steps: int) -> None:
    """TalkNetworkFast (the app's fast path) against train_epoch (the plain autograd loop the page shows and the
    notebooks define), from the same weights on the same images: the same weights after, within 2e-6."""
    config = replace(PRESETS["talk"], loss=loss)
    order = np.arange(steps)
    shown = build_model(config)
    optimiser = make_optimiser(config.optimiser, shown, config.learning_rate)
    seen = [done for done, _ in train_epoch(shown, optimiser, loss, SAMPLE.train.images, SAMPLE.train.labels, order,
                                            config.batch_size)]
    assert seen == list(range(1, steps + 1))
    fast_model = build_model(config)
    fast = TalkNetworkFast.from_model(fast_model, config)
    done, stopped = fast.run_epoch(SAMPLE.train, order, 0, 1, trainer._Reporter(steps, None), None, 60.0)
    fast.write_to(fast_model)
    assert (done, stopped) == (steps, None)
    assert not torch.allclose(shown[2].weight, build_model(config)[2].weight, atol=1e-5)  # the step moved them
    for mine, reference in zip(fast_model.parameters(), shown.parameters(), strict=True):
        torch.testing.assert_close(mine, reference, atol=2e-6, rtol=1e-4)


def test_fast_talk_trainer_records_the_loss_every_10_images_like_autograd() -> None:
    config = replace(PRESETS["talk"], epochs=2)
    fast = train_model(SAMPLE.train, config, max_samples=100, engine="fast")
    autograd = train_model(SAMPLE.train, config, max_samples=100, engine="autograd")
    assert [seen for seen, _ in fast.losses] == list(range(10, 201, 10))
    assert [seen for seen, _ in autograd.losses] == [seen for seen, _ in fast.losses]
    np.testing.assert_allclose([v for _, v in fast.losses], [v for _, v in autograd.losses], rtol=1e-4, atol=1e-6)


def test_talk_recipe_on_the_sample_clearly_beats_chance() -> None:
    config = replace(PRESETS["talk"], epochs=1)
    result = train_model(SAMPLE.train, config, test=SAMPLE.test)
    assert result.stopped is None and result.samples_seen == 10_000
    # One image at a time with lr 0.01 starts slowly: about 57% after 10,000 images; chance is 10%.
    assert result.epoch_accuracies[0] > 0.4
    first, last = np.mean([v for _, v in result.losses[:20]]), np.mean([v for _, v in result.losses[-20:]])
    assert last < 0.8 * first


def test_fast_mlp_on_the_sample_reaches_90_percent() -> None:
    config = PRESETS["mlp"]
    result = train_model(SAMPLE.train, config, test=SAMPLE.test)
    assert result.epoch_accuracies[-1] > 0.9
    scores = evaluate(result.model, config, SAMPLE.test)
    assert scores.accuracy == pytest.approx(result.epoch_accuracies[-1])
    assert scores.confusion.sum() == len(SAMPLE.test)
    assert np.trace(scores.confusion) == int(round(scores.accuracy * len(SAMPLE.test)))
    assert len(scores.misclassified) == len(SAMPLE.test) - np.trace(scores.confusion)


def test_cnn_trains_a_little_on_the_sample() -> None:
    config = replace(PRESETS["cnn"], epochs=1)
    result = train_model(SAMPLE.train, config, max_samples=1000, test=_first(SAMPLE.test, 500))
    assert result.epoch_accuracies[0] > 0.3  # chance is 0.1; 16 small steps


def test_stop_flag_ends_training_early() -> None:
    stop = threading.Event()
    stop.set()
    result = train_model(SAMPLE.train, PRESETS["talk"], stop=stop)
    assert result.stopped == "stopped by the visitor"
    assert result.samples_seen < 1000


def test_time_limit_ends_training_and_says_why() -> None:
    result = train_model(SAMPLE.train, PRESETS["talk"], time_limit_s=0.0)
    assert result.stopped is not None and "limit" in result.stopped


def test_training_job_runs_in_the_background_and_reports_progress() -> None:
    finished = threading.Event()
    job = TrainingJob(SAMPLE.train, replace(PRESETS["talk"], epochs=1), torch.device("cpu"),
                      max_samples=2000, on_finish=finished.set).start()
    job.join(60)
    assert finished.is_set() and not job.running and job.error is None
    latest, losses = job.snapshot()
    assert latest.samples_done == 2000 and latest.fraction == 1.0
    assert len(losses) == 200 and job.result.samples_seen == 2000


def test_a_training_job_limits_only_its_own_torch_threads() -> None:
    threads_before = torch.get_num_threads()
    job = TrainingJob(SAMPLE.train, replace(PRESETS["mlp"], epochs=1), torch.device("cpu"), max_samples=256,
                      torch_threads=1).start()
    job.join(60)
    assert job.error is None and torch.get_num_threads() == threads_before


def test_bounds_clamp_and_say_so() -> None:
    config, notes = bound_config(replace(PRESETS["talk"], epochs=50, hidden=5000))
    assert config.epochs == MAX_EPOCHS and config.hidden == MAX_HIDDEN
    assert any("Epochs are limited" in note for note in notes) and len(notes) == 2
    assert bound_config(PRESETS["talk"]) == (PRESETS["talk"], [])


def test_loss_curve_keeps_every_kth_point() -> None:
    losses = [(10 * i, float(i)) for i in range(1, 18_001)]
    seen, values, stride = loss_curve_points(losses, max_points=1500)
    assert stride == 12 and len(seen) == 1500 and seen[0] == 120 and values[-1] == 18_000.0


def test_scaling_experiment_times_each_hidden_size() -> None:
    timings = time_hidden_sizes(SAMPLE.train, [200, 400], torch.device("cpu"), samples=20)
    assert [hidden for hidden, _ in timings] == [200, 400]
    assert all(seconds > 0 for _, seconds in timings)


# ---------------------------------------------------------------- model files


def test_model_file_round_trips() -> None:
    config = replace(PRESETS["mlp"], hidden=64)
    model = build_model(config)
    loaded, loaded_config = model_from_bytes(model_to_bytes(model, config))
    assert loaded_config == config
    images = SAMPLE.test.images[:8]
    np.testing.assert_array_equal(predict(loaded, config, images), predict(model, config, images))


class _Hostile:
    def __reduce__(self):
        return (os.system, ("echo pwned > /tmp/mnist-hostile-test",))


def test_hostile_pickle_is_refused_without_running_it() -> None:
    buffer = io.BytesIO()
    torch.save({"format": "dscl-mnist-model/1", "payload": _Hostile()}, buffer)
    if os.path.exists("/tmp/mnist-hostile-test"):
        os.remove("/tmp/mnist-hostile-test")
    with pytest.raises(ModelFileError, match="not a model file this page can load safely"):
        model_from_bytes(buffer.getvalue())
    assert not os.path.exists("/tmp/mnist-hostile-test")
    with pytest.raises(ModelFileError, match="load safely"):
        model_from_bytes(pickle.dumps(_Hostile(), protocol=2))


@pytest.mark.parametrize(("blob", "message"), [
    (b"definitely not a model", "load safely"),
    (b"", "load safely"),
])
def test_garbage_files_are_refused(blob: bytes, message: str) -> None:
    with pytest.raises(ModelFileError, match=message):
        model_from_bytes(blob)


def _saved(payload: object) -> bytes:
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    return buffer.getvalue()


def test_wrong_shapes_and_settings_are_refused() -> None:
    config = PRESETS["talk"]
    good = torch.load(io.BytesIO(model_to_bytes(build_model(config), config)), weights_only=True)
    with pytest.raises(ModelFileError, match="format tag"):
        model_from_bytes(_saved({"state_dict": good["state_dict"]}))
    lying = dict(good, config=dict(good["config"], hidden=100))
    with pytest.raises(ModelFileError, match="has shape"):
        model_from_bytes(_saved(lying))
    huge = dict(good, config=dict(good["config"], hidden=10**7))
    with pytest.raises(ModelFileError, match="outside"):
        model_from_bytes(_saved(huge))
    odd = dict(good, config=dict(good["config"], loss="hinge"))
    with pytest.raises(ModelFileError, match="loss must be one of"):
        model_from_bytes(_saved(odd))
    poisoned = dict(good, state_dict=dict(good["state_dict"], **{"0.bias": torch.full((200,), float("nan"))}))
    with pytest.raises(ModelFileError, match="NaN"):
        model_from_bytes(_saved(poisoned))


def test_settings_default_to_the_talks_recipe_and_presets_round_trip() -> None:
    from lib.mnist.settings import SETTINGS, config_from_settings, preset_settings

    defaults = {param.key: param.default for param in SETTINGS}
    assert config_from_settings(defaults) == PRESETS["talk"]
    for name in ("talk", "mlp", "cnn"):
        assert config_from_settings({**defaults, "mnist.preset": name, **preset_settings(name)}) == PRESETS[name]
    custom = config_from_settings({**defaults, "mnist.preset": "custom", "mnist.batch_size": 64})
    assert custom.batch_size == 64 and custom.shuffle and custom.record_every == 64
    assert preset_settings("custom") == {}
