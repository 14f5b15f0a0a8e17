"""The student's side: decks, quizzes, results and scores."""
