"""Where each mark of a finding was read: the evidence report lists it mark by mark."""

from __future__ import annotations

from stamping.evidence import Evidence, findings_of
from stamping.trace import Finding, Place

CODE = "AAAA-BBBB-CCCC"


def test_each_mark_keeps_its_own_pages_and_documents() -> None:
    evidence = [
        Evidence("o1", CODE, "docinfo", None),
        Evidence("o1", CODE, "pieceinfo", 2),
        Evidence("o1", CODE, "pieceinfo", 3),
        Evidence(None, CODE, "text", 3),
        Evidence("o1", CODE, "comment", None, "OEBPS/ch1.xhtml"),
    ]
    [finding] = findings_of(evidence, None, ("docinfo", "pieceinfo", "comment", "text"))
    assert finding.places == (
        Place("docinfo"),
        Place("pieceinfo", (2, 3)),
        Place("comment", documents=("OEBPS/ch1.xhtml",)),
        Place("text", (3,)),
    )


def test_places_do_not_change_what_a_finding_equals() -> None:
    [finding] = findings_of([Evidence("o1", CODE, "xmp", None)], None, ("xmp",))
    assert finding == Finding("o1", CODE, None, ("xmp",), ())
