"""`flask …` commands: parse, call a service, report."""
