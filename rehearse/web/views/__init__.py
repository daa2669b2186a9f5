"""Blueprints, one per concern: pages, the two check pages, and the JSON API."""
