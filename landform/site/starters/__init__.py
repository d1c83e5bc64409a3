"""Page templates: a gallery of ready-made landing pages, each with its form and a shipped illustration."""
