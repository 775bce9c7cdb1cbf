"""Settings: defaults, then ``CLUSTERKG_*`` environment variables, then explicit options; always frozen."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from clusterkg.core.errors import ClusterkgError
from clusterkg.core.settings import Settings


def test_defaults_put_the_store_under_xdg_data_home():
    settings = Settings.from_env({"XDG_DATA_HOME": "/data"})
    assert settings.store == Path("/data/clusterkg/store")
    assert (settings.host, settings.port, settings.base) == ("127.0.0.1", 8000, "https://w3id.org/clusterkg/")


def test_environment_then_explicit_options_win():
    env = {"CLUSTERKG_STORE": "/env/store", "CLUSTERKG_PORT": "9000", "CLUSTERKG_HOST": "0.0.0.0"}
    settings = Settings.from_env(env, port=9100, host=None)
    assert settings.store == Path("/env/store")
    assert settings.port == 9100  # the option
    assert settings.host == "0.0.0.0"  # unset option falls through to the environment


def test_settings_are_frozen():
    settings = Settings.from_env({})
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.port = 1  # type: ignore[misc]
    assert settings.with_(port=1).port == 1 and settings.port == 8000


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CLUSTERKG_PORT": "x"}, "CLUSTERKG_PORT must be an integer"),
        ({"CLUSTERKG_PORT": "70000"}, "port must be between 1 and 65535"),
        ({"CLUSTERKG_BASE": "ftp://example.org/"}, "base IRI must be http(s)"),
        ({"CLUSTERKG_BASE": "https://example.org/kg"}, "end with '/' or '#'"),
        ({"CLUSTERKG_WORKERS": "0"}, "workers must be at least 1"),
    ],
)
def test_bad_settings_are_clear_errors(env, message):
    with pytest.raises(ClusterkgError, match=re.escape(message)):
        Settings.from_env(env)


def test_every_setting_is_documented_in_the_readme_with_its_variable():
    """Every field of Settings has a row in README's settings table naming its environment variable."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("### Settings") : readme.index("## Keeping a cluster in a spreadsheet")]
    for field in dataclasses.fields(Settings):
        variable = f"CLUSTERKG_{field.name.upper()}"
        assert f"`{variable}`" in table, f"setting {field.name} ({variable}) is not in README's settings table"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CLUSTERKG_QUERY_TIMEOUT": "0"}, "query timeout must be at least 1"),
        ({"CLUSTERKG_MAX_ROWS": "0"}, "max rows must be at least 1"),
        ({"CLUSTERKG_CACHE_BYTES": "-1"}, "cache bytes must not be negative"),
        ({"CLUSTERKG_SERVICE_ALLOWLIST": "ftp://x/"}, "allow-list entries must be http(s)"),
    ],
)
def test_bad_safety_settings_are_clear_errors(env, message):
    with pytest.raises(ClusterkgError, match=re.escape(message)):
        Settings.from_env(env)
