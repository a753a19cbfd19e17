"""The detector, kind by kind, and its precision and recall on the fictional corpus."""

import time
from collections import Counter

import pytest

from reflect.journal.identifiers import GUIDANCE, digest, in_context, nhs_number_valid, scan
from tests.journal_identifiers.corpus import CORPUS


def kinds(text: str) -> list[str]:
    return [f.kind for f in scan(text)]


def found(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in scan(text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Today my client Harriet cried.", ("name", "Harriet")),
        ("Her husband Tom Brackwater rang.", ("name", "Tom Brackwater")),
        ("Mr Patel was quiet.", ("name", "Mr Patel")),
        ("Dr Jones referred him.", ("name", "Dr Jones")),
        ("a woman named Ottilie", ("name", "Ottilie")),
        ("Marisol said it was fine.", ("name", "Marisol")),
        ("I thought of Amelia all week.", ("name", "Amelia")),
    ],
)
def test_it_flags_names(text, expected):
    assert expected in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "Client A said she felt unseen.",
        "Client E was late; C1 and CL2 were not.",
        "my client A arrived early",
        "Using Gibbs and Driscoll, I reflected on the rupture.",
        "In March, on a Monday, we met. May was hard.",
        "She said very little. They told me nothing.",
        "Carl Rogers' core conditions; Bowlby on attachment.",
        "Her husband had left. My client came late.",
    ],
)
def test_it_does_not_flag_codes_months_or_theorists(text):
    assert kinds(text) == []


def test_it_flags_emails():
    assert found("write to clover.fenwick@example.com today") == [("email", "clover.fenwick@example.com")]


@pytest.mark.parametrize(
    "number", ["07700 900461", "0161 496 0753", "+44 7700 900982", "(020) 7946 0018", "07700900461"]
)
def test_it_flags_uk_phone_numbers(number):
    assert found(f"call {number} later") == [("phone", number)]


def test_it_does_not_take_short_numbers_for_phones():
    assert kinds("Session 12 lasted 50 minutes; she scored 7 out of 10.") == []


@pytest.mark.parametrize("postcode", ["SW1A 1AA", "M14 5QX", "PO16 7GZ", "EH1 2NG"])
def test_it_flags_postcodes(postcode):
    assert found(f"She lives at {postcode} now.") == [("postcode", postcode)]


def test_it_does_not_take_codes_or_outward_codes_for_postcodes():
    assert kinds("C1 and A4 paper, the M25 and room B2.") == []


def test_nhs_number_check_digit():
    assert nhs_number_valid("9434765919")
    assert not nhs_number_valid("9434765918")
    assert not nhs_number_valid("94347659")


def test_it_flags_valid_nhs_numbers_only():
    assert found("NHS 943 476 5919") == [("nhs_number", "943 476 5919")]
    assert found("NHS 943-476-5919") == [("nhs_number", "943-476-5919")]
    assert "nhs_number" not in kinds("ref 943 476 5918")


@pytest.mark.parametrize(
    "text",
    ["on 3 March 2026", "on 03/03/2026", "on 3rd of March", "born in 1984", "DOB: 1961", "on 2026-03-03", "May 10th"],
)
def test_it_flags_dates(text):
    assert kinds(text) == ["date"]


@pytest.mark.parametrize("text", ["aged 34", "a 34-year-old", "34 years old", "she is 34"])
def test_it_flags_ages(text):
    assert kinds(text) == ["age"]


def test_it_leaves_life_stages_years_and_session_numbers():
    assert kinds("In her thirties, in 2024 she began; session 4 of 12.") == []


@pytest.mark.parametrize(
    "text, place",
    [
        ("nurse at Larkspur Lane Surgery", "Larkspur Lane Surgery"),
        ("GP at Brambleford Medical Centre", "Brambleford Medical Centre"),
        ("goes to Wrenfield Primary School", "Wrenfield Primary School"),
        ("taught at St Aldric's", "St Aldric's"),
        ("she works at Quillby Logistics Ltd", "Quillby Logistics Ltd"),
        ("he works at Tesco", "Tesco"),
        ("seen at Fernhollow Hospital", "Fernhollow Hospital"),
    ],
)
def test_it_flags_named_places(text, place):
    assert ("place", place) in found(text)


def test_it_does_not_flag_unnamed_places():
    assert kinds("The Academy wrote. Her GP surgery and the hospital; he works at home.") == []
    assert kinds("She started Primary School. The Local Health Centre was shut. At Secondary School he hid.") == []


def test_findings_carry_position_and_guidance():
    text = "My client Harriet lives at SW9 8QT."
    findings = scan(text)
    assert [text[f.start : f.end] for f in findings] == ["Harriet", "SW9 8QT"]
    assert "Client A" in findings[0].guidance
    assert set(GUIDANCE) == {"name", "email", "phone", "postcode", "nhs_number", "date", "age", "place"}


def test_context_keeps_the_text_around_each_finding():
    text = "We began. My client Harriet said <b>nothing</b>."
    row = in_context(text, scan(text))[0]
    assert (row["before"], row["match"]) == ("We began. My client ", "Harriet")
    assert row["after"].startswith(" said <b>")


def test_scan_refuses_what_is_not_text():
    with pytest.raises(TypeError):
        scan(None)


@pytest.mark.parametrize("text", ["0-" * 50_000, "a." * 50_000, "St Aaa's " * 10_000, "Harriet Jones said " * 5_000])
def test_a_long_entry_is_scanned_in_linear_time(text):
    started = time.monotonic()
    scan(text)
    assert time.monotonic() - started < 3  # was 45 s for the first, before the email regex's lookbehind


def test_digest_follows_the_text():
    assert digest("Client A") == digest("Client A") != digest("Client B")


def test_corpus_precision_and_recall(capsys):
    assert len(CORPUS) >= 40
    tp = fp = fn = 0
    for text, expected in CORPUS:
        want, got = Counter(expected), Counter(kinds(text))
        tp += sum((want & got).values())
        fp += sum((got - want).values())
        fn += sum((want - got).values())
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    with capsys.disabled():
        print(f"\nidentifier corpus: {len(CORPUS)} sentences, precision {precision:.3f}, recall {recall:.3f}")
    assert recall >= 0.9
    assert precision >= 0.8
