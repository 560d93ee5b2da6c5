"""Curated collections: facilitators gather published practices for the networks they lead."""
