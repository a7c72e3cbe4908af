"""The evaluation harness: labelled items, runner, reports, grounding."""
