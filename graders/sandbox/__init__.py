"""How student code runs: a worker process per submission, confined, limited and spoken to over a pipe."""
