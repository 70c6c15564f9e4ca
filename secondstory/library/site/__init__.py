"""The static site of published, non-restricted postmortems (``secondstory publish-site``)."""
