"""Tracing: every order a (possibly tampered or merged) copy names, from marks, text and OCR."""

from stamping.ocr import read_footers
from stamping.pdf.trace._tracing import trace_pdf
from stamping.stamp import TraceError
from stamping.trace import (
    Checker,
    Finding,
    OcrReader,
    Trace,
    canonical,
    format_finding,
    trace_json,
)

__all__ = [
    "Checker",
    "Finding",
    "OcrReader",
    "Trace",
    "TraceError",
    "canonical",
    "format_finding",
    "read_footers",
    "trace_json",
    "trace_pdf",
]
