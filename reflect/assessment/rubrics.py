"""Writes for the rubric builder, and the JSON format rubrics travel in.

A rubric version that any assessment uses is locked: every edit below refuses
it with an AssessmentError and changes nothing. Editing continues in a new
version (`rubric_new_version`), so feedback already given never changes
underneath it.
"""

import json

from django.db import IntegrityError, transaction
from django.db.models import Max

from accounts.models import User
from reflect.assessment.errors import AssessmentError
from reflect.assessment.models import Criterion, Level, Rubric
from reflect.assessment.rubric_content import SEED_RUBRICS
from reflect.cohorts.models import Programme
from reflect.plain_text import NUL, nul_message

FORMAT_NAME = "reflect-rubric"
FORMAT_VERSION = 1
MAX_CRITERIA = 40
MAX_LEVELS = 10
MAX_IMPORT_BYTES = 1_000_000
TITLE_MAX = 200  # Rubric.title and Criterion.title
LABEL_MAX = 100  # Level.label
TEXT_MAX = 5_000  # descriptions and descriptors
POINTS_MIN, POINTS_MAX = 0, 1_000
MAX_REPORTED_ERRORS = 20

LOCKED_MESSAGE = (
    "This rubric version is locked because an assessment uses it, so it can't be changed. "
    "Create a new version to make changes; assessments made with this version keep it as it is."
)


class RubricFormatError(AssessmentError):
    """A rubric file that can't be imported, with every problem found, in plain words."""

    def __init__(self, errors: list[str]):
        self.errors = errors[:MAX_REPORTED_ERRORS]
        if len(errors) > MAX_REPORTED_ERRORS:
            self.errors.append(f"…and {len(errors) - MAX_REPORTED_ERRORS} more problems.")
        super().__init__(" ".join(self.errors))


# --- Locking -------------------------------------------------------------------


def rubric_is_locked(rubric: Rubric) -> bool:
    """Locked once any assessment uses it, even if `locked_at` was never stamped."""
    return rubric.locked_at is not None or rubric.assessments.exists()


def _unlocked(rubric_id: int) -> Rubric:
    """The rubric row, locked for this transaction, or AssessmentError if it is in use.
    Row-locking makes an edit and `rubric_lock` (assessment start) take turns."""
    rubric = Rubric.objects.select_for_update().get(pk=rubric_id)
    if rubric_is_locked(rubric):
        raise AssessmentError(LOCKED_MESSAGE)
    return rubric


def _text(value: str, *, what: str, limit: int, required: bool = False) -> str:
    value = (value or "").strip()
    if NUL in value:
        raise AssessmentError(nul_message(f"The {what}"))
    if required and not value:
        raise AssessmentError(f"Please give the {what}.")
    if len(value) > limit:
        raise AssessmentError(f"Please keep the {what} to {limit} characters or fewer.")
    return value


def _check_points(points: int) -> int:
    if isinstance(points, bool) or not isinstance(points, int) or not POINTS_MIN <= points <= POINTS_MAX:
        raise AssessmentError(f"Points must be a whole number from {POINTS_MIN} to {POINTS_MAX}.")
    return points


def _next_position(queryset) -> int:
    top = queryset.aggregate(m=Max("position"))["m"]
    return 0 if top is None else top + 1


def _move(items: list, item, offset: int) -> bool:
    """Swap `item` with its neighbour `offset` (−1 up, +1 down) and renumber all
    positions from 0. Returns False at either end, where nothing moves."""
    index = [x.pk for x in items].index(item.pk)
    target = index + offset
    if offset not in (-1, 1) or not 0 <= target < len(items):
        return False
    items[index], items[target] = items[target], items[index]
    for position, x in enumerate(items):
        x.position = position
    type(item).objects.bulk_update(items, ["position"])
    return True


# --- Rubric, criteria, levels -------------------------------------------------


@transaction.atomic
def rubric_create(*, programme: Programme, title: str, description: str = "", by: User | None = None) -> Rubric:
    return Rubric.objects.create(
        programme=programme,
        title=_text(title, what="rubric's title", limit=TITLE_MAX, required=True),
        description=_text(description, what="description", limit=TEXT_MAX),
        created_by=by,
    )


@transaction.atomic
def rubric_update(*, rubric: Rubric, title: str, description: str) -> Rubric:
    locked = _unlocked(rubric.pk)
    locked.title = _text(title, what="rubric's title", limit=TITLE_MAX, required=True)
    locked.description = _text(description, what="description", limit=TEXT_MAX)
    locked.save(update_fields=["title", "description"])
    return locked


@transaction.atomic
def criterion_add(*, rubric: Rubric, title: str, description: str = "") -> Criterion:
    rubric = _unlocked(rubric.pk)
    if rubric.criteria.count() >= MAX_CRITERIA:
        raise AssessmentError(f"A rubric can have at most {MAX_CRITERIA} criteria.")
    return Criterion.objects.create(
        rubric=rubric,
        position=_next_position(rubric.criteria),
        title=_text(title, what="criterion's title", limit=TITLE_MAX, required=True),
        description=_text(description, what="description", limit=TEXT_MAX),
    )


@transaction.atomic
def criterion_update(*, criterion: Criterion, title: str, description: str) -> Criterion:
    _unlocked(criterion.rubric_id)
    criterion.title = _text(title, what="criterion's title", limit=TITLE_MAX, required=True)
    criterion.description = _text(description, what="description", limit=TEXT_MAX)
    criterion.save(update_fields=["title", "description"])
    return criterion


@transaction.atomic
def criterion_remove(*, criterion: Criterion) -> None:
    """Removes the criterion with its levels. Entries tagged as evidence for it lose that tag."""
    _unlocked(criterion.rubric_id)
    rubric_id = criterion.rubric_id
    criterion.delete()
    _renumber(list(Criterion.objects.filter(rubric_id=rubric_id)))


@transaction.atomic
def criterion_move(*, criterion: Criterion, offset: int) -> bool:
    """Move one place up (offset −1) or down (+1). Returns False if it is already at that end."""
    _unlocked(criterion.rubric_id)
    return _move(list(Criterion.objects.filter(rubric_id=criterion.rubric_id)), criterion, offset)


@transaction.atomic
def level_add(*, criterion: Criterion, label: str, points: int, descriptor: str = "") -> Level:
    _unlocked(criterion.rubric_id)
    if criterion.levels.count() >= MAX_LEVELS:
        raise AssessmentError(f"A criterion can have at most {MAX_LEVELS} levels.")
    return Level.objects.create(
        criterion=criterion,
        position=_next_position(criterion.levels),
        label=_text(label, what="level's label", limit=LABEL_MAX, required=True),
        points=_check_points(points),
        descriptor=_text(descriptor, what="descriptor", limit=TEXT_MAX),
    )


@transaction.atomic
def level_update(*, level: Level, label: str, points: int, descriptor: str) -> Level:
    _unlocked(level.criterion.rubric_id)
    level.label = _text(label, what="level's label", limit=LABEL_MAX, required=True)
    level.points = _check_points(points)
    level.descriptor = _text(descriptor, what="descriptor", limit=TEXT_MAX)
    level.save(update_fields=["label", "points", "descriptor"])
    return level


@transaction.atomic
def level_remove(*, level: Level) -> None:
    _unlocked(level.criterion.rubric_id)
    criterion_id = level.criterion_id
    level.delete()
    _renumber(list(Level.objects.filter(criterion_id=criterion_id)))


@transaction.atomic
def level_move(*, level: Level, offset: int) -> bool:
    """Move one place left/up (offset −1) or right/down (+1)."""
    _unlocked(level.criterion.rubric_id)
    return _move(list(Level.objects.filter(criterion_id=level.criterion_id)), level, offset)


def _renumber(items: list) -> None:
    for position, item in enumerate(items):
        item.position = position
    if items:
        type(items[0]).objects.bulk_update(items, ["position"])


def _build(rubric: Rubric, criteria: list[dict]) -> None:
    """Create criteria and levels from validated data, in order."""
    for c_pos, c in enumerate(criteria):
        criterion = Criterion.objects.create(
            rubric=rubric, position=c_pos, title=c["title"], description=c.get("description", "")
        )
        Level.objects.bulk_create(
            Level(
                criterion=criterion,
                position=l_pos,
                label=lv["label"],
                points=lv["points"],
                descriptor=lv.get("descriptor", ""),
            )
            for l_pos, lv in enumerate(c["levels"])
        )


@transaction.atomic
def rubric_new_version(*, rubric: Rubric, by: User | None = None) -> Rubric:
    """Copy the latest version of a rubric into version + 1 of the same lineage,
    unlocked. The copied version, and everything that points at it, stays as it is."""
    source = Rubric.objects.select_for_update().get(pk=rubric.pk)
    newest = Rubric.objects.filter(lineage=source.lineage).order_by("-version").first()
    if newest.pk != source.pk:
        raise AssessmentError(
            f"There is already a newer version of this rubric (version {newest.version}). Please edit that one."
        )
    data = rubric_export(rubric=source)
    try:
        with transaction.atomic():
            copy = Rubric.objects.create(
                programme_id=source.programme_id,
                lineage=source.lineage,
                version=source.version + 1,
                title=source.title,
                description=source.description,
                created_by=by,
            )
    except IntegrityError:
        raise AssessmentError("A new version of this rubric was created just now. Please edit that one.") from None
    _build(copy, data["criteria"])
    return copy


# --- JSON export and import ----------------------------------------------------


def rubric_export(*, rubric: Rubric) -> dict:
    """The rubric as plain data in the shareable format (see `rubric_validate`)."""
    criteria = rubric.criteria.prefetch_related("levels")
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "title": rubric.title,
        "description": rubric.description,
        "criteria": [
            {
                "title": c.title,
                "description": c.description,
                "levels": [
                    {"label": lv.label, "points": lv.points, "descriptor": lv.descriptor} for lv in c.levels.all()
                ],
            }
            for c in criteria
        ],
    }


def rubric_export_json(*, rubric: Rubric) -> str:
    return json.dumps(rubric_export(rubric=rubric), indent=2, ensure_ascii=False) + "\n"


def rubric_parse(text: str | bytes) -> dict:
    """Parse and validate rubric JSON; RubricFormatError explains what is wrong."""
    if isinstance(text, bytes):
        if len(text) > MAX_IMPORT_BYTES:
            raise RubricFormatError(["The file is larger than 1 MB. A rubric file is usually a few kilobytes."])
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise RubricFormatError(["The file isn't UTF-8 text. Please export the rubric as JSON again."]) from None
    if len(text.encode("utf-8")) > MAX_IMPORT_BYTES:
        raise RubricFormatError(["The text is larger than 1 MB. A rubric file is usually a few kilobytes."])
    if not text.strip():
        raise RubricFormatError(["There is nothing to import: the JSON is empty."])
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RubricFormatError(
            [f"This isn't valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})."]
        ) from None
    except RecursionError:
        raise RubricFormatError(["This JSON is nested too deeply to be a rubric."]) from None
    return rubric_validate(data)


def _string(errors: list[str], obj: dict, key: str, where: str, limit: int, required: bool) -> str:
    value = obj.get(key)
    if value is None:
        if required:
            errors.append(f"{where} has no “{key}”.")
        return ""
    if not isinstance(value, str):
        errors.append(f"{where}: “{key}” should be text, not {json.dumps(value)[:40]}.")
        return ""
    value = value.strip()
    if NUL in value:
        # JSON can spell it \u0000; PostgreSQL can't store it.
        errors.append(
            f"{where}: “{key}” contains an invisible “null” character (written \\u0000 in the JSON), "
            "which can't be saved. Please remove it and import again."
        )
    elif required and not value:
        errors.append(f"{where} has an empty “{key}”.")
    elif len(value) > limit:
        errors.append(f"{where}: “{key}” is {len(value)} characters long; the limit is {limit}.")
    return value


def _points(errors: list[str], raw: dict, where: str):
    if "points" not in raw:
        errors.append(f"{where} has no “points”.")
        return None
    points = raw["points"]
    if isinstance(points, float) and points.is_integer():
        points = int(points)
    if isinstance(points, bool) or not isinstance(points, int):
        errors.append(f"{where}: level points must be whole numbers (found {json.dumps(points)[:40]}).")
    elif not POINTS_MIN <= points <= POINTS_MAX:
        errors.append(f"{where}: level points must be from {POINTS_MIN} to {POINTS_MAX} (found {points}).")
    return points


def _level(errors: list[str], raw, where: str) -> dict:
    if not isinstance(raw, dict):
        errors.append(f"{where} should be an object with “label”, “points” and “descriptor”.")
        return {}
    return {
        "label": _string(errors, raw, "label", where, LABEL_MAX, required=True),
        "points": _points(errors, raw, where),
        "descriptor": _string(errors, raw, "descriptor", where, TEXT_MAX, required=False),
    }


def _criterion(errors: list[str], raw, number: int) -> dict:
    where = f"Criterion {number}"
    if not isinstance(raw, dict):
        errors.append(f"{where} should be an object with “title”, “description” and “levels”.")
        return {}
    levels = raw.get("levels")
    result = {
        "title": _string(errors, raw, "title", where, TITLE_MAX, required=True),
        "description": _string(errors, raw, "description", where, TEXT_MAX, required=False),
        "levels": [],
    }
    if levels is None or levels == []:
        errors.append(f"{where} has no levels.")
    elif not isinstance(levels, list):
        errors.append(f"{where}: “levels” should be a list.")
    elif len(levels) > MAX_LEVELS:
        errors.append(f"{where} has {len(levels)} levels; a criterion can have at most {MAX_LEVELS}.")
    else:
        result["levels"] = [_level(errors, lv, f"{where}, level {n}") for n, lv in enumerate(levels, 1)]
    return result


def rubric_validate(data) -> dict:
    """Check parsed JSON against the format and return it cleaned:
    {"format": "reflect-rubric", "version": 1, "title", "description",
     "criteria": [{"title", "description", "levels": [{"label", "points", "descriptor"}]}]}."""
    if not isinstance(data, dict):
        raise RubricFormatError(["The JSON should be an object with “format”, “title” and “criteria”."])
    if data.get("format") != FORMAT_NAME:
        raise RubricFormatError([f"This isn't a Reflect rubric: “format” should be “{FORMAT_NAME}”."])
    if type(data.get("version")) is not int or data["version"] != FORMAT_VERSION:
        raise RubricFormatError(
            [f"This rubric file is format version {data.get('version')!r}; this site reads version {FORMAT_VERSION}."]
        )
    errors: list[str] = []
    title = _string(errors, data, "title", "The rubric", TITLE_MAX, required=True)
    description = _string(errors, data, "description", "The rubric", TEXT_MAX, required=False)
    criteria = data.get("criteria")
    cleaned: list[dict] = []
    if criteria is None or criteria == []:
        errors.append("The rubric has no criteria.")
    elif not isinstance(criteria, list):
        errors.append("“criteria” should be a list.")
    elif len(criteria) > MAX_CRITERIA:
        errors.append(f"The rubric has {len(criteria)} criteria; a rubric can have at most {MAX_CRITERIA}.")
    else:
        cleaned = [_criterion(errors, c, n) for n, c in enumerate(criteria, 1)]
    if errors:
        raise RubricFormatError(errors)
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "title": title,
        "description": description,
        "criteria": cleaned,
    }


@transaction.atomic
def rubric_import(*, programme: Programme, data: dict | str | bytes, by: User | None = None) -> Rubric:
    """A new rubric (version 1 of a new lineage) from exported data or JSON text."""
    clean = rubric_parse(data) if isinstance(data, str | bytes) else rubric_validate(data)
    rubric = Rubric.objects.create(
        programme=programme, title=clean["title"], description=clean["description"], created_by=by
    )
    _build(rubric, clean["criteria"])
    return rubric


def rubrics_seed(*, programme: Programme, by: User | None = None) -> list[Rubric]:
    """Import the two rubrics of our own wording into a programme, skipping any
    whose title the programme already has. Returns the latest version of each,
    whether just imported or already there."""
    result = []
    for content in SEED_RUBRICS:
        existing = Rubric.objects.filter(programme=programme, title=content["title"]).latest_versions().first()
        result.append(existing or rubric_import(programme=programme, data=content, by=by))
    return result
