"""Every model that refers to a person says how it is exported and erased (reflect/privacy.py)."""

from django.apps import apps
from django.conf import settings

from reflect.privacy import ANONYMISE, DELETE, KEEP, REGISTRY


def people_fields() -> dict[str, set[str]]:
    user = apps.get_model(settings.AUTH_USER_MODEL)
    found = {}
    for model in apps.get_models():
        fields = {
            f.name
            for f in model._meta.get_fields()
            if f.concrete
            and getattr(f, "related_model", None) is user
            and (f.many_to_one or f.one_to_one or f.many_to_many)
        }
        if fields:
            found[model._meta.label] = fields
    return found


def test_every_model_that_refers_to_a_person_is_in_the_registry_with_all_its_fields():
    declared = {label: set(rule.fields) for label, rule in REGISTRY.items()}
    assert people_fields() == declared


def test_every_rule_says_what_erasure_does_and_why_when_anything_stays():
    for label, rule in REGISTRY.items():
        assert rule.erase in (DELETE, ANONYMISE, KEEP), label
        if rule.erase != DELETE:
            assert rule.why, f"{label}: say why it stays"
