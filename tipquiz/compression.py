"""Compressed responses: a page of the quiz is a few kilobytes instead of ten or more.

Flask-Compress picks Brotli or gzip from what the browser accepts and adds
``Vary: Accept-Encoding``. Brotli at level 4 costs about the same CPU as gzip at 6 and is
smaller; every phone browser reads both.
"""

from __future__ import annotations

from flask import Flask
from flask_compress import Compress

compress = Compress()


def init_app(app: Flask) -> None:
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br", "gzip"])
    app.config.setdefault("COMPRESS_BR_LEVEL", 4)
    app.config.setdefault("COMPRESS_LEVEL", 6)
    app.config.setdefault("COMPRESS_MIN_SIZE", 500)
    compress.init_app(app)
