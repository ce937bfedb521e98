"""Dead letters: what no retry could fix, kept where the author can read and replay it.

The folder and bucket stores are here; the Pub/Sub dead-letter subscription is `pubsub.py`.
"""

from common.dead_letters._format import redacted
from common.dead_letters._letters import (
    DeadLetterReader,
    DeadLetters,
    FolderDeadLetters,
    Letter,
    LetterNotFound,
    StorageDeadLetters,
)

__all__ = [
    "DeadLetterReader",
    "DeadLetters",
    "FolderDeadLetters",
    "Letter",
    "LetterNotFound",
    "StorageDeadLetters",
    "redacted",
]
