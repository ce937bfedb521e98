"""PDF stamping: a footer on every page after the cover, hidden marks, tracing, preflight."""
