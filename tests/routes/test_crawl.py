"""Follow every link from the home page over the bundled sample: no 5xx, no broken link."""

from __future__ import annotations

import re
from collections import Counter, deque
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

LINK = re.compile(r'(?:href|src)="([^"]+)"')
# Python's None printed into an attribute (aria-invalid="None" reads as invalid).
NONE_ATTRIBUTE = re.compile(r'\s[\w-]+="None"')
LABEL_FOR = re.compile(r'<label[^>]*\sfor="([^"]+)"')
ID = re.compile(r'\sid="([^"]+)"')
PAGE_LIMIT = 600


def crawl(client, *, limit: int = PAGE_LIMIT) -> tuple[dict[str, int], list[str], list[str]]:
    """Breadth-first from "/": each URL's status, links that led to a 404, markup faults."""
    statuses: dict[str, int] = {}
    broken: list[str] = []
    faults: list[str] = []
    queue = deque([("/", "(start)")])
    while queue and len(statuses) < limit:
        url, found_on = queue.popleft()
        if url in statuses:
            continue
        response = client.get(url)
        statuses[url] = response.status_code
        if response.status_code == 404:
            broken.append(f"{url} (linked from {found_on})")
        if response.mimetype != "text/html" or url.startswith("/static/"):
            response.close()
            continue
        html = response.get_data(as_text=True)
        faults += markup_faults(url, html)
        for link in LINK.findall(html):
            target = internal(url, link.replace("&amp;", "&"))
            if target and target not in statuses:
                queue.append((target, url))
    return statuses, broken, faults


def markup_faults(url: str, html: str) -> list[str]:
    """Attributes valued "None", and labels that name no control or several."""
    ids = Counter(ID.findall(html))
    return [f"{url}: {attribute}" for attribute in NONE_ATTRIBUTE.findall(html)] + [
        f"{url}: <label for={target!r}> matches {ids[target]} elements"
        for target in LABEL_FOR.findall(html)
        if ids[target] != 1
    ]


def internal(page: str, link: str) -> str | None:
    """The path and query a link on `page` leads to on this site, or None for other sites."""
    absolute = urldefrag(urljoin(f"http://localhost{page}", link)).url
    parts = urlsplit(absolute)
    if parts.netloc != "localhost" or parts.scheme != "http":
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "member in pt-BR"])
def test_every_link_from_home_works(request, client, db, sample, signed_in, capsys):
    if signed_in:  # the member reads the site in Portuguese: both languages are crawled
        request.getfixturevalue("ana").locale = "pt-BR"
        db.session.commit()

    statuses, broken, faults = crawl(client)

    with capsys.disabled():
        who = "a member, in pt-BR," if signed_in else "a visitor"
        print(f"\ncrawled {len(statuses)} pages as {who} (limit {PAGE_LIMIT})")
    assert signed_in is False or '<html lang="pt-BR">' in client.get("/").get_data(as_text=True)
    assert len(statuses) >= 300
    assert not [url for url, status in statuses.items() if status >= 500]
    assert broken == []
    assert faults == []
    assert signed_in is False or "/account" in statuses
    assert {"/movies/", "/people/", "/genres/"} <= set(statuses)
