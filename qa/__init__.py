"""Question answering over an ingested index."""
