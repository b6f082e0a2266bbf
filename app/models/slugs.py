"""URL slugs for titles and names."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SEPARATORS = re.compile(r"[^\w]+|_+")


@lru_cache(maxsize=65_536)  # pages build many links to the same titles
def slugify(text: str, max_length: int = 80) -> str:
    """Lower-case words joined by hyphens, accents dropped: 'Amélie (2001)' → 'amelie-2001'.

    Letters of other scripts stay as they are ('千と千尋'), since a URL may hold them.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    unaccented = "".join(char for char in decomposed if not unicodedata.combining(char))
    slug = _SEPARATORS.sub("-", unaccented).strip("-")
    return slug[:max_length].rstrip("-") or "untitled"
