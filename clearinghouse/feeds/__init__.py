"""Atom feeds of newly published practices: all of them, those matching a search, and a collection's."""
