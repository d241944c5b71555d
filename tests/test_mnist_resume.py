"""Resumable model files: a run saved and continued equals the same run done in one go."""
from __future__ import annotations

import io
import threading
from dataclasses import replace

import numpy as np
import pytest
import torch

import lib.mnist.network as network
import lib.mnist.train as trainer
from lib.mnist.config import PRESETS
from lib.mnist.data import load_sample
from lib.mnist.train import (
    MODEL_FORMAT,
    RESUMABLE_FORMAT,
    ModelFileError,
    TrainingJob,
    build_model,
    model_from_bytes,
    model_to_bytes,
    read_model_file,
    train_model,
)

SAMPLE = load_sample()
SAMPLES = 300  # images per epoch: a few seconds for every run here
RECIPES = {"talk": PRESETS["talk"], "mlp without decay": replace(PRESETS["mlp"], decay_lr=False)}


def _largest_difference(first: torch.nn.Module, second: torch.nn.Module) -> float:
    return max(float((a - b).detach().abs().max()) for a, b in zip(first.parameters(), second.parameters(), strict=True))


def _payload(blob: bytes) -> dict:
    return torch.load(io.BytesIO(blob), weights_only=True)


def _saved(payload: object) -> bytes:
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("recipe", list(RECIPES))
def test_one_epoch_saved_and_resumed_equals_two_epochs_in_one_go(recipe: str) -> None:
    config = RECIPES[recipe]
    first = train_model(SAMPLE.train, replace(config, epochs=1), max_samples=SAMPLES)
    resumed = train_model(SAMPLE.train, replace(config, epochs=2), max_samples=SAMPLES, resume_from=first.to_file())
    in_one_go = train_model(SAMPLE.train, replace(config, epochs=2), max_samples=SAMPLES)
    assert _largest_difference(first.model, in_one_go.model) > 1e-3  # the second epoch really moved the weights
    assert _largest_difference(resumed.model, in_one_go.model) <= 1e-6
    np.testing.assert_allclose(resumed.losses, in_one_go.losses, atol=1e-6)  # the old curve, then the new part
    assert (resumed.samples_seen, resumed.samples_done, resumed.epochs_done) == (SAMPLES, 2 * SAMPLES, 2)
    assert not resumed.fresh_optimiser


def test_adam_moments_really_carry_over() -> None:
    config = RECIPES["mlp without decay"]
    first = train_model(SAMPLE.train, replace(config, epochs=1), max_samples=SAMPLES)
    forgetful = first.to_file()
    payload = _payload(forgetful)
    payload["optimiser"] = None  # the same file without Adam's moments
    restarted = train_model(SAMPLE.train, replace(config, epochs=2), max_samples=SAMPLES,
                            resume_from=_saved(payload))
    in_one_go = train_model(SAMPLE.train, replace(config, epochs=2), max_samples=SAMPLES)
    assert restarted.fresh_optimiser
    assert _largest_difference(restarted.model, in_one_go.model) > 1e-4


def test_a_run_stopped_part_way_continues_mid_epoch_with_the_whole_runs_decaying_rate() -> None:
    config = replace(PRESETS["mlp"], epochs=2)  # decay_lr on: the rate falls to 0 over both epochs
    stop = threading.Event()
    stop.set()  # stops after its first step
    part = train_model(SAMPLE.train, config, max_samples=SAMPLES, stop=stop)
    assert part.stopped and part.samples_seen == config.batch_size and part.epochs_done == 0
    resumed = train_model(SAMPLE.train, config, max_samples=SAMPLES, resume_from=part.to_file())
    in_one_go = train_model(SAMPLE.train, config, max_samples=SAMPLES)
    assert _largest_difference(resumed.model, in_one_go.model) <= 1e-6
    assert resumed.samples_done == 2 * SAMPLES and resumed.epochs_done == 2


def test_a_resumed_run_takes_the_one_go_runs_rates_for_its_remaining_epochs(monkeypatch) -> None:
    """Resuming a 1-epoch decaying run to 3 epochs: the rates of epochs 2 and 3 of a 3-epoch run."""
    config = PRESETS["mlp"]
    rates: list[tuple[int, float]] = []
    schedule = network.decayed_rate

    def recorded(learning_rate, done, total):
        rate = schedule(learning_rate, done, total)
        rates.append((done, rate))
        return rate

    monkeypatch.setattr(network, "decayed_rate", recorded)
    first = train_model(SAMPLE.train, replace(config, epochs=1), max_samples=SAMPLES)
    assert rates[-1][1] > 0 and rates[-1][1] < 0.2 * config.learning_rate  # a one-epoch run decays to near 0
    rates.clear()
    train_model(SAMPLE.train, replace(config, epochs=3), max_samples=SAMPLES)
    one_go_later_epochs = [(done, rate) for done, rate in rates if done >= SAMPLES]
    rates.clear()
    train_model(SAMPLE.train, replace(config, epochs=3), max_samples=SAMPLES, resume_from=first.to_file())
    np.testing.assert_allclose(rates, one_go_later_epochs, rtol=1e-12)
    assert rates[0][1] == pytest.approx(config.learning_rate * 2 / 3)  # back up: two thirds of the run remain


def test_the_file_round_trips_every_field() -> None:
    config = replace(RECIPES["mlp without decay"], hidden=32)
    result = train_model(SAMPLE.train, replace(config, epochs=1), max_samples=SAMPLES)
    blob = result.to_file()
    assert _payload(blob)["format"] == RESUMABLE_FORMAT
    loaded = read_model_file(blob)
    assert loaded.resumable and loaded.config == result.config
    assert (loaded.epochs_done, loaded.samples_done, loaded.samples_per_epoch) == (1, SAMPLES, SAMPLES)
    assert loaded.losses == result.losses and len(loaded.losses) == SAMPLES // config.record_every
    assert loaded.shuffle_state == result.shuffle_state
    torch.testing.assert_close(loaded.torch_rng_state, result.torch_rng_state)
    for name, tensor in result.model.state_dict().items():
        torch.testing.assert_close(loaded.model.state_dict()[name], tensor, rtol=0, atol=0)
    assert loaded.optimiser_state["param_groups"] == result.optimiser_state["param_groups"]
    for index, slots in result.optimiser_state["state"].items():
        for slot, value in slots.items():
            torch.testing.assert_close(loaded.optimiser_state["state"][index][slot], value, rtol=0, atol=0)
    assert loaded.as_result().to_file() != b"" and read_model_file(loaded.as_result().to_file()).losses == loaded.losses
    model, same_config = model_from_bytes(blob)  # the evaluation entry point reads the new format too
    assert same_config == result.config


def test_a_file_in_the_first_format_loads_and_continues_with_a_fresh_optimiser() -> None:
    config = replace(RECIPES["mlp without decay"], epochs=1)
    trained = train_model(SAMPLE.train, config, max_samples=SAMPLES)
    legacy = model_to_bytes(trained.model, config)
    assert _payload(legacy)["format"] == MODEL_FORMAT
    loaded = read_model_file(legacy)
    assert not loaded.resumable and loaded.optimiser_state is None and loaded.losses == []
    images = SAMPLE.test.images[:16]
    np.testing.assert_array_equal(trainer.predict(loaded.model, config, images),
                                  trainer.predict(trained.model, config, images))
    continued = train_model(SAMPLE.train, config, max_samples=SAMPLES, resume_from=legacy)
    assert continued.fresh_optimiser and continued.samples_seen == SAMPLES and continued.epochs_done == 1
    assert _largest_difference(continued.model, trained.model) > 1e-4  # it trained on from the file's weights


def test_resuming_with_other_settings_is_refused() -> None:
    config = replace(PRESETS["talk"], epochs=1)
    blob = train_model(SAMPLE.train, config, max_samples=50).to_file()
    with pytest.raises(ValueError, match="learning_rate"):
        train_model(SAMPLE.train, replace(config, epochs=2, learning_rate=0.1), resume_from=blob)


def test_a_resumed_job_reports_only_new_losses_and_snapshots_the_whole_curve() -> None:
    config = replace(PRESETS["talk"], epochs=1)
    blob = train_model(SAMPLE.train, config, max_samples=100).to_file()
    job = TrainingJob(SAMPLE.train, replace(config, epochs=2), torch.device("cpu"), max_samples=100,
                      resume_from=blob).start()
    job.join(60)
    assert job.error is None
    new = [loss for item in job.items() for loss in item.new_losses]
    assert [seen for seen, _ in new] == list(range(110, 201, 10))
    _, whole = job.snapshot()
    assert [seen for seen, _ in whole] == list(range(10, 201, 10))


# ---------------------------------------------------------------- damaged and hostile resumable files


def _good_payload() -> dict:
    config = replace(RECIPES["mlp without decay"], hidden=16, epochs=1)
    return _payload(train_model(SAMPLE.train, config, max_samples=SAMPLES).to_file())


def _with(payload: dict, **changes: object) -> bytes:
    return _saved({**payload, **changes})


def test_malformed_optimiser_states_are_refused() -> None:
    good = _good_payload()
    optimiser = good["optimiser"]
    first_slot = optimiser["state"][0]
    wrong_shape = {**optimiser, "state": {**optimiser["state"], 0: {**first_slot, "exp_avg": torch.zeros(3, 3)}}}
    negative = {**optimiser, "state": {**optimiser["state"], 0: {**first_slot, "exp_avg_sq": -first_slot["exp_avg_sq"]
                                                                  - 1}}}
    unknown_parameter = {**optimiser, "state": {**optimiser["state"], 99: first_slot}}
    odd_slot = {**optimiser, "state": {**optimiser["state"], 0: {**first_slot, "momentum_buffer": torch.zeros(1)}}}
    other_betas = {**optimiser, "param_groups": [{**optimiser["param_groups"][0], "betas": (0.5, 0.5)}]}
    for damaged in ("not a dict", {"state": {}}, wrong_shape, negative, unknown_parameter, odd_slot, other_betas,
                    {**optimiser, "param_groups": [{**optimiser["param_groups"][0], "lr": 5.0}]},
                    {**optimiser, "state": {0: {**first_slot, "step": torch.tensor(float("nan"))}}}):
        with pytest.raises(ModelFileError, match="optimiser state"):
            read_model_file(_with(good, optimiser=damaged))


@pytest.mark.parametrize(("change", "message"), [
    ({"progress": {"epochs_done": -1, "samples_done": 0, "samples_per_epoch": 0}}, "progress"),
    ({"progress": {"epochs_done": 3, "samples_done": 10, "samples_per_epoch": 300}}, "progress"),
    ({"progress": None}, "progress"),
    ({"losses": torch.full((4, 2), float("inf"))}, "loss history"),
    ({"losses": torch.tensor([[50.0, 1.0], [10.0, 1.0]])}, "loss history"),
    ({"losses": [(10, 1.0)]}, "loss history"),
    ({"rng": {"shuffle": {"bit_generator": "MT19937"}, "torch": None}}, "shuffling generator"),
    ({"rng": {"shuffle": {"bit_generator": "PCG64", "state": "?"}, "torch": None}}, "shuffling generator"),
    ({"rng": {"shuffle": None, "torch": torch.zeros(3)}}, "torch generator"),
    ({"rng": None}, "generator states"),
])
def test_damaged_resumable_parts_are_refused(change: dict, message: str) -> None:
    with pytest.raises(ModelFileError, match=message):
        read_model_file(_with(_good_payload(), **change))


def test_a_truncated_resumable_file_is_refused() -> None:
    config = replace(PRESETS["talk"], epochs=1, hidden=20)
    blob = train_model(SAMPLE.train, config, max_samples=50).to_file()
    with pytest.raises(ModelFileError, match="load safely"):
        read_model_file(blob[: len(blob) // 2])


def test_a_hostile_object_inside_a_resumable_file_is_refused() -> None:
    import os

    class Hostile:
        def __reduce__(self):
            return (os.system, ("echo pwned > /tmp/mnist-resume-hostile",))

    good = _payload(model_to_bytes(build_model(PRESETS["talk"]), PRESETS["talk"]))
    blob = _saved({**good, "format": RESUMABLE_FORMAT, "optimiser": Hostile()})
    with pytest.raises(ModelFileError, match="load safely"):
        read_model_file(blob)
    assert not os.path.exists("/tmp/mnist-resume-hostile")


# ---------------------------------------------------------------- the page: Continue training


def _chart_frames(at) -> list:
    import pyarrow as pa

    return [pa.ipc.open_stream(dataset.data.data).read_pandas()
            for chart in at.get("vega_lite_chart") for dataset in chart.proto.datasets]


@pytest.fixture
def _no_full_mnist(monkeypatch, tmp_path) -> None:
    from lib.mnist import data as mnist

    monkeypatch.setenv(mnist.CACHE_ENV_VAR, str(tmp_path / "empty-cache"))


def _uploaded(blob: bytes):
    from app_pages.mnist import EVALUATE
    from tests.helpers import open_page, open_tab

    at = open_page("app_pages/mnist.py")
    open_tab(at, "mnist", EVALUATE)
    at.file_uploader(key="mnist.upload").upload("mnist-model.pt", blob).run()
    assert not at.exception
    return at


def _continue(at, more_epochs: int) -> TrainingJob:
    at.number_input(key="mnist.more_epochs").set_value(more_epochs).run()
    at.button(key="mnist.continue").click().run()
    assert not at.exception
    job = at.session_state["mnist.job"]
    job.join(timeout=120)  # the training thread, not a sleep: the page polls it in the browser
    assert not job.running and job.error is None
    at.run()
    at.run()  # the first rerun keeps and scores the result, then asks for a full rerun
    assert not at.exception
    return job


@pytest.mark.usefixtures("_no_full_mnist")
def test_the_page_continues_an_uploaded_model_and_its_loss_curve() -> None:
    from app_pages.mnist import TRAIN
    from tests.helpers import open_tab

    first = train_model(SAMPLE.train, replace(PRESETS["talk"], epochs=1), max_samples=100)
    at = _uploaded(first.to_file())
    assert any("It has trained 1 epochs (100 images)" in success.value for success in at.success)
    at.number_input(key="mnist.more_epochs").set_value(2).run()
    assert any("Continue trains 2 more, to 3 in all, on 100 images each" in caption.value for caption in at.caption)
    job = _continue(at, 2)
    new = [loss for item in job.items() for loss in item.new_losses]
    assert [seen for seen, _ in new] == list(range(110, 301, 10))  # the job's losses start after the old history
    kept = read_model_file(at.session_state["mnist.model_bytes"])  # what Download now hands out
    assert (kept.epochs_done, kept.samples_done, len(kept.losses)) == (3, 300, 30)
    assert at.metric[0].label == "Test accuracy"  # Evaluate scores the continued model
    open_tab(at, "mnist", TRAIN)
    assert any("Trained on 200 images" in success.value and "went on from 100 images" in success.value
               for success in at.success)
    curves = [frame for frame in _chart_frames(at) if "samples seen" in frame.columns]
    assert len(curves) == 1
    assert curves[0]["samples seen"].tolist() == list(range(10, 301, 10))  # the old curve, then the new points
    np.testing.assert_allclose(curves[0]["loss"][:10], [loss for _, loss in first.losses])


@pytest.mark.usefixtures("_no_full_mnist")
def test_the_page_says_an_older_file_continues_with_a_fresh_optimiser() -> None:
    config = replace(RECIPES["mlp without decay"], epochs=1)
    trained = train_model(SAMPLE.train, config, max_samples=SAMPLES)
    at = _uploaded(model_to_bytes(trained.model, config))
    assert any("older format" in info.value and "fresh optimiser" in info.value for info in at.info)
    assert at.metric[0].label == "Test accuracy"  # it still scores
    at.session_state["mnist.samples"] = SAMPLES  # the Train tab's images per epoch: an older file does not say
    at.run()
    assert any("It has done 0 epochs (0 images). Continue trains 1 more, to 1 in all, on 300 images each"
               in caption.value for caption in at.caption)
    job = _continue(at, 1)
    assert job.result.fresh_optimiser and job.result.epochs_done == 1 and job.result.samples_seen == SAMPLES
