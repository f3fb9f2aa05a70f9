"""The pygame window: play a battle against the computer or hot-seat, then see it beside history.

The window only reads the game state and its events and hands Orders to the rules. The modules
without pygame (`session`, `fog`, `odds`, `saves`) can be used and tested without a screen; the
rest (`app`, `screens`, `mapview`, `drawing`, `fonts`) draw. Only this package imports pygame.
"""
