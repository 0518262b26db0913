"""A team read from its CRM export: the fitted scenario, its estimators, report and recovery check."""
