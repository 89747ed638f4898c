"""The WSGI entry point: gunicorn wsgi:app."""

from ideaboard import create_app

app = create_app(with_cli=False)
