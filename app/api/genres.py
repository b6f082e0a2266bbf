"""/api/v1/genres: every genre with its number of movies."""

from __future__ import annotations

from ..services import catalog
from .area import Area
from .caching import catalog_read
from .schemas import GenreCountSchema

bp = Area("genres", __name__, url_prefix="/genres", description="Genres")


@bp.route("/")
@catalog_read
@bp.response(200, GenreCountSchema(many=True))
def list_genres():
    """Every genre, named in the reader's language, in its order; `slug` filters /movies/."""
    return catalog.genres_by_local_name()
