"""Page arithmetic and the pager's page numbers."""

from app.services.paging import Page


def test_page_properties():
    page = Page(items=list(range(24)), page=2, per_page=24, total=100)
    assert page.pages == 5
    assert (page.prev_num, page.next_num) == (1, 3)
    assert page.first_index == 25
    empty = Page(items=[], page=1, per_page=24, total=0)
    assert empty.pages == 1
    assert not empty.has_prev
    assert not empty.has_next
    assert empty.first_index == 0


def test_iter_pages_marks_gaps():
    page = Page(items=[1], page=10, per_page=1, total=40)
    assert list(page.iter_pages()) == [1, None, 8, 9, 10, 11, 12, None, 40]
    assert list(Page(items=[1], page=1, per_page=1, total=3).iter_pages()) == [1, 2, 3]
