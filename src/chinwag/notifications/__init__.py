"""Reaching people away from the app: Web Push to their devices and missed-message email."""
