"""Master-data use cases (setup, salespeople, contacts, campaigns, cycles, codes, activities, tasks,
opportunities) and the transaction helper every use case runs in."""
