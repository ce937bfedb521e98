"""The customer-lookup port: who bought a Paddle Billing order.

Billing webhooks name a customer id but not the buyer's name or email. The
Paddle API adapter asks Paddle; the offline adapter answers for the demo
only, and says so in the log.
"""

from worker.customers._offline import MissingApiKey, OfflineCustomers
from worker.customers._port import CustomerLookup, CustomerNotFound, LookupUnavailable

__all__ = [
    "CustomerLookup",
    "CustomerNotFound",
    "LookupUnavailable",
    "MissingApiKey",
    "OfflineCustomers",
]
