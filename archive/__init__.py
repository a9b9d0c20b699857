"""Olke's core: the catalog, file storage, search index, plans, reports and delivery requests.

A library: it imports no other package of Olke. The `olke` command (`cli`), ingest and the web
apps (`search_app`) are layers over it.
"""
