"""Models of the library app."""
