"""pg_dump and pg_restore reach the app's database from its URL, never showing the password
on a command line."""

from __future__ import annotations

from sqlalchemy import make_url

from ideaboard.services.pg_client import libpq_options


def test_the_connection_comes_from_the_url_and_the_password_from_the_environment():
    url = make_url("postgresql+psycopg://board:s3cr%40t@db.example.org:6543/ideas?sslmode=require")
    options, env = libpq_options(url)
    assert options == ["--host=db.example.org", "--port=6543", "--username=board",
                       "--dbname=dbname='ideas' sslmode='require'"]
    assert env["PGPASSWORD"] == "s3cr@t"
    assert not any("s3cr" in option for option in options)


def test_a_database_name_is_quoted_never_read_as_a_connection_string(monkeypatch):
    monkeypatch.delenv("PGPASSWORD", raising=False)
    options, env = libpq_options(make_url("postgresql+psycopg:///it's=odd"))
    assert options == [r"--dbname=dbname='it\'s=odd'"]
    assert "PGPASSWORD" not in env
