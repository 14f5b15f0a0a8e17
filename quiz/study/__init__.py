"""Flashcard study in the browser, scheduled with FSRS."""
