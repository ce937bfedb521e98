"""The stamping engine: an original's bytes and a buyer in, that buyer's personal copy out.

Pure: no Flask, no Google clients, no files, network or clock. The worker and
the command line both use it. `pdf/` stamps, traces and preflights PDFs,
`epub/` EPUBs; `formats.py` tells them apart by content and picks the engine.
"""
