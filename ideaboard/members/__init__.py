"""Members\x27 profiles, and a member\x27s own ideas and votes."""
