"""Plain functions that hold the board's rules; views and the CLI call them, they never commit."""
