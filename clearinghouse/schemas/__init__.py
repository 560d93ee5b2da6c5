"""Marshmallow schemas: the interchange format (`interchange`), the API's payloads (`api`), and the
validation messages people read (`messages`)."""

from .api import *  # noqa: F403
from .interchange import *  # noqa: F403
from .messages import flatten_errors, sentence  # noqa: F401
