"""Figures (each a function returning a matplotlib Figure), the HTML report and Markdown tables."""
