"""The account forms (Flask-WTF, so every one carries a CSRF token); the rules themselves live in service.py."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from ..taxonomy import COUNTIES, LEA_TYPES


class RegisterForm(FlaskForm):
    """Its fields carry no validators: service.register checks them all at once, so one round reports all."""

    name = StringField("Your name")
    email = EmailField("Work email")
    password = PasswordField("Password (at least 12 characters)")
    lea = SelectField("Your LEA", choices=[], validate_choice=False)
    new_lea_name = StringField("New LEA's name")
    new_lea_county = SelectField("New LEA's county", choices=[("", "Choose a county")] + list(COUNTIES.values.items()),
                                 validate_choice=False)
    new_lea_type = SelectField("New LEA's type", choices=[("", "Choose a type")] + list(LEA_TYPES.values.items()),
                               validate_choice=False)


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired()])
    next = HiddenField()


class ForgotForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired()])


class ResetForm(FlaskForm):
    password = PasswordField("New password (at least 12 characters)", validators=[DataRequired()])


class TokenForm(FlaskForm):
    name = StringField("Token name", validators=[DataRequired(), Length(max=100)])


class ActionForm(FlaskForm):
    """A form that is only a button (revoke, sign out, grant or remove a role): its CSRF token is the point."""
