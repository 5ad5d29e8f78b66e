"""The production shape: deploy checks and the compose file."""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_production_settings_pass_the_deploy_checks():
    env = {
        k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(
        SECRET_KEY="a-long-random-production-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
        ALLOWED_HOSTS="govreg.example",
        DJANGO_SETTINGS_MODULE="govreg.settings",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env["DJANGO_SETTINGS_MODULE"] = "govreg.settings"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_compose_runs_the_production_shape_with_health_checks():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"db", "redis", "web", "worker", "beat"} <= set(services)
    for name in ("db", "redis", "web", "worker", "beat"):
        assert "healthcheck" in services[name], name
    assert "gunicorn" in " ".join(services["web"]["command"])
    # The worker renders packs at a lower CPU priority than the web processes.
    assert services["worker"]["command"][:6] == ["nice", "-n", "10", "celery", "-A", "govreg"]
    assert (ROOT / "Dockerfile").exists()


# --- Redis: a password, on every connection --------------------------------------------------

REQUIRED_PASSWORD = "${REDIS_PASSWORD:?set REDIS_PASSWORD}"


def test_compose_gives_redis_a_required_password_and_the_apps_use_it():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    command = services["redis"]["command"]
    assert command[command.index("--requirepass") + 1] == REQUIRED_PASSWORD
    # The health check authenticates (REDISCLI_AUTH), and fails unless Redis answers PONG.
    assert services["redis"]["environment"]["REDISCLI_AUTH"] == REQUIRED_PASSWORD
    assert "redis-cli ping" in services["redis"]["healthcheck"]["test"][1]
    for name in ("migrate", "web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["REDIS_URL"] == f"redis://:{REQUIRED_PASSWORD}@redis:6379/0", name
        assert env["CACHE_URL"] == f"redis://:{REQUIRED_PASSWORD}@redis:6379/1", name


def test_compose_urls_give_a_shared_cache_apart_from_the_broker():
    from govreg.cache import caches_from_env

    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    env = services["web"]["environment"]
    urls = {k: env[k].replace(REQUIRED_PASSWORD, "pw") for k in ("REDIS_URL", "CACHE_URL")}
    default = caches_from_env(urls)["default"]
    assert default["BACKEND"] == "govreg.cache.FailOpenRedisCache"
    assert default["LOCATION"] == "redis://:pw@redis:6379/1"


def test_the_compose_redis_refuses_clients_without_the_password(tmp_path):
    """The compose file's own redis-server command and health check, run on a free port."""
    import redis

    from tests.services import REQUIRED

    if shutil.which("redis-server") is None or shutil.which("redis-cli") is None:
        if REQUIRED:
            pytest.fail("GOVREG_REQUIRE_SERVICES=1 but redis-server is not installed")
        pytest.skip("redis-server is not installed")
    service = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["redis"]
    password = "compose-test-password"
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [part.replace(REQUIRED_PASSWORD, password) for part in service["command"]]
    command += ["--port", str(port), "--bind", "127.0.0.1", "--dir", str(tmp_path)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://:{password}@127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                assert redis.Redis.from_url(url, socket_connect_timeout=1).ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        with pytest.raises(redis.AuthenticationError):
            redis.Redis.from_url(f"redis://127.0.0.1:{port}/0").ping()

        check = service["healthcheck"]["test"][1].replace("redis-cli", f"redis-cli -p {port}")
        auth = service["environment"]["REDISCLI_AUTH"].replace(REQUIRED_PASSWORD, password)
        base = {k: v for k, v in os.environ.items() if k != "REDISCLI_AUTH"}
        healthy = subprocess.run(["sh", "-c", check], env={**base, "REDISCLI_AUTH": auth})
        assert healthy.returncode == 0
        unauthenticated = subprocess.run(["sh", "-c", check], env=base)
        assert unauthenticated.returncode != 0
    finally:
        server.terminate()
        server.wait(timeout=10)
