"""Learning insights: pure aggregation and the learning-health checks over plain data."""
