"""secondstory: self-hosted blameless postmortems."""

__version__ = "0.1.0"
