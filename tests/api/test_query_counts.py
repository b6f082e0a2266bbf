"""Each API read runs a fixed number of SQL statements, whatever the amount of data."""

from datetime import date, timedelta

import pytest

from app import jobs
from app.models import Import, ImportRow, RowKind, RowStatus
from app.services import diary, reviews, watchlist
from app.services.imports.runner import run_import
from tests.api.conftest import token_for
from tests.factories import make_cast_credit, make_genre, make_movie, make_person, make_user
from tests.routes.test_query_counts import counting, grow

CATALOG = [
    "/api/v1/movies/",
    "/api/v1/movies/?genre=drama&sort=rating&page=2&per_page=12",
    "/api/v1/movies/{feature_id}",
    "/api/v1/movies/{feature_id}/reviews",
    "/api/v1/people/",
    "/api/v1/people/?q=extra",
    "/api/v1/people/{star_id}",
    "/api/v1/genres/",
    "/api/v1/search/?q=extra",
    "/api/v1/search/suggestions?q=extra",
]
MEMBER = [
    "/api/v1/me",
    "/api/v1/me/reviews",
    "/api/v1/me/watchlist",
    "/api/v1/me/diary",
    "/api/v1/me/imports",
    "/api/v1/me/jobs",
]


def keep(db, member, size: int, start: int) -> None:
    """The member rates, watchlists and logs `size` more movies, with imports and their jobs."""
    for number in range(start, start + min(size, 10)):
        job = jobs.enqueue(
            run_import, label=f"Import {number}", user=member, arguments={"import_id": 0}
        )
        imported = Import(user=member, filename=f"export-{number}.zip", size=1, job=job)
        db.session.add(imported)
        db.session.flush()
        db.session.add(
            ImportRow(
                import_id=imported.id,
                file="ratings.csv",
                line=2,
                kind=RowKind.rating,
                title="Kept",
                group_key=f"kept-{number}",
                status=RowStatus.saved,
            )
        )
    for number in range(start, start + size):
        movie = make_movie(f"Kept {number}")
        reviews.upsert(
            user=member,
            movie=movie,
            rating=1 + number % 10,
            body=f"Note {number}.",
            spoilers=False,
            recommends=None,
        )
        watchlist.add(member, movie)
        diary.log(member, movie, date(2024, 1, 1) + timedelta(days=number))
    db.session.commit()


@pytest.mark.parametrize("url", CATALOG + MEMBER)
def test_api_query_count_does_not_grow_with_data(client, db, url):
    genre = make_genre("Drama")
    star = make_person("Star", popularity=50.0)
    feature = make_movie("Feature", genres=[genre])
    make_cast_credit(feature, star, "Lead", order=0)
    member = make_user("ana")
    headers = token_for(db, member)
    grow(db, star, feature, genre, 3)
    keep(db, member, 3, 0)
    target = url.format(feature_id=feature.id, star_id=star.id)
    client.get("/api/v1/me", headers=headers)  # the token's first use is written once

    with counting(db.engine) as small:
        assert client.get(target, headers=headers).status_code == 200
    grow(db, star, feature, genre, 40)
    keep(db, member, 40, 3)
    with counting(db.engine) as large:
        assert client.get(target, headers=headers).status_code == 200

    assert len(large) == len(small), "\n".join(large)
    assert len(small) <= 12, "\n".join(small)
