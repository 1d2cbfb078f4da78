"""Reading what students hand in: submissions as folders or zips, modules or notebooks."""
