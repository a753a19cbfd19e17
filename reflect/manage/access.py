"""The one way every course-admin view fetches what its URL names: through the
`administered_by` querysets, so anything the person does not run is a 404."""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from reflect.access import cohorts_administered_by, programmes_administered_by
from reflect.cohorts.models import Cohort, Programme


def get_programme_for_admin(request: HttpRequest, pk: int) -> Programme:
    """The programme, if this person runs it; 404 for everyone else."""
    return get_object_or_404(programmes_administered_by(request.user), pk=pk)


def get_cohort_for_admin(request: HttpRequest, pk: int) -> Cohort:
    """The cohort (archived or not), if this person runs its programme; 404 for everyone else."""
    return get_object_or_404(cohorts_administered_by(request.user).select_related("programme"), pk=pk)
