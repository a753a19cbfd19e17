"""Pages that span capabilities, composed from the layers below (home, entry page, cohort dashboard)."""
