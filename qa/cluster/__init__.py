"""Ingest on a Ray cluster (`docqa ingest --engine ray`, the `scale` extra): files parsed as Ray tasks,
texts embedded by a Ray Data actor pool, the result written through the same backend writer.

Modules: plan (the embedding batches, so a cluster embeds exactly what one process would), precomputed
(an Embedder that serves those vectors to the writer), ray_ingest (the driver). Ray is imported only
inside ray_ingest's functions.
"""
