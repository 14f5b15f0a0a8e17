"""The teacher's side: question sets, authoring, import and export."""
