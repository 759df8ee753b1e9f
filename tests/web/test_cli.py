"""The `planner` command: user and token creation, migrations, demo data."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from planner.commands import cli
from planner.web import runtime
from tests.conftest import fresh_database_url


def _env(url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "PLANNER_DATABASE_URL": url,
        "PLANNER_INSTANCE_PATH": str(tmp_path / "instance"),
        "PLANNER_SECRET_KEY": "cli-test-secret",
    }


def test_cli_creates_user_and_token_usable_on_api(backend: str, tmp_path: Path) -> None:
    url = fresh_database_url(backend, tmp_path, "cli")
    env = _env(url, tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli, ["db", "upgrade"], env=env)
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        cli,
        [
            "user",
            "create",
            "--email",
            "Piet@Example.org",
            "--name",
            "Piet",
            "--role",
            "editor",
            "--password",
            "a long enough password",
        ],
        env=env,
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["token", "create", "--email", "piet@example.org"], env=env)
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("cf_")

    import os

    from planner import create_app

    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        app = create_app()
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    resp = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 200
    assert resp.get_json()["email"] == "piet@example.org"
    runtime.session_factory(app).kw["bind"].dispose()


def test_cli_user_create_refuses_short_password(backend: str, tmp_path: Path) -> None:
    url = fresh_database_url(backend, tmp_path, "cli_short")
    env = _env(url, tmp_path)
    runner = CliRunner()
    runner.invoke(cli, ["db", "upgrade"], env=env)
    result = runner.invoke(
        cli,
        [
            "user",
            "create",
            "--email",
            "a@example.org",
            "--name",
            "A",
            "--role",
            "admin",
            "--password",
            "short",
        ],
        env=env,
    )
    assert result.exit_code != 0
    assert "at least 10 characters" in result.output


def test_cli_demo_seed_prints_credentials_and_is_idempotent(backend: str, tmp_path: Path) -> None:
    url = fresh_database_url(backend, tmp_path, "cli_demo")
    env = _env(url, tmp_path)
    runner = CliRunner()
    runner.invoke(cli, ["db", "upgrade"], env=env)
    first = runner.invoke(cli, ["demo", "seed", "--if-empty"], env=env)
    assert first.exit_code == 0, first.output
    assert "sanne@zuiderhaven.example" in first.output
    second = runner.invoke(cli, ["demo", "seed", "--if-empty"], env=env)
    assert second.exit_code == 0, second.output
    # Nothing is added the second time, but the accounts are listed again (`make run` starts).
    assert "is already there" in second.output
    assert "sanne@zuiderhaven.example" in second.output
    assert "password: zuiderhaven-editor" in second.output
    assert second.output.count("@zuiderhaven.example") == first.output.count("@zuiderhaven.example")


def test_planner_help_lists_commands() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    for command in ("db", "user", "token", "demo", "scheduler", "serve"):
        assert command in result.output
