"""Generated input to every route and form, signed out and signed in: never a 5xx."""

from __future__ import annotations

import importlib
import inspect
import io
import pkgutil
import re
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wtforms import Form
from wtforms.fields.core import UnboundField

import app.forms
from app.infra import mail
from app.models import Role
from tests.factories import make_movie
from tests.support import csrf_token, fuzz_cases

EXAMPLES_PER_ROUTE = 40
NUMBERS = ["0", "-1", "1.5", "1e309", "NaN", "inf", "99999999999999999999999", "2**64"]
ATTACKS = ["%", "%00", "../../etc/passwd", "<script>alert(1)</script>", "' OR 1=1 --", "\u202e"]
ODD_TEXT = ["ｅｍａｉｌ@ｅｘａｍｐｌｅ.ｃｏｍ", "a@b", "😀" * 40, "x" * 6000]
DATES = ["2026-02-30", "9999-12-31", "1869-12-31"]
LOOKALIKES = ["yes", "on", "true", "[]", "{}"]  # booleans and JSON, as strings
NASTY = ["", " ", *NUMBERS, *ATTACKS, *ODD_TEXT, *DATES, *LOOKALIKES, "\t\n"]
# Control characters other than NUL (refused up front with a 400, tested elsewhere) stay in.
values = st.one_of(
    st.sampled_from(NASTY),
    st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=80),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.integers(min_value=1, max_value=20).map(str),  # ids that exist
)
QUERY_NAMES = [
    "page",
    "q",
    "sort",
    "order",
    "genre",
    "decade",
    "year_from",
    "year_to",
    "min_rating",
    "min_community",
    "runtime_min",
    "runtime_max",
    "language",
    "per_page",
    "reviews_page",
    "department",
    "next",
    "month",
    "role",
    "entity",
    "editor",
    "since",
]


def form_field_names() -> list[str]:
    """Every field name any of the app's forms declares."""
    names = set()
    for module_info in pkgutil.iter_modules(app.forms.__path__):
        module = importlib.import_module(f"app.forms.{module_info.name}")
        for _, form in inspect.getmembers(module, inspect.isclass):
            if issubclass(form, Form):
                names |= {n for n in dir(form) if isinstance(getattr(form, n), UnboundField)}
    return sorted(names - {"csrf_token", "submit"})


FIELDS = form_field_names()
SIGNING_OUT = ("/account/sessions/end-all", "/logout")


def routes(flask_app, method: str) -> list[str]:
    """Every rule answering `method`, static files and media aside (tested on their own).

    Logging out (here, or everywhere) comes last, so a member stays signed in for every
    other route.
    """
    return sorted(
        (
            rule.rule
            for rule in flask_app.url_map.iter_rules()
            if method in rule.methods and rule.endpoint not in ("static", "users.avatar_image")
        ),
        key=lambda rule: (rule in SIGNING_OUT, rule),
    )


def fill(rule: str, draw) -> str:
    """The rule with each <variable> replaced by generated text, URL-quoted."""
    return re.sub(r"<(?:[^:>]+:)?[^>]+>", lambda _: quote(draw(values), safe="") or "x", rule)


def fuzz(rules: list[str], send) -> int:
    """EXAMPLES_PER_ROUTE generated requests to each rule; fails on any 5xx; returns the count."""
    sent = 0

    def run(rule: str) -> None:
        @settings(
            max_examples=EXAMPLES_PER_ROUTE,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        @given(data=st.data())
        def case(data):
            nonlocal sent
            response = send(rule, data)
            # Mail goes out on a thread, and the mail library draws from the
            # `random` module; Hypothesis must see it untouched while it draws.
            mail.drain()
            sent += 1
            assert response.status_code < 500, f"{response.status_code} for {rule}"

        case()

    for rule in rules:
        run(rule)
    return sent


@pytest.fixture(params=["visitor", "member", "admin"])
def who(request, client, db):
    """Signed out, a member or an admin (who may edit too), with a few movies to find."""
    for number in range(5):
        make_movie(f"Fuzzed {number}")
    db.session.commit()
    if request.param != "visitor":
        ana = request.getfixturevalue("ana")
        ana.role = Role(request.param)
        db.session.commit()
    return request.param


def with_article(who: str) -> str:
    """'a member', 'an admin'."""
    return f"{'an' if who[0] in 'aeiou' else 'a'} {who}"


def test_get_routes_with_generated_paths_and_queries(app, client, who):
    def send(rule, data):
        query = data.draw(st.dictionaries(st.sampled_from(QUERY_NAMES), values, max_size=5))
        return client.get(fill(rule, data.draw), query_string=query)

    fuzz_cases[f"GET as {with_article(who)}"] += fuzz(routes(app, "GET"), send)


def test_post_routes_with_generated_forms(app, client, who):
    token = csrf_token(client, "/login" if who == "visitor" else "/account")

    def send(rule, data):
        form = data.draw(st.dictionaries(st.sampled_from(FIELDS), values, max_size=6))
        if data.draw(st.booleans()):
            picture = data.draw(st.binary(max_size=2000))
            form["avatar"] = (io.BytesIO(picture), data.draw(st.sampled_from(["a.png", "a", ""])))
        form["csrf_token"] = token
        return client.post(fill(rule, data.draw), data=form)

    fuzz_cases[f"POST as {with_article(who)}"] += fuzz(routes(app, "POST"), send)
