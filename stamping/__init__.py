"""The stamping engine: an original's bytes and a buyer in, that buyer's personal copy out.

Pure: no Flask, no Google clients, no files, network or clock. The worker and
the command line both use it, through `formats.py` only: the registry that
tells formats apart by content and hands each book to its engine. Each format
is a package implementing `format.py`'s Format: `pdf/` stamps, traces and
preflights PDFs, `epub/` EPUBs.
"""
