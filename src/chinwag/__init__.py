"""chinwag: self-hostable real-time team chat."""

__version__ = "0.1.0"
