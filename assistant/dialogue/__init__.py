"""Dialogue: conversations, follow-ups, small talk and clarification."""
