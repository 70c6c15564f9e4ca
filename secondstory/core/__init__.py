"""Pure-Python domain logic: never imports Django or the apps."""
