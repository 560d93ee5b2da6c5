"""A real local SMTP server (aiosmtpd) for the tests, keeping every message it receives."""

from __future__ import annotations

import asyncio
import re
import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


class _Handler:
    def __init__(self, box: Mailbox):
        self.box = box

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        held = next((self.box.holds[r] for r in envelope.rcpt_tos if r in self.box.holds), None)
        if held is not None:  # keep the sender waiting until the test releases it, then refuse the message
            held.arrived.set()
            await asyncio.get_running_loop().run_in_executor(None, held.released.wait, 60)
            return "451 4.3.0 held by the test"
        message = message_from_bytes(envelope.content, policy=policy.default)
        message.raw = envelope.content  # the bytes as they arrived (headers folded as sent)
        with self.box.lock:
            self.box.messages.append(message)
        return "250 OK"


class Hold:
    """A recipient whose mail the server holds: the sender blocks in DATA until `released`, then is refused."""

    def __init__(self):
        self.arrived = threading.Event()
        self.released = threading.Event()


class Mailbox:
    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.holds: dict[str, Hold] = {}
        self.lock = threading.Lock()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()
        for held in self.holds.values():
            held.released.set()
        self.holds.clear()

    def hold(self, address: str) -> Hold:
        self.holds[address] = held = Hold()
        return held

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]

    def last_to(self, address: str) -> EmailMessage:
        found = self.to(address)
        assert found, f"no mail to {address}; got {[(m['To'], m['Subject']) for m in self.messages]}"
        return found[-1]

    def subjects(self, address: str) -> list[str]:
        return [str(m["Subject"]).strip() for m in self.to(address)]

    def link(self, address: str, path: str) -> str:
        """The first link to `path` in the last message to `address`, as a path (/confirm/…)."""
        body = self.last_to(address).get_content()
        match = re.search(r"https?://[^/\s]+(" + re.escape(path) + r"[^\s]*)", body)
        assert match, body
        return match[1]

    def stop(self) -> None:
        self.controller.stop()


_box: Mailbox | None = None


def mailbox() -> Mailbox:
    """The session's one SMTP server, started on first use."""
    global _box
    if _box is None:
        _box = Mailbox()
    return _box
