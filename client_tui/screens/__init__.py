"""One screen per file, each with its own ``.tcss`` next to it."""
