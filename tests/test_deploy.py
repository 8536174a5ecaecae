"""deploy/: the systemd unit, the Dockerfile and the compose file say what README promises
("Deploying", "On PostgreSQL"), and name only settings the bot reads (a renamed setting would
otherwise go unnoticed in them)."""

from __future__ import annotations

import configparser
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from bot.runtime.settings import SETTING_NAMES

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"


def unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys keep their case
    parser.read_string((DEPLOY / "takedown-desk.service").read_text())
    return parser


def test_systemd_unit_runs_python_m_bot_as_its_own_user_and_restarts_on_failure():
    service = unit()["Service"]
    assert service["ExecStart"].endswith("/python -m bot")
    assert service["User"] == "takedown"
    assert service["Restart"] == "on-failure"
    assert service["RestartPreventExitStatus"] == "2"  # a setting to fix: no restart loop
    state = f"/var/lib/{service['StateDirectory']}"
    assert service["WorkingDirectory"] == state
    assert service["ReadWritePaths"] == state


def test_dockerfile_installs_the_package_with_data_as_the_one_volume():
    text = (DEPLOY / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim$", text, re.M)
    assert re.search(r"^RUN pip install \.$", text, re.M)
    assert re.findall(r"^VOLUME (.+)$", text, re.M) == ['["/data"]']
    assert re.search(r"^USER takedown$", text, re.M)
    assert re.search(r'^CMD \["python", "-m", "bot"\]$', text, re.M)
    assert "DATABASE_PATH=/data/takedown.db" in text and "BACKUP_DIR=/data/backups" in text


def test_deploy_files_name_only_settings_the_bot_reads():
    named = set(
        re.findall(r"Environment=([A-Z_]+)=", (DEPLOY / "takedown-desk.service").read_text())
    )
    docker = (DEPLOY / "Dockerfile").read_text()
    named |= {name for name in re.findall(r"\b([A-Z_]+)=/data", docker)}
    assert named == {"DATABASE_PATH", "BACKUP_DIR"}
    assert named <= set(SETTING_NAMES)


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def test_compose_runs_the_image_of_the_dockerfile_on_its_own_postgresql_15():
    services = compose()["services"]
    assert services["db"]["image"] == "postgres:15"  # the major version the suite runs on
    bot = services["bot"]
    assert bot["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}
    assert (DEPLOY / ".." / bot["build"]["dockerfile"]).is_file()
    assert bot["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert bot["volumes"] == ["botdata:/data"]  # the Dockerfile's one volume
    assert set(compose()["volumes"]) == {"pgdata", "botdata"}


def test_compose_points_the_bot_at_the_database_it_creates():
    services = compose()["services"]
    db = services["db"]["environment"]
    password = "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}"  # from the environment, both
    assert db["POSTGRES_PASSWORD"] == password
    url = urlsplit(services["bot"]["environment"]["DATABASE_URL"].replace(password, "secret"))
    assert url.scheme == "postgresql" and url.hostname == "db"  # the service's name
    assert (url.username, url.password) == (db["POSTGRES_USER"], "secret")
    assert url.path == f"/{db['POSTGRES_DB']}"
    assert set(services["bot"]["environment"]) <= set(SETTING_NAMES)
    assert services["bot"]["stop_grace_period"] == "15s"  # more than the bot's 10 s to stop
