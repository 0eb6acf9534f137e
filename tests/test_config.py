"""Settings are validated at start-up with messages that name the variable."""

import pytest

from chinwag.config import SettingsError, load_settings


def test_production_without_a_key_refuses_to_start(monkeypatch, tmp_path):
    monkeypatch.setenv("CHINWAG_ENV", "production")
    monkeypatch.delenv("CHINWAG_SECRET_KEY", raising=False)
    with pytest.raises(SettingsError, match="CHINWAG_SECRET_KEY"):
        load_settings(_env_file=None, data_dir=tmp_path)


def test_production_with_a_weak_key_refuses_to_start(monkeypatch, tmp_path):
    monkeypatch.setenv("CHINWAG_ENV", "production")
    monkeypatch.setenv("CHINWAG_SECRET_KEY", "short")
    with pytest.raises(SettingsError, match="at least 32"):
        load_settings(_env_file=None, data_dir=tmp_path)


def test_production_with_a_strong_key_starts(monkeypatch, tmp_path):
    monkeypatch.setenv("CHINWAG_ENV", "production")
    monkeypatch.setenv("CHINWAG_SECRET_KEY", "k" * 48)
    assert load_settings(_env_file=None, data_dir=tmp_path).signing_key == "k" * 48


def test_development_key_is_generated_once_and_kept(monkeypatch, tmp_path):
    monkeypatch.delenv("CHINWAG_SECRET_KEY", raising=False)
    first = load_settings(_env_file=None, data_dir=tmp_path).signing_key
    second = load_settings(_env_file=None, data_dir=tmp_path).signing_key
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CHINWAG_DATABASE_URL", "mysql://x"),
        ("CHINWAG_BROKER_URL", "kafka://x"),
        ("CHINWAG_SMTP_URL", "http://mail"),
        ("CHINWAG_PUBLIC_URL", "not a url"),
        ("CHINWAG_ACCESS_TOKEN_MINUTES", "0"),
        ("CHINWAG_LOG_FORMAT", "xml"),
    ],
)
def test_bad_values_name_the_variable(monkeypatch, tmp_path, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=variable):
        load_settings(_env_file=None, data_dir=tmp_path)


def test_default_database_is_sqlite_in_the_data_dir(tmp_path):
    settings = load_settings(_env_file=None, data_dir=tmp_path, database_url="")
    assert settings.resolved_database_url == f"sqlite+aiosqlite:///{tmp_path / 'chinwag.db'}"
