"""What the kit knows: specs, their kinds and draws, the results data, the messages' language."""
