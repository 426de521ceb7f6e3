"""Our own X12 005010 writers and readers (BRIEF 2.8): 837P out; 999, 277CA, 271, 277 and 835 in."""
