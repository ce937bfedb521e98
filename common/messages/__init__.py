"""The message contract between the apps: past-tense events, their wire format, the push envelope.

Every name, address and id a message carries is normalised once, when the message is made
(`_buyer_data.py`), so every adapter downstream receives text that is already safe.
"""

from common.messages._buyer_data import (
    KINDLE_DOMAINS,
    NOTE_MAX,
    BuyerDataError,
    ascii_address,
    kindle_address,
    parse_email,
)
from common.messages._codec import (
    Buyer,
    ContractError,
    CopyRequested,
    EditionReissued,
    ErasureRequested,
    ItemsRefunded,
    KindleRequested,
    LinksRequested,
    MailEvent,
    MailEventsReported,
    Message,
    OrderPaid,
    OrderRestored,
    OrderRevoked,
    PaidItem,
    PaymentRestored,
    PaymentRevoked,
    ResendRequested,
    decode,
    encode,
    now_iso,
)
from common.messages._envelope import attributes_of, parse_envelope, push_envelope
from common.messages._fields import CHECKOUT_REF_MIN, clean_checkout_ref
from common.messages._purchase import GIFT

__all__ = [
    "CHECKOUT_REF_MIN",
    "GIFT",
    "KINDLE_DOMAINS",
    "NOTE_MAX",
    "Buyer",
    "BuyerDataError",
    "ContractError",
    "CopyRequested",
    "EditionReissued",
    "ErasureRequested",
    "ItemsRefunded",
    "KindleRequested",
    "LinksRequested",
    "MailEvent",
    "MailEventsReported",
    "Message",
    "OrderPaid",
    "OrderRestored",
    "OrderRevoked",
    "PaidItem",
    "PaymentRestored",
    "PaymentRevoked",
    "ResendRequested",
    "ascii_address",
    "attributes_of",
    "clean_checkout_ref",
    "decode",
    "encode",
    "kindle_address",
    "now_iso",
    "parse_email",
    "parse_envelope",
    "push_envelope",
]
