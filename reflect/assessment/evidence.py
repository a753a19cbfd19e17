"""Evidence: a trainee offers a journal entry as evidence for rubric criteria.

It belongs to assessment, not the journal, so the journal knows nothing of
marking: the entry editor and the entry page (reflect.pages) add this part."""

from django import forms
from django.db import models, transaction
from django.utils import timezone

from accounts.models import User
from reflect.access import cohorts_as
from reflect.assessment.models import Criterion
from reflect.cohorts.models import Role
from reflect.journal.models import JournalEntry


class Evidence(models.Model):
    """One entry offered as evidence for one criterion."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.CASCADE, related_name="evidence")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="evidence")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "evidence"
        constraints = [models.UniqueConstraint(fields=["entry", "criterion"], name="unique_evidence")]

    def __str__(self) -> str:
        return f"Evidence #{self.pk}"


def criteria_for_trainee(user: User):
    """Criteria of the rubrics used by checkpoints of the trainee's cohorts."""
    return (
        Criterion.objects.filter(rubric__checkpoints__cohort__in=cohorts_as(user, Role.TRAINEE))
        .select_related("rubric")
        .order_by("rubric__title", "rubric__version", "position")
        .distinct()
    )


def criteria_evidenced(entry: JournalEntry) -> list[Criterion]:
    """The criteria this entry is offered as evidence for, with their rubrics, in rubric order."""
    rows = Evidence.objects.filter(entry=entry).select_related("criterion__rubric")
    return [e.criterion for e in rows.order_by("criterion__position", "criterion_id")]


@transaction.atomic
def evidence_set(*, entry: JournalEntry, criteria: list[Criterion]) -> None:
    """Make `criteria` exactly the criteria this entry is evidence for."""
    wanted = {c.pk for c in criteria}
    Evidence.objects.filter(entry=entry).exclude(criterion_id__in=wanted).delete()
    Evidence.objects.bulk_create(
        [Evidence(entry=entry, criterion_id=pk) for pk in sorted(wanted)], ignore_conflicts=True
    )


class EvidenceFormMixin:
    """Adds the optional "Evidence for" ticks to a form (the journal's entry editor).
    The form takes `trainee=`: only criteria of their cohorts' rubrics are offered."""

    def __init__(self, *args, trainee=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = forms.ModelMultipleChoiceField(
            queryset=criteria_for_trainee(trainee) if trainee is not None else Criterion.objects.none(),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            label="Evidence for",
            help_text="Tick the rubric criteria this entry shows evidence for. Optional.",
            error_messages={"invalid_choice": "One of the chosen criteria isn't in your cohort's rubric."},
        )
        field.label_from_instance = lambda c: f"{c.rubric.title}: {c.title}"
        self.fields["criteria"] = field

    @staticmethod
    def evidence_initial(entry: JournalEntry) -> dict:
        return {"criteria": list(Evidence.objects.filter(entry=entry).values_list("criterion_id", flat=True))}
