import os

import pytest
from django.core.exceptions import ImproperlyConfigured

from clinic.core.env import (
    env_bool,
    env_database,
    env_int,
    env_list,
    env_str,
    env_time_zone,
    load_env_file,
)


@pytest.mark.parametrize(
    ("raw", "expected"), [("true", True), ("ON", True), ("0", False), ("no", False)]
)
def test_env_bool_reads_common_spellings(raw, expected):
    assert env_bool("X", default=not expected, environ={"X": raw}) is expected


@pytest.mark.parametrize("raw", ["treu", "2", "enabled"])
def test_env_bool_refuses_anything_else(raw):
    with pytest.raises(ImproperlyConfigured, match="X must be a boolean"):
        env_bool("X", default=False, environ={"X": raw})


def test_env_bool_default_when_missing():
    assert env_bool("X", default=True, environ={}) is True


def test_env_str_without_default_requires_the_variable():
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY must be set"):
        env_str("SECRET_KEY", environ={})


@pytest.mark.parametrize("raw", ["twelve", "1.5", ""])
def test_env_int_refuses_non_integers(raw):
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env_int("N", default=1, environ={"N": raw})


def test_env_int_refuses_values_below_minimum():
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("N", default=5, minimum=1, environ={"N": "0"})


def test_env_int_reads_a_number():
    assert env_int("N", default=5, minimum=1, environ={"N": " 7 "}) == 7


def test_env_list_splits_and_strips():
    assert env_list("H", [], environ={"H": "a.example, b.example ,"}) == [
        "a.example",
        "b.example",
    ]


def test_env_list_refuses_an_empty_setting():
    with pytest.raises(ImproperlyConfigured, match="lists nothing"):
        env_list("H", ["x"], environ={"H": " , "})


def test_env_time_zone_refuses_unknown_zone():
    with pytest.raises(ImproperlyConfigured, match="IANA time zone"):
        env_time_zone("TZ", "UTC", environ={"TZ": "Mars/Olympus_Mons"})


def test_env_time_zone_accepts_iana_name():
    assert env_time_zone("TZ", "UTC", environ={"TZ": "America/New_York"}) == (
        "America/New_York"
    )


def test_env_database_sqlite_serialises_writes():
    config = env_database("DATABASE_URL", "sqlite:////tmp/x.sqlite3", environ={})
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]


def test_env_database_reads_postgres_url():
    config = env_database(
        "DATABASE_URL",
        "sqlite://",
        environ={"DATABASE_URL": "postgres://u:p@db.example:5433/clinic"},
    )
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == (
        "db.example",
        5433,
        "clinic",
    )


@pytest.mark.parametrize("url", ["mysql://u@h/db", "not a url"])
def test_env_database_refuses_other_engines_and_garbage(url):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        env_database("DATABASE_URL", "sqlite://", environ={"DATABASE_URL": url})


def test_env_file_gives_defaults_but_the_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("CLINIC_TEST_SET", "from-env")
    monkeypatch.delenv("CLINIC_TEST_NEW", raising=False)
    path = tmp_path / ".env"
    path.write_text("# comment\n\nCLINIC_TEST_SET=from-file\nCLINIC_TEST_NEW = yes\n")

    applied = load_env_file(path)

    assert applied == {"CLINIC_TEST_NEW": "yes"}
    assert os.environ["CLINIC_TEST_SET"] == "from-env"
    monkeypatch.delenv("CLINIC_TEST_NEW")


def test_env_file_refuses_a_malformed_line(tmp_path):
    path = tmp_path / ".env"
    path.write_text("DEBUG true\n")

    with pytest.raises(ImproperlyConfigured, match=":1 is not KEY=VALUE"):
        load_env_file(path)


def test_missing_env_file_changes_nothing(tmp_path):
    assert load_env_file(tmp_path / "absent") == {}
