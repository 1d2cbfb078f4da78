"""How student code runs: a worker process per submission, confined, limited, over a pipe."""
