"""The JSON API, version 1 (/api/v1), its OpenAPI description and its docs page."""
