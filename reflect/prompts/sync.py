"""Bring the stored prompt library up to date with reflect.prompts.library."""

from reflect.prompts.library import PROMPTS


def prompts_sync(prompt_model=None) -> int:
    """Add any prompts from the library that are not stored yet; returns how many were added.

    Existing prompts are left alone (including ones retired with is_active=False), so
    running it again adds nothing. Migrations pass their historical model as prompt_model.
    """
    if prompt_model is None:
        from reflect.prompts.models import Prompt as prompt_model
    added = 0
    for theme, text in PROMPTS:
        _, created = prompt_model.objects.get_or_create(text=text, defaults={"theme": theme})
        added += int(created)
    return added
