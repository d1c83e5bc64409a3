"""Notes, logged calls and tasks on a contact (or a company, or a deal), and the user's own task list."""
