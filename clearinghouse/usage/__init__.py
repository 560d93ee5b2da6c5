"""Usage counts in the spirit of COUNTER: practice views and downloads, without personal data."""
