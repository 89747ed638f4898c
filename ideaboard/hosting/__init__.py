"""Hosting a chat: members offer to host, and nominees answer their nomination."""
