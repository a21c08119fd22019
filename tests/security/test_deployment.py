"""The production server as shipped (deploy/gunicorn.conf.py): the login throttle
holds across worker processes, and no log line carries a query string or a
credential header."""

import concurrent.futures
import datetime as dt
import json
import os
import re
import runpy
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from gunicorn.config import Config

from tests.canary_names import CANARY

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "deploy" / "gunicorn.conf.py"
TOKEN_PATH = "/api/v1/auth/token/"
LIMIT = 3
WORKERS = 3
# Logged nowhere, whatever the request carries.
SECRETS = (CANARY, "search=", "Bearer-secret-token", "cookie-secret", "basic-user")


# deploy/gunicorn.conf.py, read as gunicorn reads it.


def _load_conf(monkeypatch, **env: str) -> dict:
    for name in ("TRUSTED_PROXIES", "GUNICORN_WORKERS", "GUNICORN_BIND"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONF))


def test_conf_trusts_no_forwarding_proxy_by_default(monkeypatch):
    conf = _load_conf(monkeypatch)

    assert conf["forwarded_allow_ips"] == ""
    assert conf["workers"] >= 1
    assert conf["bind"] == "127.0.0.1:8000"


def test_conf_trusts_the_same_proxies_as_django(monkeypatch):
    conf = _load_conf(
        monkeypatch,
        TRUSTED_PROXIES="10.0.0.5,172.16.0.0/12",
        GUNICORN_WORKERS="5",
        GUNICORN_BIND="0.0.0.0:9000",
    )

    assert conf["forwarded_allow_ips"] == "10.0.0.5/32,172.16.0.0/12"
    assert conf["workers"] == 5
    assert conf["bind"] == "0.0.0.0:9000"
    # gunicorn accepts the value as it is.
    Config().set("forwarded_allow_ips", conf["forwarded_allow_ips"])


@pytest.mark.parametrize(
    ("name", "value"), [("TRUSTED_PROXIES", "10.0.0.1/8"), ("GUNICORN_WORKERS", "0")]
)
def test_conf_refuses_bad_values_at_start_up(monkeypatch, name, value):
    with pytest.raises(ImproperlyConfigured, match=name):
        _load_conf(monkeypatch, **{name: value})


def test_access_log_format_names_no_query_header_or_user(monkeypatch):
    fmt = _load_conf(monkeypatch)["access_log_format"]

    assert "%(U)s" in fmt
    for atom in ("%(r)s", "%(q)s", "%(u)s", "%(f)s", "}i)s", "}e)s", "}o)s"):
        assert atom not in fmt


def _gunicorn_logger(monkeypatch, tmp_path):
    conf = _load_conf(monkeypatch)
    cfg = Config()
    for name, value in conf.items():
        if name in cfg.settings:
            cfg.set(name, value)
    log_file = tmp_path / "gunicorn.log"
    cfg.set("accesslog", str(log_file))
    cfg.set("errorlog", str(log_file))
    return cfg.logger_class(cfg), log_file


def test_an_access_line_through_gunicorns_logger_has_no_query(monkeypatch, tmp_path):
    logger, log_file = _gunicorn_logger(monkeypatch, tmp_path)
    headers = [
        ("AUTHORIZATION", "Basic YmFzaWMtdXNlcjpwdw=="),  # basic-user:pw
        ("COOKIE", "sessionid=cookie-secret"),
        ("REFERER", f"https://clinic.example.org/admin/?q={CANARY}"),
    ]
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/api/v1/patients/?search={CANARY}",
        "PATH_INFO": "/api/v1/patients/",
        "QUERY_STRING": f"search={CANARY}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.5",
        "HTTP_AUTHORIZATION": "Basic YmFzaWMtdXNlcjpwdw==",
        "HTTP_COOKIE": "sessionid=cookie-secret",
    }
    response = SimpleNamespace(status="200 OK", headers=[], sent=123)
    request = SimpleNamespace(headers=headers)

    logger.access(response, request, environ, dt.timedelta(milliseconds=7))
    logger.exception(
        "Error handling request %s %s", "GET", f"/api/v1/patients/?search={CANARY}"
    )
    logger.warning(
        "Invalid request from ip=1.2.3.4: Invalid HTTP request line: 'GET"
        f" /api/v1/patients/?search={CANARY} Extra HTTP/1.1'"
    )
    for handler in (*logger.access_log.handlers, *logger.error_log.handlers):
        handler.flush()

    written = log_file.read_text()
    assert '"GET /api/v1/patients/ HTTP/1.1" 200 123' in written
    assert "Error handling request GET /api/v1/patients/?[query removed]" in written
    for secret in SECRETS:
        assert secret not in written


# The real server: deploy/gunicorn.conf.py, 3 workers.


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url_for_the_server(tmp_path: Path) -> str:
    """The test database, as a URL other processes can open."""
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = quote(settings["USER"] or "")
        if settings["PASSWORD"]:
            auth += ":" + quote(settings["PASSWORD"])
        host = settings["HOST"] or "127.0.0.1"
        port = settings["PORT"] or 5432
        return f"postgres://{auth}@{host}:{port}/{settings['NAME']}"
    # SQLite's test database lives in this process's memory: copy it to a
    # file (schema, role groups and the cache table) for the workers.
    path = tmp_path / "server.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    return f"sqlite:///{path}"


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


def _request(url: str, data: bytes | None = None, headers=None) -> int:
    request = urllib.request.Request(url, data=data, headers=headers or {})  # noqa: S310 - our own loopback server
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class Server:
    def __init__(self, base: str, log: Path, proc: subprocess.Popen) -> None:
        self.base, self.log, self.proc = base, log, proc

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def pids(self, path: str) -> set[str]:
        pattern = re.compile(rf'"[A-Z]+ {re.escape(path)} HTTP/1.1" .* <(\d+)>$')
        return {
            m.group(1)
            for line in self.text().splitlines()
            if (m := pattern.search(line))
        }


def _start(tmp_path: Path, **env: str) -> Server:
    port = _free_port()
    keep = {
        k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_"))
    }
    server_env = {
        **keep,
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(WORKERS),
        # A day, so the burst never straddles a window's edge but at midnight.
        "LOGIN_THROTTLE_RATE": f"{LIMIT}/day",
        **env,
    }
    server_env.pop("TRUSTED_PROXIES", None)
    log = tmp_path / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(  # noqa: S603 - our own server, fixed arguments
            [sys.executable, "-m", "gunicorn", "-c", str(CONF), "clinic.wsgi"],
            cwd=ROOT,
            env=server_env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(f"http://127.0.0.1:{port}", log, proc)
    # Until every worker has answered: only then does a burst reach them all.
    deadline = time.monotonic() + 60
    with concurrent.futures.ThreadPoolExecutor(WORKERS * 2) as pool:
        while len(server.pids("/api/v1/")) < WORKERS:
            if proc.poll() is not None or time.monotonic() > deadline:
                _stop(server)
                pytest.fail(f"gunicorn did not come up:\n{server.text()[-3000:]}")
            try:
                list(pool.map(lambda _: _request(f"{server.base}/api/v1/"), range(6)))
            except OSError:
                time.sleep(0.2)
    return server


def _stop(server: Server) -> None:
    server.proc.terminate()
    try:
        server.proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.proc.kill()
        server.proc.wait()


def _login_burst(server: Server, attempts: int) -> list[int]:
    def attempt(n: int) -> int:
        body = json.dumps({"username": f"nobody{n}", "password": "x"}).encode()
        return _request(
            server.base + TOKEN_PATH,
            data=body,
            # A forged address per attempt changes nothing either.
            headers={
                "Content-Type": "application/json",
                "X-Forwarded-For": f"198.51.100.{n}",
            },
        )

    # Concurrent, so several workers are busy at once.
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        return list(pool.map(attempt, range(attempts)))


def _day() -> int:
    return int(time.time() // 86400)


def _assert_limit_holds_across_workers(server: Server) -> None:
    for _ in range(2):
        day = _day()
        statuses = _login_burst(server, 4 * LIMIT)
        if _day() == day:  # else the window changed mid-burst: once more
            break
    assert sorted(statuses) == [400] * LIMIT + [429] * (3 * LIMIT), statuses
    # Several workers counted, and each would have allowed LIMIT on its own.
    assert len(server.pids(TOKEN_PATH)) >= 2, server.text()[-3000:]


@pytest.mark.django_db(transaction=True)
def test_database_cache_throttle_holds_across_workers_and_logs_no_query(tmp_path):
    server = _start(tmp_path, DATABASE_URL=_database_url_for_the_server(tmp_path))
    try:
        _assert_limit_holds_across_workers(server)
        status = _request(
            f"{server.base}/api/v1/patients/?search={CANARY}&ordering=family_name",
            headers={
                "Authorization": "Bearer Bearer-secret-token",
                "Cookie": "sessionid=cookie-secret",
                "Referer": f"https://clinic.example.org/admin/?q={CANARY}",
            },
        )
        basic = _request(
            f"{server.base}/api/v1/patients/?search={CANARY}",
            headers={"Authorization": "Basic YmFzaWMtdXNlcjpwdw=="},
        )
    finally:
        _stop(server)

    assert (status, basic) == (401, 401)
    written = server.text()
    assert '"GET /api/v1/patients/ HTTP/1.1" 401' in written
    for secret in SECRETS:
        assert secret not in written


@pytest.mark.django_db(transaction=True)
def test_redis_cache_throttle_holds_across_workers(tmp_path):
    if not _redis_reachable():
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    prefix = f"test-deployment-{uuid.uuid4().hex}"
    server = _start(
        tmp_path,
        DATABASE_URL=_database_url_for_the_server(tmp_path),
        REDIS_URL="redis://127.0.0.1:6379/13",
        CACHE_KEY_PREFIX=prefix,
    )
    try:
        _assert_limit_holds_across_workers(server)
    finally:
        _stop(server)

    import redis

    client = redis.Redis.from_url("redis://127.0.0.1:6379/13")
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    # The count lives in Redis, not in any worker.
    assert len(keys) == 1
    assert int(client.get(keys[0])) == 4 * LIMIT
    client.delete(*keys)


# Settings with production values (the CI script runs `check --deploy` too).

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "k9$w!x2@Vq7#pL0zR4^t8&yB1*nM6(eC3)uJ5_hG-oS+dF=aK-prod-like-key",
    "ALLOWED_HOSTS": "clinic.example.org",
    "DATABASE_URL": "sqlite:////tmp/clinic-deploy-check.sqlite3",
}


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    names = (*PRODUCTION_ENV, "SECURE_SSL_REDIRECT", "TRUSTED_PROXIES", "REDIS_URL")
    clean = {k: v for k, v in os.environ.items() if k not in names}
    return subprocess.run(  # noqa: S603 - fixed arguments, our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **PRODUCTION_ENV, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_proxies_redis_and_a_rate():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        TRUSTED_PROXIES="10.0.0.5,2001:db8::/32",
        REDIS_URL="redis://127.0.0.1:6379/13",
        LOGIN_THROTTLE_RATE="10/minute",
    )

    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TRUSTED_PROXIES", "10.0.0.300"),
        ("LOGIN_THROTTLE_RATE", "20 per minute"),
        ("REDIS_URL", "http://127.0.0.1:6379"),
    ],
)
def test_settings_refuse_a_bad_value_at_start_up(name, value):
    result = _manage("check", **{name: value})

    assert result.returncode != 0
    assert f"{name} must " in result.stderr
