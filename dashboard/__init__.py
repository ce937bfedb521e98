"""The author's dashboard: a third Flask app behind Identity-Aware Proxy (issue 24)."""
