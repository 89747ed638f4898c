"""The baseline: a bare Flask app, served the same way as Ideaboard (gunicorn hello:app)."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    """Hello, world: what Flask and gunicorn cost with no app behind them."""
    return "Hello, world!"
