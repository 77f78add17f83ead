"""Where objects live: a metadata store (SQLite, PostgreSQL) and a content store (a directory
with HMAC-presigned URLs, S3). The API layer, the validation and the lifecycle rules are written
once, in ``server/app.py``, against the two small interfaces in ``base.py``.
"""
