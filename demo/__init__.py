"""Demo data for `make run`: fictional people, cohorts, entries and marking.

It lives outside the domain packages (and outside the layers contract) because
it reaches into every capability at once, as only a seed script should."""
