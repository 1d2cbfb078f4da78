"""What the kit knows: the specs and their kinds and draws, the results data, and the messages' language."""
