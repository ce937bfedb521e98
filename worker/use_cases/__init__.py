"""The worker's use cases: what each message asks for, done idempotently.

They share steps through `_copies.py` (stamp and store), `_links_mail.py` (mail the links),
`_delivery.py` (advance an order) and `_revocation.py` (revoke or restore an order;
`_erase.py` erases a buyer's orders through it).
"""

from worker.use_cases._erase import erase_buyer
from worker.use_cases._fulfil import fulfil_order
from worker.use_cases._kindle import send_to_kindle
from worker.use_cases._mail_events import record_mail_events
from worker.use_cases._payments import restore_payment, revoke_payment
from worker.use_cases._reissue import reissue_order
from worker.use_cases._resend import resend_links, resend_order
from worker.use_cases._restamp import restamp_copy
from worker.use_cases._restore import restore_order
from worker.use_cases._revoke import revoke_items, revoke_order

__all__ = [
    "erase_buyer",
    "fulfil_order",
    "record_mail_events",
    "reissue_order",
    "resend_links",
    "resend_order",
    "restamp_copy",
    "restore_order",
    "restore_payment",
    "revoke_items",
    "revoke_order",
    "revoke_payment",
    "send_to_kindle",
]
