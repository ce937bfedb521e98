"""Order records and where they live: the record and its transitions, the store, the indexes,
download counts and re-issue progress, all in the delivery bucket.
"""

from common.orders._download_counts import (
    CountContended,
    count_download,
    read_count,
    read_counts,
    reset_count,
)
from common.orders._index import (
    OrderQuery,
    checkout_index_name,
    find_order_ids,
    payment_index_name,
    product_prefix,
    write_indexes,
)
from common.orders._order_store import OrderStore
from common.orders._record import (
    RESTORABLE,
    DeliveredFile,
    EmailChange,
    InvalidTransition,
    MailStatus,
    OrderRecord,
    SentMail,
    Status,
)
from common.orders._reissues import (
    Progress,
    claim_name,
    done_name,
    edition_name,
    failed_name,
    read_json,
    read_progress,
    reissues_prefix,
)
from common.orders._store import (
    RecordContended,
    code_name,
    code_owner,
    customer_prefix,
    load_record,
    request_marker,
    save_record,
    update_record,
)

__all__ = [
    "RESTORABLE",
    "CountContended",
    "DeliveredFile",
    "EmailChange",
    "InvalidTransition",
    "MailStatus",
    "OrderQuery",
    "OrderRecord",
    "OrderStore",
    "Progress",
    "RecordContended",
    "SentMail",
    "Status",
    "checkout_index_name",
    "claim_name",
    "code_name",
    "code_owner",
    "count_download",
    "customer_prefix",
    "done_name",
    "edition_name",
    "failed_name",
    "find_order_ids",
    "load_record",
    "payment_index_name",
    "product_prefix",
    "read_count",
    "read_counts",
    "read_json",
    "read_progress",
    "reissues_prefix",
    "request_marker",
    "reset_count",
    "save_record",
    "update_record",
    "write_indexes",
]
