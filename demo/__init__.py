"""Sample material for the demo, the tests and the benchmarks: PDFs built with reportlab."""
