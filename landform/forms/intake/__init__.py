"""The intake: where visitors' submissions arrive, are checked for bots, validated and stored."""
