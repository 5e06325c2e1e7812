"""Exports follow each member's consent: real names only with named credit, words only with
consent to being quoted (the CSV keeps them, flagged), and no cell runs as a spreadsheet formula."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from docx import Document

from app.services.container import Services
from app.services.export.consent import NOT_QUOTED
from app.services.group.demo import NOW_DRAFT
from app.services.review.review_dto import ConsentRecord, FacilitatorSession

from .conftest import Project

NAMED = ConsentRecord(participate=True, quote=True, credit="named")
REAL = {"Alex": "Alexandra Realperson", "Sam": "Samuel Otherreal", "Jordan": "Jordan Namedlater"}



def docx_all(path: Path) -> str:
    doc = Document(str(path))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def export_all(services: Services, fs: FacilitatorSession, folder: Path, real_names: bool) -> dict:
    folder.mkdir(exist_ok=True)
    services.exports.docx(fs, folder / "r.docx", real_names=real_names)
    services.exports.markdown(fs, folder / "r.md", real_names=real_names)
    services.exports.csv(fs, folder / "csv", real_names=real_names)
    return {"docx": docx_all(folder / "r.docx"), "md": (folder / "r.md").read_text(encoding="utf-8"),
            "csv": {n: read_csv(folder / "csv" / f"{n}.csv") for n in ("contributions", "stances", "comments",
                                                                         "versions", "endorsements")}}


# --- real names ----------------------------------------------------------------------------------


def test_real_names_only_when_chosen_allowed_and_recorded(services: Services, demo: Project,
                                                         fs: FacilitatorSession, tmp_path: Path):
    for who, real in REAL.items():
        services.participants.set_real_name(fs, demo.member(who), real)
    # Alex: named credit and a real name. Sam: anonymous credit. Jordan: no credit chosen.
    # Priya: named, but no real name recorded.
    services.participants.set_consent(fs, demo.member("Sam"), ConsentRecord(quote=True, credit="anonymous"))
    services.participants.set_consent(fs, demo.member("Jordan"), ConsentRecord(quote=True, credit=None))
    services.drafts.comment(demo.member("Alex"), services.drafts.current_version(demo.now).id, "Well put.")

    plain = export_all(services, fs, tmp_path / "plain", real_names=False)
    for text in (plain["docx"], plain["md"]):
        assert not any(real in text for real in REAL.values())
        assert "Names are pseudonyms;" in text
    assert not any(real in str(plain["csv"]) for real in REAL.values())

    named = export_all(services, fs, tmp_path / "named", real_names=True)
    for text in (named["docx"], named["md"]):
        assert REAL["Alex"] in text and REAL["Sam"] not in text and REAL["Jordan"] not in text
        assert "real names where the person agreed to named credit" in text
        assert "Priya" in text and "Sam" not in text
    assert "| unheard | keyword | 0 | Alexandra Realperson |  |" in named["md"]
    assert f"- {REAL['Alex']}: Well put." in named["md"]
    assert "By Alexandra Realperson" in named["md"]  # the demo's first version is Alex's
    rows = named["csv"]
    authors = {r["text"]: r["author"] for r in rows["contributions"]}
    assert authors["unheard"] == REAL["Alex"] and authors["tickbox"] == "Jordan"
    assert authors["health before social"] == "anonymous"  # Sam: credit anonymous
    assert {r["author"] for r in rows["versions"]} == {REAL["Alex"]}
    assert REAL["Sam"] not in str(rows) and REAL["Jordan"] not in str(rows)


def test_real_names_from_the_service_and_command_line_alike(services: Services, demo: Project,
                                                           fs: FacilitatorSession, tmp_path: Path):
    services.participants.set_real_name(fs, demo.member("Alex"), REAL["Alex"])
    services.exports.markdown(fs, tmp_path / "a.md", real_names=True)
    assert REAL["Alex"] in (tmp_path / "a.md").read_text(encoding="utf-8")
    with pytest.raises(Exception, match="yes or no"):
        services.exports.markdown(fs, tmp_path / "b.md", real_names="yes")  # type: ignore[arg-type]
    assert not (tmp_path / "b.md").exists()


# --- consent to being quoted ---------------------------------------------------------------------


def test_words_of_members_who_did_not_agree_are_not_quoted(services: Services, demo: Project,
                                                           fs: FacilitatorSession, tmp_path: Path):
    sv, jordan, sam = services, demo.member("Jordan"), demo.member("Sam")
    first = sv.drafts.current_version(demo.now).id
    sv.contributions.add(jordan, demo.now, "my own experience, word for word", kind="experience")
    sv.drafts.comment(jordan, first, "private thoughts of Jordan's")
    sv.drafts.comment(sam, first, "Sam says this openly")
    sv.drafts.set_stance(jordan, first, "disagree", "a reason of mine")
    group = sv.drafts.save_version(jordan, demo.now, NOW_DRAFT + " Written by Jordan for the group.", first,
                                   "my own note on it").record_id
    sv.participants.set_consent(fs, jordan, ConsentRecord(participate=True, quote=False, credit="named"))

    out = export_all(services, fs, tmp_path, real_names=False)
    # Jordan's keywords are "tickbox" (also in the group's definition) and "enabling".
    withheld = ("enabling", "my own experience, word for word", "private thoughts of Jordan",
                "my own note on it", "a reason of mine")
    for text in (out["docx"], out["md"]):
        for words in withheld:
            assert words not in text, words
        assert "Sam says this openly" in text and "unheard" in text
        # Definitions are the group's text, whoever typed the version.
        assert NOW_DRAFT + " Written by Jordan for the group." in text
        assert "5 texts are shown as" in text and "not agreed to being quoted" in text
    md_placeholder = NOT_QUOTED.replace("[", "\\[").replace("]", "\\]")
    assert f"| {md_placeholder} | keyword | 2 | Jordan |  |" in out["md"]  # was "tickbox"
    assert "| tickbox |" not in out["md"] and "\ntickbox\n" not in out["docx"]
    assert f"- Jordan: {md_placeholder}" in out["md"]
    doc_rows = [line for line in out["docx"].splitlines() if line == NOT_QUOTED]
    assert len(doc_rows) >= 3

    # The CSV files are analysis data: every text stays, with whether it may be quoted.
    rows = out["csv"]
    contributions = {r["text"]: r["may_quote"] for r in rows["contributions"]}
    assert contributions["tickbox"] == "0" and contributions["my own experience, word for word"] == "0"
    assert contributions["unheard"] == "1"
    comments = {r["text"]: r["may_quote"] for r in rows["comments"]}
    assert comments == {"private thoughts of Jordan's": "0", "Sam says this openly": "1"}
    assert [r["may_quote"] for r in rows["stances"]] == ["0"]
    notes = {r["id"]: (r["note"], r["note_may_quote"]) for r in rows["versions"]}
    assert notes[group] == ("my own note on it", "0")
    assert notes[first] == ("First draft from our keywords", "1")


def test_words_with_no_known_writer_need_everyone_to_agree(services: Services, demo: Project,
                                                           fs: FacilitatorSession, tmp_path: Path):
    sv = services
    sv.contributions.add(demo.member("Kai"), demo.now, "nobody knows I said this", anonymous=True)
    sv.contributions.add(demo.facilitator, demo.now, "the facilitator's prompt word")
    sv.exports.markdown(fs, tmp_path / "a.md")
    text = (tmp_path / "a.md").read_text(encoding="utf-8")
    assert "nobody knows I said this" in text  # every participant agreed to being quoted
    # One participant says no: anonymous words could be theirs, so they are not quoted.
    sv.participants.set_consent(fs, demo.member("Priya"), ConsentRecord(participate=True, quote=False))
    sv.exports.markdown(fs, tmp_path / "b.md")
    text = (tmp_path / "b.md").read_text(encoding="utf-8")
    assert "nobody knows I said this" not in text
    assert "the facilitator's prompt word" in text  # the research team's own words
    sv.exports.csv(fs, tmp_path / "csv")
    rows = {r["text"]: r["may_quote"] for r in read_csv(tmp_path / "csv" / "contributions.csv")}
    assert rows["nobody knows I said this"] == "0" and rows["the facilitator's prompt word"] == "1"
    # After a withdrawal, anonymous words may be the withdrawn member's: never quoted again.
    sv.participants.set_consent(fs, demo.member("Priya"), ConsentRecord(participate=True, quote=True))
    sv.participants.withdraw(fs, demo.member("Sam"), "delete")
    sv.exports.markdown(fs, tmp_path / "c.md")
    assert "nobody knows I said this" not in (tmp_path / "c.md").read_text(encoding="utf-8")


# --- CSV cells that look like formulas -----------------------------------------------------------


@pytest.mark.parametrize("text", ['=HYPERLINK("http://evil.example","click")', "+1+1", "-2+3", "@SUM(A1)",
                                  "\tTab first", "\rReturn first"])
def test_csv_cells_never_start_a_formula(services: Services, demo: Project, fs: FacilitatorSession,
                                         tmp_path: Path, text: str):
    sv = services
    sv.contributions.add(demo.member("Alex"), demo.now, text)
    sv.drafts.comment(demo.member("Sam"), sv.drafts.current_version(demo.now).id, text)
    sv.exports.csv(fs, tmp_path / "csv")
    raw = (tmp_path / "csv" / "contributions.csv").read_text(encoding="utf-8-sig")
    contributions = read_csv(tmp_path / "csv" / "contributions.csv")
    comments = read_csv(tmp_path / "csv" / "comments.csv")
    assert "'" + text in [r["text"] for r in contributions]
    assert "'" + text in [r["text"] for r in comments]
    for rows in (contributions, comments):
        for row in rows:
            for value in row.values():
                assert not value or value[0] not in "=+-@\t\r", value
    assert f",{text}," not in raw
    # Ordinary text is untouched.
    assert "unheard" in [r["text"] for r in contributions]
