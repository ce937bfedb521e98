"""checkov's exceptions, checked without checkov: each is an inline skip with a
one-line reason, inside the resource it concerns.

checkov itself runs in `bash tools/checkov.sh` (`make checkov`), not here: it
needs its own virtualenv and fails on any failed check, parsing error or
stale skip.
"""

from __future__ import annotations

import re

import pytest

from tests.deploy.terraform import tf_files

SKIP = re.compile(r"#checkov:skip=(CKV2?_[A-Z]+_\d+)(.*)")
RESOURCE = re.compile(r'^resource "[^"]+" "[^"]+" \{$')


def skips() -> list[tuple[str, int, str, str]]:
    """(file, line, check, rest of the comment) for every inline skip."""
    return [
        (p.name, number, *m.groups())
        for p in tf_files()
        for number, line in enumerate(p.read_text().splitlines(), start=1)
        if (m := SKIP.search(line))
    ]


def test_there_are_skips_to_check():
    assert skips()


@pytest.mark.parametrize(("file", "line", "check", "reason"), skips())
def test_every_skip_gives_a_reason(file, line, check, reason):
    assert re.fullmatch(r":\s*\S.{10,}", reason), f"{file}:{line}: {check} needs a one-line reason"


@pytest.mark.parametrize(("file", "line", "check", "reason"), skips())
def test_every_skip_opens_its_resource(file, line, check, reason):
    """A skip sits among the first lines of its resource, before any argument."""
    lines = (tf_files()[0].parent / file).read_text().splitlines()[: line - 1]
    above = [x for x in reversed(lines) if not SKIP.search(x)]
    assert above and RESOURCE.match(above[0]), f"{file}:{line}: {check} is not inside a resource"
