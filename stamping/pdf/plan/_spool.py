"""The shared bytes of a plan, kept in an unlinked temporary file rather than in memory.

They are ranges of qpdf's output (everything but the buyer's objects and the
old cross-reference section). A copy is written by copying those ranges into
its file in the kernel (copy_file_range), or by reading them in chunks when
the copy goes to memory, a stream, or a file on another file system than the
spool's (copy_file_range refuses to cross one: EXDEV, as when /tmp is a
tmpfs). A 300 MB photo book thus costs one file on disk, not 300 MB of memory
per plan and per copy. Offsets are explicit
(pread, copy_file_range), so several threads copy from one spool at once.
"""

from __future__ import annotations

import errno
import io
import os
import stat
import tempfile
from typing import BinaryIO

CHUNK = 1 << 20


class Spool:
    def __init__(self, file: BinaryIO, ranges: tuple[tuple[int, int], ...]) -> None:
        self._file = file
        self._fd = file.fileno()
        self.ranges = ranges
        self.size = sum(stop - start for start, stop in ranges)

    @classmethod
    def temporary(cls) -> BinaryIO:
        """A file to let qpdf write into; deleted when the spool is closed or collected."""
        return tempfile.TemporaryFile(prefix="exlibris-plan-")

    def write_to(self, out: BinaryIO | io.BytesIO) -> None:
        """Append the shared bytes to out."""
        target = _file_descriptor(out)
        if target is None or not self._copy_in_kernel(out, target):
            for start, stop in self.ranges:
                for at in range(start, stop, CHUNK):
                    out.write(os.pread(self._fd, min(CHUNK, stop - at), at))

    def _copy_in_kernel(self, out: BinaryIO | io.BytesIO, target: int) -> bool:
        """copy_file_range the ranges to the end of out; False, nothing written, if it cannot."""
        out.flush()
        for start, stop in self.ranges:
            at = start
            while at < stop:
                try:
                    copied = os.copy_file_range(self._fd, target, stop - at, at)
                except OSError as exc:
                    if exc.errno == errno.EXDEV and at == start == self.ranges[0][0]:
                        return False  # another file system: nothing copied yet, copy in chunks
                    raise
                if copied == 0:
                    raise OSError("the plan's spool ended early")
                at += copied
        out.seek(0, os.SEEK_END)  # the kernel wrote past the file object's position
        return True

    def read(self) -> bytes:
        """All the shared bytes (tests, small books)."""
        out = io.BytesIO()
        self.write_to(out)
        return out.getvalue()

    def close(self) -> None:
        self._file.close()


def _file_descriptor(out: BinaryIO | io.BytesIO) -> int | None:
    """The descriptor of a regular file opened for writing at its end, else None."""
    try:
        fd = out.fileno()
    except (AttributeError, OSError, io.UnsupportedOperation):
        return None
    return fd if stat.S_ISREG(os.fstat(fd).st_mode) else None
