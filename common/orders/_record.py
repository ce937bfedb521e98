"""Order records: the one source of truth for what happened to an order.

`orders/<order id>.json` in the delivery bucket. Only the worker writes it:
it creates the record only if absent and advances it only with a generation
precondition, so concurrent redeliveries agree on one history. Every change
goes through a transition method below, which checks that the change is
allowed from the current status and appends it to the history; the methods
are pure (the caller passes the time), so the state machine is tested
without storage or Flask.

    (none) → received → stamped → mailing → mailed        (or revoked at any point)
                                        revoked → restored to where it was (a won chargeback)

A Classic fulfilment webhook without the buyer's email makes a `received`
record without a buyer; the payment_succeeded alert of the same order names
the buyer (buyer_resolved) and fulfilment goes on. A partial refund revokes
single files (files_revoked) and leaves the status alone, unless it took
every file. A copy deleted by the bucket's lifecycle rule is made again on
demand (copies_remade). Such changes keep the status and still leave a
history entry, so the history tells the whole story.

Besides the status, a deliverable record may have its copies re-stamped from
a new edition (`restamped`) and more mails sent (`mail_sent`); both append to
the record without moving the status. Each mail keeps what the provider last
said of it (`mail_event`: SendGrid's Event Webhook, worker/use_cases/_mail_events.py):
`accepted` when sent, then `delivered`, `deferred`, `bounced`, `dropped` or
`spam`. An order whose last mail bounced or was dropped is `undeliverable`.

How it is stored and advanced under preconditions is common/order_store.py.
Download counts are not in the record: the service keeps them in their own
objects (common/download_counts.py), so each field has one writer. Indexes
sit beside the record (common/order_index.py lays them out):
`customers/<sha256 of the lower-cased email>/<order id>` (the re-send page and
`exlibris orders --email`), `codes/<serial>` (the stamp-code check), and the
product and date indexes under `index/`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    RECEIVED = "received"
    STAMPED = "stamped"
    MAILING = "mailing"
    MAILED = "mailed"
    REVOKED = "revoked"


# Statuses whose copies exist (or are made again on demand) and whose links may be used.
DELIVERABLE = frozenset({Status.STAMPED, Status.MAILING, Status.MAILED})
# Revocations a later event may take back: a chargeback the seller won. A refund is final.
RESTORABLE = frozenset({"chargeback"})
ERASED = "buyer data erased on request"  # the revocation an erasure makes
_CORRECTED = "address corrected to "


class MailStatus(StrEnum):
    """What the provider last said of a mail (SendGrid's events, mapped in common/mail_events)."""

    ACCEPTED = "accepted"  # sent (SMTP 250, SendGrid 202 or its `processed` event)
    DEFERRED = "deferred"  # the receiving server said "later"; the provider keeps trying
    DELIVERED = "delivered"
    BOUNCED = "bounced"
    DROPPED = "dropped"  # the provider refused to try (a suppressed or invalid address)
    SPAM = "spam"  # the buyer marked it as spam


# What no later event takes back, except a later final one (a bounce after delivered, a
# spam report): events come in any order, so a deferral never downgrades these.
FINAL_MAIL_STATUSES = frozenset(
    {MailStatus.DELIVERED, MailStatus.BOUNCED, MailStatus.DROPPED, MailStatus.SPAM}
)
# The buyer did not get the mail: the order needs the author (`orders --status undeliverable`).
UNDELIVERED = frozenset({MailStatus.BOUNCED, MailStatus.DROPPED})
_FAILED = UNDELIVERED | {MailStatus.SPAM}  # worth a line in the order's history
_MAIL_RANK = {status: rank for rank, status in enumerate(MailStatus)}


class InvalidTransition(ValueError):
    """The change is not allowed from the record's current status."""


@dataclass(frozen=True)
class DeliveredFile:
    source: str
    object_name: str
    filename: str
    stamped: bool
    source_generation: int = 0  # the original's generation the copy was made from (0: none yet)
    item_id: str = ""  # the Billing transaction item that bought it ("" for Classic)
    size: int = 0  # bytes of the stored copy (0: not recorded)
    revoked_at: str = ""  # set when a partial refund took this file back
    revoked_reason: str = ""


@dataclass(frozen=True)
class StatusChange:
    status: Status
    at: str
    note: str = ""


@dataclass(frozen=True)
class SentMail:
    kind: str  # "delivery", "links-resent", "new-edition" or "kindle"
    provider_id: str
    at: str
    # Set for a mail not to the order's address (a Kindle's), and only masked (j***@k***.com):
    # the address itself is kept nowhere (common/kindle.py).
    to: str = ""
    status: MailStatus = MailStatus.ACCEPTED
    status_at: int = 0  # the provider's time of the event that set the status (epoch seconds)
    reason: str = ""  # the provider's words for a bounce, drop or deferral
    event_id: str = ""  # the provider's id of that event (a repeat of it changes nothing)

    def newer(self, status: MailStatus, timestamp: int) -> bool:
        """Whether an event says more than the status held: a final one, then the later one."""

        def key(s: MailStatus, t: int) -> tuple[bool, int, int]:
            return (s in FINAL_MAIL_STATUSES, t, _MAIL_RANK[s])

        return key(status, timestamp) > key(self.status, self.status_at)


@dataclass(frozen=True)
class EmailChange:
    """The author corrected the address the order's mails go to (`exlibris resend --to`)."""

    email: str  # the corrected address; buyer_email keeps the one the buyer gave
    reason: str
    by: str
    at: str


@dataclass(frozen=True)
class OrderRecord:
    order_id: str
    status: Status
    title: str
    buyer_name: str
    buyer_email: str
    code: str
    created_at: str
    files: tuple[DeliveredFile, ...] = ()
    history: tuple[StatusChange, ...] = ()
    mails: tuple[SentMail, ...] = ()
    mail_id: str = ""
    mail_claimed_at: float = 0.0
    mailed_at: str = ""
    revoked_at: str = ""
    revoked_reason: str = ""
    revoked_by: str = ""  # "paddle" (refund, chargeback) or who revoked it from the console
    products: tuple[str, ...] = ()  # catalog slugs bought
    paddle_ids: tuple[str, ...] = ()  # the product and price ids Paddle named (Paddle orders)
    source: str = ""  # the merchant's kind of webhook: Paddle's "billing" or "classic"
    merchant: str = "paddle"  # who sold it: a catalog prefix ("stripe", …) or "gift"
    product_ids: tuple[str, ...] = ()  # what the merchant named, qualified: "paddle:pri_…"
    item_ids: tuple[str, ...] = ()  # every line item of the sale, books or not (refunds name them)
    customer_id: str = ""  # Paddle Billing customer id
    email_changes: tuple[EmailChange, ...] = ()  # corrected addresses, oldest first
    note: str = ""  # a gift's note from the author, shown in its mail
    language: str = ""  # the store's language for the buyer (common/i18n); "": none sent
    # The catalog imprint it was sold under (catalog.imprint_of its products), kept so its
    # mails and pages keep that name if the catalog changes; "": the shop's own name (or a
    # record of before imprints: the catalog decides).
    imprint: str = ""
    erased_at: str = ""  # the buyer's data was erased on request (`exlibris forget`)
    erased_by: str = ""

    @property
    def mail_to(self) -> str:
        """Where the order's mails go: the latest corrected address, else the buyer's own.

        buyer_email stays the address the buyer gave: it is stamped in the copies and
        `trace` names it, so a correction changes where mail goes, not whose copy it is.
        """
        return self.email_changes[-1].email if self.email_changes else self.buyer_email

    @classmethod
    def received(cls, *, at: str, **facts: Any) -> OrderRecord:
        """A new record: the buyer is known, the copies are still to be made."""
        return cls(
            status=Status.RECEIVED,
            created_at=at,
            history=(StatusChange(Status.RECEIVED, at),),
            **facts,
        )

    @classmethod
    def revoked_stub(cls, order_id: str, *, at: str, reason: str, by: str = "") -> OrderRecord:
        """A refund that came before the purchase: nothing will ever be delivered."""
        return cls(
            order_id=order_id,
            status=Status.REVOKED,
            title="",
            buyer_name="",
            buyer_email="",
            code="",
            created_at=at,
            history=(StatusChange(Status.REVOKED, at, reason),),
            revoked_at=at,
            revoked_reason=reason,
            revoked_by=by,
        )

    @property
    def deliverable(self) -> bool:
        return self.status in DELIVERABLE

    @property
    def awaiting_buyer(self) -> bool:
        """Received from a fulfilment webhook that did not name the buyer."""
        return self.status == Status.RECEIVED and not self.buyer_email

    @property
    def live_files(self) -> tuple[int, ...]:
        """Indexes of the files no refund took back."""
        return tuple(n for n, f in enumerate(self.files) if not f.revoked_at)

    def files_of_items(self, item_ids: tuple[str, ...]) -> tuple[int, ...]:
        """Indexes of the files these Billing transaction items delivered."""
        wanted = set(item_ids)
        return tuple(n for n, f in enumerate(self.files) if f.item_id and f.item_id in wanted)

    def buyer_resolved(self, *, name: str, email: str, at: str) -> OrderRecord:
        """The payment_succeeded alert named the buyer the fulfilment webhook left out."""
        if not self.awaiting_buyer:
            raise InvalidTransition(f"order {self.order_id} already has its buyer")
        note = "buyer named by the payment_succeeded alert"
        change = StatusChange(self.status, at, note)
        return replace(self, buyer_name=name, buyer_email=email, history=(*self.history, change))

    def stamped(self, files: tuple[DeliveredFile, ...], *, at: str) -> OrderRecord:
        """Every copy is stored, made from these generations of the originals."""
        self._require(Status.RECEIVED)
        if self.awaiting_buyer:
            raise InvalidTransition(f"order {self.order_id} has no buyer to stamp for yet")
        return replace(self._moved(Status.STAMPED, at), files=files)

    def mail_claimed(self, *, now: float, at: str) -> OrderRecord:
        """One delivery claims the mail; a stale claim (a crashed sender) may be taken over."""
        self._require(Status.STAMPED, Status.MAILING)
        return replace(self._moved(Status.MAILING, at), mail_claimed_at=now)

    def claim_released(self, *, at: str, note: str = "mail refused") -> OrderRecord:
        """The provider refused the mail, so nothing was sent: the next delivery tries again."""
        self._require(Status.MAILING)
        return replace(self._moved(Status.STAMPED, at, note), mail_claimed_at=0.0)

    def mailed(self, *, provider_id: str, at: str) -> OrderRecord:
        """The delivery mail was accepted by the provider."""
        self._require(Status.MAILING)
        moved = self._moved(Status.MAILED, at)
        mails = (*self.mails, SentMail("delivery", provider_id, at))
        return replace(moved, mail_id=provider_id, mailed_at=at, mails=mails)

    def mail_resent(self, *, provider_id: str, at: str) -> OrderRecord:
        """Fresh links went out again; the status does not change."""
        return self.mail_sent("links-resent", provider_id=provider_id, at=at)

    def mail_sent(self, kind: str, *, provider_id: str, at: str, to: str = "") -> OrderRecord:
        """Another mail about a delivered order went out (re-send, new edition, Kindle)."""
        if not self.deliverable:
            raise InvalidTransition(f"order {self.order_id} is {self.status}: nothing to mail")
        return replace(self, mails=(*self.mails, SentMail(kind, provider_id, at, to)))

    @property
    def undeliverable(self) -> bool:
        """The last mail bounced or was dropped: the buyer has no links until the author acts."""
        return bool(self.mails) and self.mails[-1].status in UNDELIVERED

    def mail_index(self, message_id: str) -> int | None:
        """Which mail the provider's event names, or None.

        SendGrid's events carry sg_message_id, the X-Message-Id its send answered (our
        provider_id) followed by a dot and its own suffix.
        """
        for n in reversed(range(len(self.mails))):
            sent = self.mails[n].provider_id
            if sent and (message_id == sent or message_id.startswith(f"{sent}.")):
                return n
        return None

    def mail_event(
        self, index: int, *, status: MailStatus, timestamp: int, event_id: str, reason: str, at: str
    ) -> OrderRecord:
        """The provider said this of mail `index`; a repeat or an older event changes nothing."""
        mail = self.mails[index]
        if (event_id and event_id == mail.event_id) or not mail.newer(status, timestamp):
            return self
        reason = " ".join(reason.split())[:300]
        changed = replace(
            mail, status=status, status_at=timestamp, reason=reason, event_id=event_id
        )
        mails = (*self.mails[:index], changed, *self.mails[index + 1 :])
        if status not in _FAILED:
            return replace(self, mails=mails)
        note = f"{mail.kind} mail {status}" + (f": {reason}" if reason else "")
        change = StatusChange(self.status, at, note)
        return replace(self, mails=mails, history=(*self.history, change))

    def email_corrected(self, *, email: str, reason: str, by: str, at: str) -> OrderRecord:
        """Mail goes to this address from now on; the history says why. Idempotent."""
        if not self.deliverable:
            raise InvalidTransition(f"order {self.order_id} is {self.status}: nothing to mail")
        if email == self.mail_to:
            return self  # a redelivered request, or the address it has already
        change = StatusChange(
            self.status, at, f"{_CORRECTED}{email} by {by or 'the author'}: {reason}"
        )
        return replace(
            self,
            email_changes=(*self.email_changes, EmailChange(email, reason, by, at)),
            history=(*self.history, change),
        )

    def restamped(self, files: tuple[DeliveredFile, ...], *, at: str, note: str) -> OrderRecord:
        """The copies were made again (a new edition); the history says so, the status stays."""
        if not self.deliverable:
            raise InvalidTransition(f"order {self.order_id} is {self.status}: nothing to re-stamp")
        if len(files) != len(self.files):
            raise InvalidTransition(f"order {self.order_id} has {len(self.files)} files")
        return replace(self._moved(self.status, at, note), files=files)

    def revoked(self, *, reason: str, at: str, by: str = "") -> OrderRecord:
        """A refund, chargeback or the author took the copy back; idempotent."""
        if self.status == Status.REVOKED:
            return self
        moved = self._moved(Status.REVOKED, at, reason)
        return replace(moved, revoked_at=at, revoked_reason=reason, revoked_by=by)

    @property
    def emails(self) -> tuple[str, ...]:
        """Every address the order had: the buyer's own, then each correction, each once."""
        found = [self.buyer_email, *(c.email for c in self.email_changes)]
        return tuple(dict.fromkeys(e for e in found if e))

    def erased(self, *, at: str, by: str) -> OrderRecord:
        """The buyer asked to be forgotten: name, addresses, customer id and note go; the
        order keeps its id, products, dates and code. Revoked, so nothing is stamped or
        mailed for it again. Idempotent."""
        if self.erased_at:
            return self
        revoked = self.revoked(reason=ERASED, at=at, by=by)
        addresses = self.emails
        history = tuple(replace(h, note=_without(h.note, addresses)) for h in revoked.history)
        # A bounce's reason often quotes the address ("550 <ada@…>: no such user").
        mails = tuple(replace(m, reason=_without(m.reason, addresses)) for m in self.mails)
        change = StatusChange(Status.REVOKED, at, f"buyer data erased on request of {by}")
        return replace(
            revoked,
            buyer_name="",
            buyer_email="",
            email_changes=(),
            customer_id="",
            note="",
            erased_at=at,
            erased_by=by,
            history=(*history, change),
            mails=mails,
        )

    def files_of(self, sources: frozenset[str] | set[str]) -> tuple[int, ...]:
        """Indexes of the files made from these originals."""
        return tuple(n for n, f in enumerate(self.files) if f.source in sources)

    def copies_current(self, generations: Mapping[str, int]) -> bool:
        """True when every file made from these originals was made from these generations."""
        return all(
            f.source_generation == generations[f.source]
            for f in self.files
            if f.source in generations
        )

    def files_revoked(self, indexes: tuple[int, ...], *, reason: str, at: str) -> OrderRecord:
        """A partial refund took these files back; every file taken revokes the order."""
        if any(not 0 <= n < len(self.files) for n in indexes):
            raise InvalidTransition(f"order {self.order_id} has no file {indexes}")
        taken = sorted({n for n in indexes if not self.files[n].revoked_at})
        if not taken or self.status == Status.REVOKED:
            return self
        files = tuple(
            replace(f, revoked_at=at, revoked_reason=reason) if n in taken else f
            for n, f in enumerate(self.files)
        )
        which = f"file{'s' if len(taken) > 1 else ''} {', '.join(map(str, taken))}"
        change = StatusChange(self.status, at, f"{which} revoked: {reason}")
        record = replace(self, files=files, history=(*self.history, change))
        return record.revoked(reason=reason, at=at) if not record.live_files else record

    def restored(self, *, at: str, note: str) -> OrderRecord:
        """A chargeback was reversed: back to where the order was before it (mailing: stamped)."""
        self._require(Status.REVOKED)
        if self.erased_at:
            raise InvalidTransition(f"order {self.order_id}'s buyer data was erased")
        if self.revoked_reason not in RESTORABLE:
            raise InvalidTransition(f"a {self.revoked_reason or 'revocation'} is not reversible")
        before = [h.status for h in self.history if h.status != Status.REVOKED]
        if not before:
            raise InvalidTransition(f"order {self.order_id} was never delivered")
        status = Status.STAMPED if before[-1] == Status.MAILING else before[-1]
        moved = self._moved(status, at, note)
        return replace(moved, revoked_at="", revoked_reason="", mail_claimed_at=0.0)

    def copies_remade(
        self, files: tuple[DeliveredFile, ...], indexes: tuple[int, ...], *, at: str
    ) -> OrderRecord:
        """Copies the bucket's lifecycle rule deleted were stamped again from the originals."""
        if not self.deliverable:
            raise InvalidTransition(f"order {self.order_id} is {self.status}: no copies to make")
        which = ", ".join(map(str, indexes))
        change = StatusChange(self.status, at, f"copy {which} re-stamped")
        return replace(self, files=files, history=(*self.history, change))

    def _require(self, *allowed: Status) -> None:
        if self.status not in allowed:
            wanted = " or ".join(allowed)
            raise InvalidTransition(f"order {self.order_id} is {self.status}, not {wanted}")

    def _moved(self, status: Status, at: str, note: str = "") -> OrderRecord:
        return replace(self, status=status, history=(*self.history, StatusChange(status, at, note)))

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1).encode()

    @classmethod
    def from_json(cls, data: bytes) -> OrderRecord:
        """Parse a record; fields a newer version added are skipped (rolling deploys)."""
        known = {f.name for f in fields(cls)}
        stored = json.loads(data)
        raw = {k: v for k, v in stored.items() if k in known}
        raw["status"] = Status(raw["status"])
        raw["files"] = tuple(_known(DeliveredFile, f) for f in raw.get("files", ()))
        raw["history"] = tuple(
            StatusChange(**{**_fields_of(StatusChange, h), "status": Status(h["status"])})
            for h in raw.get("history", ())
        )
        raw["mails"] = tuple(_sent_mail(m) for m in raw.get("mails", ()))
        raw["email_changes"] = tuple(_known(EmailChange, c) for c in raw.get("email_changes", ()))
        for name in ("products", "paddle_ids", "product_ids", "item_ids"):
            raw[name] = tuple(str(v) for v in raw.get(name, ()))
        if "product_ids" not in stored:  # written before merchants: Paddle's ids alone
            raw["product_ids"] = tuple(f"paddle:{i}" for i in raw["paddle_ids"])
        return cls(**raw)


def _without(note: str, addresses: tuple[str, ...]) -> str:
    """A history note without the order's addresses (an address correction names one, and
    its reason may name the buyer, so that note keeps only what happened)."""
    if note.startswith(_CORRECTED):
        return f"{_CORRECTED}(erased)"
    for address in addresses:
        note = note.replace(address, "(erased)")
    return note


def _fields_of(kind: type, raw: dict[str, Any]) -> dict[str, Any]:
    names = {f.name for f in fields(kind)}
    return {k: v for k, v in raw.items() if k in names}


def _sent_mail(raw: dict[str, Any]) -> SentMail:
    mail: SentMail = _known(SentMail, raw)
    return replace(mail, status=MailStatus(mail.status))


def _known(kind: type, raw: dict[str, Any]) -> Any:
    return kind(**_fields_of(kind, raw))
