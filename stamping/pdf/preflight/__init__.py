"""Preflight: what an author learns about a PDF before launch, and whether it stamps cleanly."""

from stamping.pdf.preflight._preflight import check_pdf, format_report, write_previews

__all__ = ["check_pdf", "format_report", "write_previews"]
