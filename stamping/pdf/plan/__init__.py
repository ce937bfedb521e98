"""The stamping plan: lay a book out once with empty slots, let qpdf write it, cut its output,
then write each buyer's copy as the shared bytes plus that buyer's few objects.
"""

from stamping.pdf._streams import PARSED_AT_MOST
from stamping.pdf.plan._isolation import content_bytes, content_fault, looks_unbalanced
from stamping.pdf.plan._plan import prepare_plan

__all__ = [
    "PARSED_AT_MOST",
    "content_bytes",
    "content_fault",
    "looks_unbalanced",
    "prepare_plan",
]
