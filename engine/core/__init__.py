"""Game state, orders and events: plain data the rules change and everyone else reads."""
