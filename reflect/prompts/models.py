from django.db import models


class Theme(models.TextChoices):
    RELATIONSHIP = "relationship", "The therapeutic relationship"
    ATTUNEMENT = "attunement", "Attunement and misattunement"
    RUPTURE_REPAIR = "rupture_repair", "Rupture and repair"
    REGULATION = "regulation", "Regulation and the window of tolerance"
    OWN_THERAPY = "own_therapy", "Your own therapy"
    BOUNDARIES = "boundaries", "Boundaries"
    ATTACHMENT = "attachment", "Attachment patterns"
    BODY = "body", "The body"
    CULTURE = "culture", "Cultural attunement"
    SELF_CARE = "self_care", "Self-care"
    SAFETY = "safety", "Safety and trauma-informed practice"
    GROWTH = "growth", "Change through repetition"


class Prompt(models.Model):
    """One reflective prompt in the library that weekly prompts rotate through."""

    theme = models.CharField(max_length=30, choices=Theme.choices)
    text = models.TextField(unique=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text[:60]
