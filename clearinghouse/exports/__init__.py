"""Downloads: a practice or a collection as a PDF, JSON or CSV, and search results as CSV."""
