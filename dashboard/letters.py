"""Dead letters: why each one failed, and replaying one or all (console/letters.py's own)."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from console.errors import ConsoleError
from console.letters import all_letters, find_letter, replay_letter
from console.views import letter_view
from dashboard._pages import console, refuse, shown

bp = Blueprint("letters", __name__)


@bp.get("/dead-letters")
def letters_page() -> str:
    views = [letter_view(letter) for _, letter in all_letters(console())]
    replayed, failed = request.args.get("replayed", ""), request.args.get("failed", "")
    return render_template("dead_letters.html", letters=views, replayed=replayed, failed=failed)


@bp.post("/dead-letters/replay")
def replay() -> WerkzeugResponse:
    deps = console()
    if shown(request.form.get("all", "")):
        chosen = [item for item in all_letters(deps) if item[1].replayable]
    else:
        try:
            chosen = [find_letter(deps, request.form.get("id", "").strip()[:200])]
        except ConsoleError as exc:
            refuse(exc)
    problems = [
        problem for reader, letter in chosen if (problem := replay_letter(deps, reader, letter))
    ]
    deps.drain(60.0)
    done = f"{len(chosen) - len(problems)} of {len(chosen)}"
    return redirect(
        url_for("letters.letters_page", replayed=done, failed="; ".join(problems)[:2000]),
        code=303,
    )
