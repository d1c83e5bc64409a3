"""`landform demo`: the demo tenant, seeded by `seed.seed_demo`, one module per part of the product."""
