"""Django-aware helpers, one module per topic."""
