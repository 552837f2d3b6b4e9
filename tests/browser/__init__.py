"""Helpers shared by the browser and HTML-validity tests (the npm tools live in node_modules/ here)."""
