"""Owner assignment: the rules, departments, ranks and fallback owner that choose a lead's owner."""
