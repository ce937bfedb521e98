"""The line-shift mark in a trace: the copy's pages against the original's, every issued code
scored, and only a match beyond doubt named (stamping/pdf/lineshift).

The candidates are the codes the shop issued (the caller's `Original`) and
the authentic codes the other marks found. A code is named only when the
chance that any wrong one matches as well is below FALSE_ALARM; the note
says how sure, and how many lines and candidates it rests on.
"""

from __future__ import annotations

import pikepdf

from stamping.evidence import Evidence
from stamping.pdf.lineshift import FALSE_ALARM, named, read_moves
from stamping.raster import RenderFailed
from stamping.stamp import TraceError
from stamping.trace import Checker, Original


def line_evidence(
    data: bytes,
    pages: int,
    original: Original,
    found: tuple[list[Evidence], Checker | None],
    notes: list[str],
) -> list[Evidence]:
    """Evidence of the orders whose line-shift pattern the copy carries; notes say how sure."""
    evidence, check = found
    try:
        readings = read_moves(original.data, data, pages, original.render)
    except RenderFailed as exc:
        notes.append(f"the line-shift mark was not read: {exc}")
        return []
    except (pikepdf.PdfError, ValueError) as exc:
        raise TraceError(f"cannot read the original as a PDF ({exc})") from None
    if not readings.moves:
        notes.append("line-shift mark: no carrying page of the original lines up with the copy's")
        return []
    known = [e.code for e in evidence if e.code and (check is None or check(e.code))]
    candidates = list(dict.fromkeys([*original.candidates(), *known]))
    matches = named(readings, candidates)
    where = f"{len(readings.moves)} lines on {readings.pages} page(s)"
    for code, score in matches:
        chance = max(score.bound * len(candidates), 1e-300)
        notes.append(
            f"line-shift mark: {code} matches on {where} (z = {score.z:.1f}); the chance that "
            f"any of the {len(candidates)} candidate(s) matches this well by accident is "
            f"below {chance:.0e}"
        )
    if not matches:
        best = max((readings.score(c).z for c in candidates), default=0.0)
        notes.append(
            f"line-shift mark: none of {len(candidates)} candidate(s) matches ({where} read, "
            f"best z = {best:.1f}); a code is named only when a wrong one would match less "
            f"than once in {1 / FALSE_ALARM:.0e} traces"
        )
    numbers = sorted({r.page for r in readings.moves})
    return [Evidence(None, code, "lines", page) for code, _ in matches for page in numbers]
