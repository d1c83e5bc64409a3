"""The processor's paperwork: the terms and processing agreement, and the record of processing (art. 30)."""
