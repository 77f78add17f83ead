"""The local Objects API server: Starlette + uvicorn, SQLite metadata, blobs on disk.

It stands alone: it imports neither the TUI nor the API client.
"""
