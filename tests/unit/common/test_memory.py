"""After a plan is prepared, the worker gives the parse's freed heap back (common/memory.py).

Measured in a fresh process, so other tests' heap does not blur the figure:
resident memory after preparing a 1,000-page book's plan, before and after the
call. Without it glibc keeps the pages (76 MB resident, then 59 MB after the
call, when this was written).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # a whole process laying out a 1,000-page book


PROBE = textwrap.dedent(
    """
    import json
    from demo.sample_book import make_sample_book
    from stamping.pdf.plan import prepare_plan
    from common.memory import release_free_memory

    def resident_mb():
        with open("/proc/self/status") as status:
            line = next(l for l in status if l.startswith("VmRSS"))
        return int(line.split()[1]) / 1024

    plan = prepare_plan(make_sample_book(1000, images=False))
    before = resident_mb()
    released = release_free_memory()
    print(json.dumps({"before": before, "after": resident_mb(), "released": released}))
    """
)


def test_preparing_a_plan_leaves_no_freed_heap_resident() -> None:
    probe = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        cwd=ROOT,
    )
    figures = json.loads(probe.stdout)
    assert figures["released"] is True  # the image is Debian: glibc
    # The object graph of 1,000 pages is well over 10 MB; all of it is freed by now.
    assert figures["before"] - figures["after"] > 10, figures
