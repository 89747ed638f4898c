"""The health-data guardrail's patterns: what they find, and what they leave alone."""

from __future__ import annotations

import pytest

from ideaboard.services import health_data


@pytest.mark.parametrize(("text", "kind", "found"), [
    ("Her MRN: 00123456 was on the slide", "a medical record number", "MRN: 00123456"),
    ("medical record number 4455-6677", "a medical record number",
     "medical record number 4455-6677"),
    ("Patient ID #A1234567", "a medical record number", "Patient ID #A1234567"),
    ("DOB 03/14/1962", "a date of birth", "DOB 03/14/1962"),
    ("date of birth: 14 March 1962", "a date of birth", "date of birth: 14 March 1962"),
    ("born on March 14, 1962", "a date of birth", "born on March 14, 1962"),
    ("call 555-123-4567 after six", "a phone number", "555-123-4567"),
    ("call (617) 555-0199", "a phone number", "(617) 555-0199"),
    ("ring +44 20 7946 0958", "a phone number", "+44 20 7946 0958"),
    ("write to jane.doe+chat@example.org", "an email address", "jane.doe+chat@example.org"),
    ("my patient John Smith asked", "a patient's name", "patient John Smith"),
    ("the patient named bob", "a patient's name", None),  # no capital: not a name
    ("a patient named Bob", "a patient's name", "patient named Bob"),
    ("patient Mrs. Okafor", "a patient's name", "patient Mrs. Okafor"),
    ("Maria Lopez, a patient of ours", "a patient's name", "Maria Lopez, a patient"),
])
def test_what_looks_like_health_information_is_found(app, text, kind, found):
    with app.app_context():
        findings = health_data.scan({"body": text})
    if found is None:
        assert findings == []
    else:
        assert [(f.field, f.kind, f.found) for f in findings] == [("body", kind, found)]


@pytest.mark.parametrize("text", [
    "A monthly AMA with a CMIO",
    "Patient Portals That Patients Can Use",  # a title, not a name
    "patients can read their notes since 2021",
    "the chat is on 12/05/2026 at noon",  # a date, with no birth around it
    "TEFCA one year in: 3 QHINs, 40 use cases",
    "FHIR R4 version 4.0.1 and HL7 v2.5.1",
    "Follow @HITsm and #HITsm",
    "Cost went from 1,200 to 3,400 dollars",
    "the server at 192.168.100.200 and 10.0.0.1",
])
def test_ordinary_board_text_passes(app, text):
    with app.app_context():
        assert health_data.scan({"body": text}) == []


def test_findings_point_at_the_part_in_its_text(app):
    text = "We saw " + "x" * 40 + " at MRN 12345678 and then " + "y" * 40
    with app.app_context():
        [finding] = health_data.scan({"description": text})
    assert finding.before == "…" + ("x" * 40 + " at ")[-health_data.CONTEXT:]
    assert finding.after == (" and then " + "y" * 40)[:health_data.CONTEXT] + "…"


def test_a_board_sets_its_own_patterns(app):
    app.config["HEALTH_DATA_PATTERNS"] = {"an NHS number": r"\b\d{3} \d{3} \d{4}\b"}
    with app.app_context():
        findings = health_data.scan({"body": "NHS 943 476 5919, mail me at a@b.org"})
    assert [(f.kind, f.found) for f in findings] == [("an NHS number", "943 476 5919")]


def test_several_kinds_are_named_together(app):
    with app.app_context():
        findings = health_data.scan({"body": "DOB 1/2/1960, call 555-123-4567, a@b.org"})
    assert health_data.kinds(findings) == (
        "a date of birth, a phone number and an email address")
