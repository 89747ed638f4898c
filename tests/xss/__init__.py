"""Stored-XSS testing: the payloads, the app's forms found by crawling, payloads planted
through those forms, and the browser-side check that nothing planted runs."""
