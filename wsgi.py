"""The WSGI entry point for gunicorn: `gunicorn wsgi:app`."""

from clearinghouse import create_app

app = create_app()
