"""Review meetings over plain data: the review policy clock, the agenda, the invite."""
