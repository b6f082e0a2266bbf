"""AI descriptions: texts for movies, people, genres and crew jobs, with provenance."""
