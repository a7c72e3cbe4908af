"""Answers: question cleaning, verdicts, composition and rendering."""
