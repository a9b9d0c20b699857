"""OCR for Olke: page images or a PDF in; a PDF/A, text, word boxes, confidence and language out.

Knows nothing of catalogs. All calls to ocrmypdf and tesseract go through this package, and their
errors are turned into Olke's own errors here.
"""
from ocr.engine import OcrEngine, OcrOptions, PageResult, Word, get_engine

__all__ = ["OcrEngine", "OcrOptions", "PageResult", "Word", "get_engine"]
