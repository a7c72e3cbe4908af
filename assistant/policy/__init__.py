"""Policy documents: Markdown parsing, sections and clauses, stances."""
