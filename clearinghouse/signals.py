"""What services announce, for the packages that react to it without being imported by the services."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Sent inside the transaction that publishes, edits or archives a practice; the sender is its slug.
# The search package listens (registered in create_app) and updates its index after the commit.
practice_changed = _signals.signal("practice-changed")
