"""Storage: the conversation and feedback stores, seen Slack events."""
