"""The caretaker's reviews of the board's top ideas."""
