"""`exlibris reissue PRODUCT`: mail every entitled buyer the new edition, once, with a progress bar.

The console plans (console/reissue_plan.py), then publishes one
EditionReissued per order at `--rate` messages a second, so a launch-sized
list reaches the worker at a pace SendGrid and Cloud Run take in stride (the
SendGrid adapter also waits out any 429 until X-RateLimit-Reset). The work runs
in the worker, where orders run. The bar follows the worker's markers
(`reissues/<slug>/<edition>/done/` and `failed/`, one listing each per poll)
until every order is done or failed. Interrupted, or stalled for `--stall`
seconds, it stops; running the same command again resumes, because orders
done for this edition are left out and the worker refuses to mail twice.
"""

from __future__ import annotations

import argparse
import uuid

from rich.table import Table

from common.messages import EditionReissued, now_iso
from common.orders import Progress as Markers
from console.deps import ConsoleDeps
from console.errors import ConsoleError
from console.listing import checked_imprint
from console.progress import progress_bar
from console.reissue_plan import ReissuePlan, plan_reissue
from console.views import buyer_of

POLL_SECONDS = 1.0


def run_reissue(args: argparse.Namespace, deps: ConsoleDeps) -> int:
    plan = plan_reissue(deps, args.product, args.only, checked_imprint(deps, args.imprint))
    skipped = ", ".join(f"{n} {why}" for why, n in sorted(plan.skipped.items())) or "none"
    deps.out.print(
        f"{plan.product.title} ({plan.product.slug}), edition {plan.edition}: "
        f"{len(plan.to_mail)} to mail; left out: {skipped}"
    )
    if args.dry_run:
        _print_plan(deps, plan, show=args.show_buyers)
        return 0
    if not plan.to_mail:
        deps.out.print("nothing to do: every entitled order has this edition")
        return 0
    request_id = uuid.uuid4().hex
    markers = _publish_and_follow(deps, plan, request_id, args.rate, args.stall)
    wanted = {r.order_id for r in plan.to_mail}
    failed = {k: v for k, v in markers.failed.items() if k in wanted}
    deps.out.print(f"done: {len(wanted & markers.done)} re-issued, {len(failed)} failed")
    for order_id, reason in sorted(failed.items()):
        deps.out.print(f"  {order_id}: {reason}", markup=False)
    if failed:
        raise ConsoleError(
            f"{len(failed)} orders failed; fix the cause, then run the same command again"
        )
    return 0


def _print_plan(deps: ConsoleDeps, plan: ReissuePlan, *, show: bool) -> None:
    if not plan.to_mail:
        deps.out.print("nobody would be mailed")
        return
    table = Table("order", "buyer", "email", "bought", box=None, title="would be mailed")
    for record in plan.to_mail:
        name, email = buyer_of(record, show=show)
        table.add_row(record.order_id, name, email, record.created_at)
    deps.out.print(table)


def _publish_and_follow(
    deps: ConsoleDeps, plan: ReissuePlan, request_id: str, rate: float, stall: float
) -> Markers:
    """Publish paced, poll the markers, draw the bar; the markers when every order settled."""
    publisher = deps.publisher()
    wanted = {r.order_id for r in plan.to_mail}
    total, published = len(wanted), 0
    start = deps.clock()
    markers = Markers(frozenset(), {})
    last_change, last_count, last_poll = start, -1, float("-inf")
    fields = (
        "done {task.fields[done]}  failed {task.fields[failed]}  remaining {task.fields[remaining]}"
    )
    with progress_bar(deps.out, fields) as bar:
        task = bar.add_task("re-issuing", total=total, done=0, failed=0, remaining=total)
        while True:
            while published < total and deps.clock() >= start + published / rate:
                order_id = plan.to_mail[published].order_id
                publisher.publish(reissue_message(plan, order_id, request_id))
                published += 1
            if deps.clock() - last_poll >= POLL_SECONDS or published == total:
                last_poll = deps.clock()
                markers = deps.orders.read_progress(plan.product.slug, plan.edition, request_id)
                done, failed = len(wanted & markers.done), len(wanted & set(markers.failed))
                left = total - done - failed
                bar.update(task, completed=done + failed, done=done, failed=failed, remaining=left)
                if not left:
                    return markers
                if done + failed != last_count:
                    last_count, last_change = done + failed, deps.clock()
                elif published == total and deps.clock() - last_change > stall:
                    raise ConsoleError(
                        f"no progress for {stall:g} s with {left} orders left; see "
                        "`exlibris dead-letters`, then run the same command again to resume"
                    )
            deps.sleep(POLL_SECONDS if published == total else min(POLL_SECONDS, 1 / rate))


def reissue_message(plan: ReissuePlan, order_id: str, request_id: str) -> EditionReissued:
    """The message that re-issues one order of the plan, in this request."""
    return EditionReissued(order_id, plan.product.slug, plan.edition, request_id, now_iso())
