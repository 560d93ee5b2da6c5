"""Saved searches, followed collections and the digest emails that bring new practices to the people who asked."""
