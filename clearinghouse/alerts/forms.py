"""The alert forms (Flask-WTF, so each carries a CSRF token); the rules live in service.py."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField

from ..models import DIGESTS


class SaveSearchForm(FlaskForm):
    """No validators: service.clean_name says what is wrong with a name, once, for the page and the service."""

    name = StringField("Name this search")
    search = HiddenField()


class RenameForm(FlaskForm):
    name = StringField("Name")


class DigestForm(FlaskForm):
    digest = RadioField("How often should we email you about new practices?", choices=list(DIGESTS.items()),
                        validate_choice=False)


class ActionForm(FlaskForm):
    """A form that is only a button (delete, unfollow): its CSRF token is the point."""
