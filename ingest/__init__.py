"""Ingest: from a path the bibliographer points at to described, archived documents.

Finds the documents among the paths, reads their descriptions, validates the files, detects
duplicates and runs the pipeline (OCR, page images, catalog) over them in parallel.
"""
