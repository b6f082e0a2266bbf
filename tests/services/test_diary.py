"""The watched diary: rewatches, date rules, months, ownership."""

from datetime import date, timedelta

import pytest

from app.services import diary
from tests.factories import make_movie, make_user
from tests.routes.test_query_counts import counting


def test_rewatches_are_separate_entries(db):
    ana, heat = make_user("ana"), make_movie("Heat")

    first = diary.log(ana, heat, date(2024, 3, 1))
    second = diary.log(ana, heat, date(2024, 3, 1))

    assert first.id != second.id
    assert diary.watched_count(ana, heat) == 2
    assert diary.watched_count(make_user("bea"), heat) == 0


@pytest.mark.parametrize(
    ("watched_on", "message"),
    [
        (date.today() + timedelta(days=3), "is in the future"),
        (date(1869, 12, 31), "before 1870"),
    ],
)
def test_impossible_days_are_refused_with_a_message(db, watched_on, message):
    ana, heat = make_user("ana"), make_movie("Heat")

    with pytest.raises(diary.DiaryError, match=message) as refused:
        diary.log(ana, heat, watched_on)

    assert refused.value.field == "watched_on"
    assert diary.watched_count(ana, heat) == 0


def test_today_is_accepted_whatever_the_time_zone(db):
    ana, heat = make_user("ana"), make_movie("Heat")

    diary.log(ana, heat, date.today())
    diary.log(ana, heat, diary.latest_day())

    assert diary.watched_count(ana, heat) == 2


def test_month_is_newest_day_first_with_movies_in_one_query(db):
    ana = make_user("ana")
    heat, alien, brazil = make_movie("Heat"), make_movie("Alien"), make_movie("Brazil")
    diary.log(ana, heat, date(2024, 3, 2))
    diary.log(ana, alien, date(2024, 3, 31))
    diary.log(ana, brazil, date(2024, 3, 31))
    diary.log(ana, heat, date(2024, 4, 1))  # next month
    diary.log(ana, heat, date(2024, 2, 29))  # last month
    diary.log(make_user("bea"), heat, date(2024, 3, 15))  # someone else
    db.session.expire_all()  # the movies must come from the query, not the session
    assert ana.id

    with counting(db.engine) as statements:
        entries = diary.month(ana, 2024, 3)
        titles = [(entry.watched_on.day, entry.movie.title) for entry in entries]

    assert titles == [(31, "Brazil"), (31, "Alien"), (2, "Heat")]
    assert len(statements) == 1


def test_month_refuses_a_month_that_does_not_exist(db):
    with pytest.raises(diary.DiaryError):
        diary.month(make_user("ana"), 2024, 13)


def test_months_counts_entries_newest_first(db):
    ana, heat = make_user("ana"), make_movie("Heat")
    for day in (date(2023, 12, 24), date(2024, 3, 1), date(2024, 3, 9), date(2022, 1, 1)):
        diary.log(ana, heat, day)
    diary.log(make_user("bea"), heat, date(2021, 5, 5))

    assert diary.months(ana) == [(2024, 3, 2), (2023, 12, 1), (2022, 1, 1)]


def test_delete_only_the_owners_entry(db):
    ana, bea, heat = make_user("ana"), make_user("bea"), make_movie("Heat")
    entry = diary.log(ana, heat, date(2024, 3, 1))

    with pytest.raises(diary.DiaryEntryNotFoundError):
        diary.delete(bea, entry.id)
    assert diary.watched_count(ana, heat) == 1
    assert diary.delete(ana, entry.id) is entry
    assert diary.watched_count(ana, heat) == 0
    with pytest.raises(diary.DiaryEntryNotFoundError):
        diary.delete(ana, entry.id)
