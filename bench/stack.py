"""What the stack alone costs a worker: the peak RSS of a gunicorn worker serving an app
made of the libraries Ideaboard is built on and nothing of its own (one model, one form,
one rate-limited route that queries, renders a template and cleans Markdown), on the same
database and Redis as the benchmark. Ideaboard's own share is its peak less this.

    .venv/bin/python bench/stack.py [--database-url URL] [--redis-url URL]
"""

import argparse
import os
import sys
import tempfile
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REQUESTS = 200


def create_app():
    """The probe app (gunicorn 'stack:create_app()'): every library imported and used once
    per request, as a worker of the board uses them."""
    from bleach import clean
    from flask import Flask, render_template_string
    from flask_limiter import Limiter
    from flask_limiter.util import get_remote_address
    from flask_login import LoginManager
    from flask_sqlalchemy import SQLAlchemy
    from flask_wtf import CSRFProtect, FlaskForm
    from markdown_it import MarkdownIt
    from sqlalchemy import select
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
    from wtforms import StringField

    class Base(DeclarativeBase):
        """The probe's models' base, as Ideaboard's models have theirs."""

    db = SQLAlchemy(model_class=Base)

    class Probe(db.Model):  # annotations read at run time: no `from __future__` here
        __tablename__ = "stack_probe"
        id: Mapped[int] = mapped_column(primary_key=True)
        body: Mapped[str]

    class ProbeForm(FlaskForm):
        body = StringField()

    app = Flask(__name__)
    app.config.update(SECRET_KEY="stack-probe", SQLALCHEMY_DATABASE_URI=os.environ["DATABASE_URL"],
                      RATELIMIT_STORAGE_URI=os.environ.get("REDIS_URL") or "memory://")
    db.init_app(app)
    CSRFProtect(app)
    LoginManager(app).user_loader(lambda _user_id: None)
    limiter = Limiter(get_remote_address, app=app)
    markdown = MarkdownIt("commonmark", {"linkify": True}).enable("linkify")
    with app.app_context():
        db.create_all()

    @app.get("/")
    @limiter.limit("1000000 per second")
    def probe() -> str:
        bodies = db.session.scalars(select(Probe.body).limit(5)).all()
        text = clean(markdown.render(f"**{len(bodies)} rows** https://example.org"),
                     tags={"p", "strong", "a"})
        return render_template_string("<form>{{ form.csrf_token }}{{ form.body }}</form>"
                                      "{{ text|safe }}", form=ProbeForm(), text=text)

    return app


def main() -> None:
    sys.path.insert(0, str(BENCH))
    import serve

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: a SQLite file in a temporary folder")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0",
                        help="rate-limit storage (default %(default)s; '' for memory)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/stack.sqlite"
        env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": args.redis_url}
        with serve.serve("stack", "stack:create_app()", BENCH, env, 1,
                         Path(folder) / "logs") as server:
            for _ in range(REQUESTS):
                with urllib.request.urlopen(server.url + "/") as response:
                    response.read()
        kind = url.split(":", 1)[0].split("+", 1)[0]
        redis = "Redis" if args.redis_url else "memory"
        print(f"The stack alone on {kind}, rate limits in {redis}: peak RSS of its worker "
              f"{server.peak_rss_mb:.1f} MB after {REQUESTS} requests")


if __name__ == "__main__":
    main()
