"""Configuration: defaults, the instance file, the environment, production checks."""

import json
import stat

import pytest

from app import create_app
from app.infra import config
from app.infra.config import ConfigError, parse_env_value

SITE = "https://movies.example.org"


@pytest.fixture
def instance(tmp_path):
    return tmp_path / "instance"


def build(instance, **overrides):
    return create_app({"INSTANCE_PATH": str(instance), "MARQUEE_ENV": "test", **overrides})


def test_first_run_writes_the_instance_file_with_a_private_secret_key(instance):
    app = build(instance)

    path = instance / "config.test.json"
    saved = json.loads(path.read_text())
    assert saved["SECRET_KEY"] == app.config["SECRET_KEY"]
    assert len(saved["SECRET_KEY"]) >= config.MIN_SECRET_KEY_LENGTH
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_secret_key_survives_a_restart(instance):
    first = build(instance).config["SECRET_KEY"]
    second = build(instance).config["SECRET_KEY"]
    assert first == second != config.INSECURE_SECRET_KEY


def test_default_database_is_a_sqlite_file_in_the_instance_folder(instance):
    app = build(instance)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance}/marquee-test.sqlite3"


def test_instance_file_overrides_defaults(instance):
    instance.mkdir()
    (instance / "config.test.json").write_text(json.dumps({"MOVIES_PER_PAGE": 48}))
    assert build(instance).config["MOVIES_PER_PAGE"] == 48


def test_environment_overrides_the_instance_file_with_typed_values(instance, monkeypatch):
    instance.mkdir()
    (instance / "config.test.json").write_text(json.dumps({"MOVIES_PER_PAGE": 48}))
    monkeypatch.setenv("FLASK_MOVIES_PER_PAGE", "30")
    monkeypatch.setenv("FLASK_WTF_CSRF_ENABLED", "false")
    monkeypatch.setenv("FLASK_SESSION_COOKIE_SECURE", "True")

    app = build(instance)

    assert app.config["MOVIES_PER_PAGE"] == 30
    assert app.config["WTF_CSRF_ENABLED"] is False
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_named_variables_are_read_without_a_prefix(instance, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://marquee:pw@db.internal/marquee")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("TMDB_API_KEY", "0123456789")
    monkeypatch.setenv("OPENAI_MODEL", "llama3.1")

    app = create_app({"INSTANCE_PATH": str(instance), "MARQUEE_ENV": "test"})

    uri = "postgresql+psycopg://marquee:pw@db.internal/marquee"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == uri
    assert app.config["REDIS_URL"] == "redis://127.0.0.1:6379/0"
    assert app.config["TMDB_API_KEY"] == "0123456789"  # digits stay text
    assert app.config["OPENAI_MODEL"] == "llama3.1"


def test_marquee_env_chooses_the_instance_file(instance, monkeypatch):
    monkeypatch.setenv("MARQUEE_ENV", "dev")
    app = create_app({"INSTANCE_PATH": str(instance)})
    assert app.config["MARQUEE_ENV"] == "dev"
    assert (instance / "config.dev.json").exists()


def test_unknown_environment_is_refused(instance):
    with pytest.raises(ConfigError, match="MARQUEE_ENV is 'staging'"):
        build(instance, MARQUEE_ENV="staging")


def test_a_wrongly_typed_value_names_the_setting(instance, monkeypatch):
    monkeypatch.setenv("FLASK_MOVIES_PER_PAGE", "many")
    with pytest.raises(ConfigError, match="MOVIES_PER_PAGE must be a whole number"):
        build(instance)


def test_a_broken_instance_file_names_the_file(instance):
    instance.mkdir()
    (instance / "config.test.json").write_text("{not json")
    with pytest.raises(ConfigError, match=r"config\.test\.json is not valid JSON"):
        build(instance)


def test_an_instance_file_must_hold_an_object(instance):
    instance.mkdir()
    (instance / "config.test.json").write_text("[1, 2]")
    with pytest.raises(ConfigError, match="must hold a JSON object"):
        build(instance)


def test_prod_refuses_to_start_without_a_secret_key(instance):
    with pytest.raises(ConfigError, match="SECRET_KEY is not set for MARQUEE_ENV=prod"):
        create_app({"INSTANCE_PATH": str(instance), "MARQUEE_ENV": "prod", "BASE_URL": SITE})
    written = json.loads((instance / "config.prod.json").read_text())
    assert "SECRET_KEY" not in written
    assert written["SESSION_COOKIE_SECURE"] is True


def test_prod_refuses_the_default_or_a_short_secret_key(instance, monkeypatch):
    monkeypatch.setenv("MARQUEE_ENV", "prod")
    monkeypatch.setenv("FLASK_BASE_URL", SITE)
    monkeypatch.setenv("FLASK_SECRET_KEY", config.INSECURE_SECRET_KEY)
    with pytest.raises(ConfigError, match="not set"):
        create_app({"INSTANCE_PATH": str(instance)})
    monkeypatch.setenv("FLASK_SECRET_KEY", "short")
    with pytest.raises(ConfigError, match="shorter than"):
        create_app({"INSTANCE_PATH": str(instance)})


def test_prod_starts_with_a_secret_key_from_the_environment(instance, monkeypatch):
    monkeypatch.setenv("MARQUEE_ENV", "prod")
    monkeypatch.setenv("FLASK_BASE_URL", SITE)
    monkeypatch.setenv("FLASK_SECRET_KEY", "k" * 48)
    app = create_app({"INSTANCE_PATH": str(instance)})
    assert app.config["SECRET_KEY"] == "k" * 48
    assert app.config["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize(
    ("raw", "value"),
    [("false", False), ("True", True), ("30", 30), ("1.5", 1.5), ("abc", "abc"), ("[1]", [1])],
)
def test_environment_strings_become_typed_values(raw, value):
    assert parse_env_value(raw) == value


def test_unknown_log_level_falls_back_to_info(instance, caplog):
    app = build(instance, LOG_LEVEL="chatty")
    assert app.logger.level == 20


def test_the_cache_uses_redis_when_redis_url_is_set(instance):
    from app.infra.cache import cache

    app = build(instance, TESTING=False, REDIS_URL="redis://127.0.0.1:6379/15")
    with app.app_context():
        assert type(cache.cache).__name__ == "RedisCache"
        cache.set("marquee-test-key", 42)
        assert cache.get("marquee-test-key") == 42
        cache.delete("marquee-test-key")
    local = build(instance, TESTING=False)
    with local.app_context():
        assert type(cache.cache).__name__ == "SimpleCache"


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://marquee:pa@ss:w0rdSECRET@127.0.0.1/marquee",
        "postgresql://marquee:pa@SECRETss@127.0.0.1:5432/marquee",
    ],
)
def test_a_database_url_with_a_raw_at_sign_is_refused_without_echoing_it(tmp_path, url):
    with pytest.raises(ConfigError) as refused:
        create_app(
            {"MARQUEE_ENV": "test", "INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": url}
        )
    assert "percent-encode them (@ is %40" in str(refused.value.code)
    assert "SECRET" not in str(refused.value.code)


def test_prod_refuses_to_start_without_its_address(instance, monkeypatch):
    monkeypatch.setenv("FLASK_SECRET_KEY", "s" * 48)
    with pytest.raises(ConfigError, match="BASE_URL is not set for MARQUEE_ENV=prod"):
        create_app({"INSTANCE_PATH": str(instance), "MARQUEE_ENV": "prod"})


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("https://movies.example.org/", "https://movies.example.org"),
        ("http://h:8000", "http://h:8000"),
    ],
)
def test_base_url_is_kept_without_a_trailing_slash(instance, given, kept):
    app = create_app({"INSTANCE_PATH": str(instance), "MARQUEE_ENV": "test", "BASE_URL": given})
    assert app.config["BASE_URL"] == kept


@pytest.mark.parametrize("given", ["movies.example.org", "ftp://x.org", "https://x.org/?a=1"])
def test_a_base_url_that_is_not_an_address_is_refused(instance, given):
    with pytest.raises(ConfigError, match="BASE_URL must be the site's address"):
        create_app({"INSTANCE_PATH": str(instance), "MARQUEE_ENV": "test", "BASE_URL": given})
