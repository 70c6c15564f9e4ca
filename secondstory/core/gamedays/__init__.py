"""Game days and chaos experiments as plain data: their lifecycle and the suggestions of what
to probe next. No Django here (``secondstory.gamedays`` stores and serves them)."""
