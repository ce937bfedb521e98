"""`exlibris`: the author's console (placeholder until its commands land)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    print("exlibris: no commands yet", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
