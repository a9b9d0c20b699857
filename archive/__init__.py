"""Olke's core: the catalog, file storage, search index, plans, reports and delivery requests.

The CLI (`archive.cli`) and the web app (`search_app`) are thin layers over this package.
"""
