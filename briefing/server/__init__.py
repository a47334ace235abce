"""The local HTTP server: a library's published files, read-only, and the guard that bounds its
connections.
"""
