"""The checklist content, a team's answers as JSON, progress and the model-card report (lib/methodology/checklist.py)."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.methodology.checklist import (
    MAX_ANSWERS_BYTES,
    STATUSES,
    Answer,
    AnswersError,
    ChecklistError,
    answers_from_json,
    answers_to_json,
    blank_answers,
    load_checklist,
    render_report,
    report_file_name,
    section_progress,
    validate_checklist,
)
from tests.conftest import ROOT

CHECKLIST_FILE = ROOT / "data" / "methodology" / "checklist.yaml"
DEMOS = {"overfitting", "accuracy", "roc", "losses", "hypothesis", "baseline", "bias"}


@pytest.fixture(scope="module")
def checklist():
    return load_checklist(CHECKLIST_FILE)


def test_shipped_checklist_has_the_talks_six_sections_in_order(checklist) -> None:
    assert [s.section_id for s in checklist.sections] == ["why", "what", "how", "how-well", "value", "risks"]


def test_shipped_checklist_holds_every_item_the_issue_lists(checklist) -> None:
    expected = {
        "why.problem", "why.user-needs", "why.ml-needed",
        "what.solutions", "what.baseline",
        "how.data-suitability", "how.data-quality", "how.data-quantity", "how.data-bias", "how.data-dynamics",
        "how.domain-experts", "how.preparation", "how.data-cost", "how.compute-cost", "how.online-offline",
        "how.updating",
        "how-well.hypotheses", "how-well.split", "how-well.cross-validation", "how-well.precision-accuracy",
        "how-well.loss", "how-well.roc", "how-well.scalability",
        "value.benefits-costs", "value.skills-organisation", "value.real-impact",
        "risks.biased-data", "risks.biased-algorithm", "risks.privacy", "risks.should-we",
    }
    assert set(checklist.item_ids()) == expected
    for section in checklist.sections:
        for item in section.items:
            assert item.item_id.startswith(section.section_id + ".")
            assert item.why.endswith(".") and len(item.why) > 20
            assert item.demo is None or item.demo in DEMOS


def _minimal(**item_changes) -> dict:
    item = {"id": "why.problem", "question": "What problem?", "why": "Because."} | item_changes
    return {"title": "T", "sections": [{"id": "why", "title": "Why", "question": "Q?", "card_heading": "H",
                                        "items": [item]}]}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ([], "must be a mapping"),
        ({"title": "T", "sections": []}, "'sections' must be a non-empty list"),
        (_minimal(why=""), "sections[0].items[0].why must be non-empty text"),
        (_minimal(id="Why Problem"), "sections[0].items[0].id 'Why Problem' must be lower-case"),
        (_minimal(demo=3), "sections[0].items[0].demo must be non-empty text"),
    ],
)
def test_a_faulty_checklist_is_refused_naming_the_place(content, message) -> None:
    with pytest.raises(ChecklistError) as error:
        validate_checklist(content)
    assert message in str(error.value)


def test_a_duplicate_item_id_is_refused() -> None:
    content = _minimal()
    content["sections"][0]["items"].append(dict(content["sections"][0]["items"][0]))
    with pytest.raises(ChecklistError, match="used twice"):
        validate_checklist(content)


def test_invalid_yaml_is_refused_with_the_file_name(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("sections: [unclosed", encoding="utf-8")
    with pytest.raises(ChecklistError, match="broken.yaml is not valid YAML"):
        load_checklist(broken)


@settings(max_examples=40, deadline=None)
@given(
    project=st.text(max_size=60),
    choices=st.lists(st.tuples(st.sampled_from(STATUSES), st.text(max_size=200)), min_size=30, max_size=30),
)
def test_answers_survive_a_json_round_trip(project: str, choices) -> None:
    checklist = load_checklist(CHECKLIST_FILE)
    answers = {item_id: Answer(status, notes) for item_id, (status, notes) in zip(checklist.item_ids(), choices, strict=True)}
    loaded_project, loaded = answers_from_json(checklist, answers_to_json(checklist, project, answers).encode("utf-8"))
    assert loaded == answers
    assert loaded_project == " ".join(project.split())


def _saved(checklist, **changes) -> dict:
    payload = json.loads(answers_to_json(checklist, "Tin mine", blank_answers(checklist)))
    payload.update(changes)
    return payload


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe\x00", "not UTF-8"),
        (b"[1, 2, 3]", "not a methodology answers file"),
        (b'{"format": "something-else"}', "not a methodology answers file"),
        (b"[" * 300_000 + b"]" * 300_000, "is at most"),
        (b"[" * 50_000 + b"]" * 50_000, "not valid JSON"),
        (b" " * (MAX_ANSWERS_BYTES + 1), "is at most"),
    ],
)
def test_malformed_answer_files_are_refused_with_a_clear_message(checklist, raw: bytes, message: str) -> None:
    with pytest.raises(AnswersError, match=message):
        answers_from_json(checklist, raw)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"version": 99}, "version 99 is not supported"),
        ({"project": ["a"]}, "'project' must be text"),
        ({"answers": ["why.problem"]}, "'answers' must map"),
        ({"answers": {"why.problem": {"status": "finished"}}}, "status of 'why.problem' must be one of"),
        ({"answers": {"why.problem": {"status": "done", "notes": 5}}}, "notes for 'why.problem' must be text"),
        ({"answers": {"why.problem": {"status": "done", "notes": "x" * 5001}}}, "longer than 5,000"),
        ({"answers": {"why.problem": "done"}}, "must have a status and notes"),
        ({"answers": {"__proto__": {"status": "done"}, "rm -rf": {}}}, "2 item(s) this checklist does not have"),
    ],
)
def test_hostile_answer_files_are_refused_whole(checklist, changes: dict, message: str) -> None:
    raw = json.dumps(_saved(checklist, **changes))
    with pytest.raises(AnswersError) as error:
        answers_from_json(checklist, raw)
    assert message in str(error.value)


def test_nan_in_an_answers_file_is_refused(checklist) -> None:
    raw = answers_to_json(checklist, "x", blank_answers(checklist)).replace('"version": 1', '"version": NaN')
    with pytest.raises(AnswersError, match="NaN"):
        answers_from_json(checklist, raw)


def test_an_old_file_missing_some_items_leaves_them_not_started(checklist) -> None:
    raw = json.dumps(_saved(checklist, answers={"risks.privacy": {"status": "done", "notes": "DPIA signed"}}))
    _, answers = answers_from_json(checklist, raw)
    assert answers["risks.privacy"] == Answer("done", "DPIA signed")
    assert answers["why.problem"] == Answer("not started", "")
    assert len(answers) == len(checklist.item_ids())


def test_progress_counts_done_items_among_the_applicable_ones(checklist) -> None:
    answers = blank_answers(checklist)
    answers["why.problem"] = Answer("done")
    answers["why.user-needs"] = Answer("in progress")
    answers["why.ml-needed"] = Answer("not applicable")
    for item_id in ("risks.biased-data", "risks.biased-algorithm", "risks.privacy", "risks.should-we"):
        answers[item_id] = Answer("not applicable")
    progress = {p.section_id: p for p in section_progress(checklist, answers)}
    assert (progress["why"].done, progress["why"].in_progress, progress["why"].applicable) == (1, 1, 2)
    assert progress["why"].fraction_done == 0.5
    assert progress["risks"].applicable == 0 and progress["risks"].fraction_done == 1.0
    assert progress["how"].fraction_done == 0.0 and progress["how"].total == 11


def test_report_is_a_model_card_with_every_section_status_and_note(checklist) -> None:
    answers = blank_answers(checklist)
    answers["why.problem"] = Answer("done", "Forecast tin demand\n# not a heading\n<script>alert(1)</script>")
    report = render_report(checklist, "Tin  mine\n", answers, on=date(2019, 9, 28))
    lines = report.splitlines()
    assert lines[0] == "# Model card: Tin mine"
    assert "written 2019-09-28" in report
    for heading in ("Purpose and intended use", "Approaches considered", "Data and model", "Evaluation",
                    "Value against cost", "Risks and ethical considerations"):
        assert f"## {heading}" in lines
    assert "- **What problem are we solving, stated without naming a technique?** (done)" in lines
    assert "  Forecast tin demand" in lines
    assert "  \\# not a heading" in lines  # a note cannot add a heading to the card
    assert "<script>" not in report
    assert "| Why | 1 | 0 | 3 |" in lines
    assert report.count("_No notes yet._") == len(checklist.item_ids()) - 1


def test_report_file_names_are_safe_slugs() -> None:
    assert report_file_name("Tin mine / Camborne!", "model-card.md") == "tin-mine-camborne-model-card.md"
    assert report_file_name("../../etc", "answers.json") == "etc-answers.json"
    assert report_file_name("", "answers.json") == "project-answers.json"
