"""What a stamped copy must keep: the checks preflight runs on its trial copy (and the tests reuse).

Every entry of the original is in the copy, and those the stamper does not
rewrite are byte-identical (same CRC, same compressed bytes); `mimetype` is
first and stored; the unique identifier, which keys font obfuscation, is the
same string; the spine is the original's, in order, plus one page.
"""

from __future__ import annotations

from stamping.epub.archive import STORED
from stamping.epub.book import Book, open_book
from stamping.epub.plan import Plan
from stamping.stamp import StampError


def copy_problems(original: Book, plan: Plan, copy: bytes) -> list[str]:
    """What the copy lost or changed that it must not have; empty when it is faithful."""
    try:
        stamped = open_book(copy, original=False)
    except StampError as exc:
        return [f"the copy cannot be read back: {exc}"]
    archive, package, problems = stamped.archive, stamped.package, []
    first = archive.entries[0]
    if first.name != "mimetype" or first.method != STORED:
        problems.append("mimetype is not the first, stored entry of the copy")
    rewritten = {t.path for t in plan.targets} | {original.package.path, "mimetype"}
    for entry in original.archive.entries:
        if not archive.has(entry.name):
            problems.append(f"{entry.name} is missing from the copy")
        elif entry.name not in rewritten:
            twin = archive.entry(entry.name)
            if twin.crc != entry.crc or archive.payload(twin) != original.archive.payload(entry):
                problems.append(f"{entry.name} changed in the copy")
    if package.unique_id != original.package.unique_id:
        problems.append("the unique identifier changed (obfuscated fonts would break)")
    before = [r.item.id for r in original.package.spine]
    after = [r.item.id for r in package.spine]
    if [i for i in after if i in before] != before or len(after) != len(before) + 1:
        problems.append("the spine is not the original's plus one page")
    return problems
