"""Tracing: every order a (possibly tampered or merged) copy names, from marks, text and OCR."""

from stamping.pdf.trace._code_search import Checker, canonical
from stamping.pdf.trace._ocr import read_footers
from stamping.pdf.trace._report import Finding, Trace, format_finding, trace_json
from stamping.pdf.trace._tracing import OcrReader, TraceError, trace_pdf

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
