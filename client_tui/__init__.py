"""Textual terminal client. Thin: screens, keys and input hints; every rule lives on the server."""
