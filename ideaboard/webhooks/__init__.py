"""The caretaker's outgoing webhooks."""
