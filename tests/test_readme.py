"""The README documents every setting."""

from pathlib import Path

import pytest

from app.infra.config import DEFAULTS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


@pytest.mark.parametrize("name", sorted(DEFAULTS))
def test_every_setting_is_in_the_configuration_reference(name):
    assert f"| `{name}` |" in README
