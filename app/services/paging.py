"""A page of results, for any list the site shows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import select

from ..infra.db import db

T = TypeVar("T")
Model = TypeVar("Model")

PAGE_SIZES = (12, 24, 48, 96)


def load_in_order(model: type[Model], ids: list[int]) -> list[Model]:
    """Rows of `model` by primary key, in the order of `ids`, in one query."""
    if not ids:
        return []
    found = {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(ids)))}
    return [found[row_id] for row_id in ids if row_id in found]


def page_count(total: int, per_page: int) -> int:
    """Pages needed for `total` items (at least 1)."""
    return max(1, -(-total // per_page))


def clamp(page: int, *, total: int, per_page: int) -> int:
    """The asked page number, kept between the first and last page."""
    return min(max(page, 1), page_count(total, per_page))


@dataclass(frozen=True)
class Page(Generic[T]):
    """Items of one page, with what a pager needs to link the others."""

    items: list[T]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """Number of pages (at least 1)."""
        return page_count(self.total, self.per_page)

    @property
    def has_prev(self) -> bool:
        """Whether a previous page exists."""
        return self.page > 1

    @property
    def has_next(self) -> bool:
        """Whether a next page exists."""
        return self.page < self.pages

    @property
    def prev_num(self) -> int | None:
        """The previous page number, or None."""
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        """The next page number, or None."""
        return self.page + 1 if self.has_next else None

    @property
    def first_index(self) -> int:
        """1-based position of the first item on this page (0 when empty)."""
        return (self.page - 1) * self.per_page + 1 if self.items else 0

    def iter_pages(self, edge: int = 1, around: int = 2) -> Iterator[int | None]:
        """Page numbers to link, with None for each gap: 1 … 4 5 [6] 7 8 … 40."""
        last = self.pages
        shown = sorted(
            {number for number in range(1, edge + 1)}
            | {number for number in range(last - edge + 1, last + 1)}
            | set(range(self.page - around, self.page + around + 1))
        )
        previous = 0
        for number in shown:
            if not 1 <= number <= last:
                continue
            if previous and number - previous > 1:
                yield None
            yield number
            previous = number
