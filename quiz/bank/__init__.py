"""Reading and writing the interchange formats of the question bank (YAML decks and more)."""
