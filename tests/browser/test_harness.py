"""The browser tests' own promise: a failed test leaves a screenshot of its tab."""

from __future__ import annotations

from tests.support import ROOT

# The suite's fixtures and the browser tests' own, in a conftest of the test's folder.
CONFTEST = """
from tests.conftest import *  # noqa: F403
from tests.browser.conftest import *  # noqa: F403
"""
FAILING_TEST = """
from playwright.sync_api import expect


def test_a_login_that_expects_the_wrong_heading(page):
    page.goto("/login")
    expect(page.get_by_role("heading", name="Not this page")).to_be_visible(timeout=500)
"""


def test_a_failed_browser_test_saves_a_screenshot(pytester, monkeypatch, tmp_path):
    shots = tmp_path / "shots"
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.setenv("BROWSER_SCREENSHOTS", str(shots))
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_failing=FAILING_TEST)

    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*screenshot of the failed test: *.png"])
    [shot] = shots.glob("*.png")
    assert "test_a_login_that_expects_the_wrong_heading" in shot.name
    assert shot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert shot.stat().st_size > 5_000  # a rendered page, not an empty image
