"""Every rule that changes the game state, each in a small module; `turn` puts them in order."""
