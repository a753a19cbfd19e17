class AssessmentError(Exception):
    """A refused action, with a message written for the person who tried it."""
