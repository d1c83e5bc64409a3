"""Forms: the builder, validation, intake with abuse protection."""
