"""Likely identifiers in a client-work entry, before it is shared.

What counts follows the GMC/AoMRC guidance on writing about patients and the ICO's
anonymisation guidance: names, contact details, postcodes, NHS numbers, dates and
ages, named workplaces, schools and GP practices. Regexes and small word lists only
(no network, no NLP model): the trainee is shown what was found and decides, so a
miss costs a missed prompt and a false alarm costs a click. Pure functions; nothing
here knows about entries or requests."""

import re
from dataclasses import dataclass

from django.utils.crypto import salted_hmac

NAME, EMAIL, PHONE, POSTCODE, NHS, DATE, AGE, PLACE = (
    "name",
    "email",
    "phone",
    "postcode",
    "nhs_number",
    "date",
    "age",
    "place",
)

LABELS = {
    NAME: "A name",
    EMAIL: "An email address",
    PHONE: "A phone number",
    POSTCODE: "A postcode",
    NHS: "An NHS number",
    DATE: "A date",
    AGE: "An age",
    PLACE: "A named workplace, school or practice",
}

GUIDANCE = {
    NAME: "Use a code such as “Client A” instead of a name, for the client and for the people in their life.",
    EMAIL: "Leave out email addresses.",
    PHONE: "Leave out phone numbers.",
    POSTCODE: "Leave out postcodes and addresses; “in the city” is enough.",
    NHS: "Leave out NHS numbers and other record numbers.",
    DATE: "Leave out dates; “early in our work” or “session 4” says what matters.",
    AGE: "Use a life stage instead of an age, such as “in her thirties” or “a young adult”.",
    PLACE: "Leave out the names of workplaces, schools and GP practices; “her workplace” or “his GP” is enough.",
}


@dataclass(frozen=True)
class Finding:
    kind: str
    text: str
    start: int
    end: int

    @property
    def guidance(self) -> str:
        return GUIDANCE[self.kind]

    @property
    def label(self) -> str:
        return LABELS[self.kind]


MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
    "|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
MONTH_DAY_WORDS = {
    *"january february march april may june july august september october november december".split(),
    *"monday tuesday wednesday thursday friday saturday sunday".split(),
}

# Frequent UK first names (ONS lists), as a fallback for names with no cue around them.
# Words that are also ordinary English (Will, May, Hope, Grace, Mark, Rose, Bill) are left
# out: they would flag too much ordinary writing, and the cues below catch them as names.
FIRST_NAMES = set(
    """
    aaliyah adam aiden aisha alan albert alex alexander alfie alice amelia amy andrew angela anna
    anne archie arthur ava barbara ben benjamin bethany brian callum carl caroline carol charlie
    charlotte chloe chris christine christopher claire daniel david deborah dennis diane dylan
    edward eleanor elizabeth ella ellie emily emma ethan evie fatima freddie freya gary george
    georgia graham hannah harriet harry harvey helen henry hugo imran isaac isabella isla jack
    jacob james jane janet jason jennifer jessica joan joanne john jonathan joseph joshua julie
    karen kate katie kevin laura lauren leo lewis liam lily linda lisa logan louise lucy luke
    margaret maria martin mary matthew megan mia michael michelle mohammed muhammad nathan
    neil nicholas nicola noah oliver olivia oscar patricia paul peter phoebe poppy rachel rebecca
    richard robert ruby ryan samuel sandra sarah scarlett sharon simon sophie stephen steven
    stuart susan teresa theo thomas tom tracey victoria william yusuf zara zoe
    """.split()
)

# Names the trainee's own reading uses: reflective models and theorists, never clients.
THEORISTS = set(
    """
    gibbs driscoll kolb schön schon rogers bowlby ainsworth winnicott freud jung klein porges siegel
    egan yalom berne perls beck ellis maslow stern schore hawkins shohet proctor johns rolfe
    """.split()
)

# Capitalised words that are not names wherever they stand.
NOT_NAMES = (
    set(
        """
    i i'm i've i'd i'll me my we us our you your he him his she her they them their it its this that these
    those there here the a an and but or so if when then what why how who which where while after before
    as at in on of for to from with by today yesterday tomorrow client clients session sessions someone
    everyone nobody mum mom dad mother father husband wife partner son daughter brother sister tutor
    supervisor therapist counsellor gp nhs she'd he'd they'd we'd not no yes also later earlier
    next last first then again maybe perhaps afterwards sometimes
    """.split()
    )
    | MONTH_DAY_WORDS
)

TITLE = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|Rev|Revd|Sir|Dame|Lady|Lord)\.?"
CAP = r"[A-Z][a-z][a-zA-Z'’-]*"
CUES = (
    r"(?:client|husband|wife|partner|son|daughter|mother|father|mum|dad|brother|sister|boyfriend|girlfriend"
    r"|friend|boss|manager|colleague|teacher|child|baby|grandmother|grandfather|nan|gran|grandma|grandad"
    r"|uncle|aunt|auntie|cousin|ex|fiancée?|stepfather|stepmother|stepdad|stepmum|neighbour|flatmate|carer)"
)

# Lookbehinds make each regex start only at the beginning of a run, so that a long run
# of characters that never matches costs linear time, not quadratic (entries are long).
EMAIL_RE = re.compile(r"(?<![\w.+'-])[\w.+'-]{1,64}@[\w-]+(?:\.[\w-]+)+\b")
NHS_RE = re.compile(r"(?<![\d+])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?!\d)")
PHONE_RE = re.compile(r"(?<![\w+])(?:\+44\s?\(?0?\)?\s?|\(?0)\d[\d\s()-]{7,13}\d(?!\d)")
POSTCODE_RE = re.compile(r"\b(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})\b")
DATE_RES = [
    re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?(?: of)? (?:{MONTHS})\.?(?:,? \d{{4}})?\b"),
    re.compile(rf"\b(?:{MONTHS})\.? \d{{1,2}}(?:st|nd|rd|th)?(?:,? \d{{4}})?\b"),
    re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})\b"),
    re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
    re.compile(rf"\b(?:born|DOB|D\.O\.B\.?|date of birth)[:\s]+(?:in |on )?(?:(?:{MONTHS}) )?\d{{4}}\b", re.I),
]
AGE_RES = [
    re.compile(r"\b(?:aged|age)\s+\d{1,3}\b", re.I),
    re.compile(r"\b\d{1,3}[- ](?:year|yr)s?[- ]old\b", re.I),
    re.compile(r"\b\d{1,3} ?yo\b"),
    re.compile(r"\b(?:he|she|they|who) (?:is|was|turned|turns|'s) \d{1,3}\b", re.I),
]
PLACE_WORDS = (
    r"(?:Surgery|Medical Cent(?:re|er)|Health Cent(?:re|er)|Medical Practice|Practice|Primary School|Secondary School"
    r"|High School|Grammar School|School|Academy|College|University|Hospital|Infirmary|Clinic|Hospice|Nursery"
    r"|Care Home|Ltd|Limited|PLC|plc|Prison|Leisure Centre|Library|Church|Mosque|Synagogue|Temple)"
)
PLACE_DESCRIPTIONS = set(
    """
    primary secondary high grammar junior infant infants sixth form medical health care leisure general district
    community local private state special boarding nursery village city town new old royal university
    """.split()
)
PLACE_RES = [
    re.compile(rf"\b((?:{CAP}\s+){{1,4}}){PLACE_WORDS}\b"),
    re.compile(r"\bSt\.? [A-Z][a-z]+(?:'s|’s|s')(?: (?:[A-Z][a-z]+))*"),
    re.compile(
        rf"\b(?:works?|working|worked|teaches|taught|studies|studied|employed|pupil|student|placement)"
        rf" (?:at|for|by) ((?:{CAP}|[A-Z]{{2,}})(?:\s+(?:{CAP}|[A-Z]{{2,}}|&))*)"
    ),
]
NAME_RES = [
    re.compile(rf"\b{TITLE} (?:{CAP})(?: {CAP})?"),
    re.compile(rf"\b(?i:{CUES})(?:'s)?,? ({CAP}(?: {CAP})?)"),
    re.compile(rf"\b(?i:called|named|known as|calls? (?:him|her|them)(?:self)?) ({CAP}(?: {CAP})?)"),
    re.compile(
        rf"\b({CAP}(?: {CAP})?)(?:,| and I)? (?:said|says|told|tells|asked|asks|replied|explained|cried|shouted|"
        r"mentioned|admitted|texted|emailed|rang|phoned|whispered)\b"
    ),
    re.compile(rf"\b({CAP})(?: ({CAP}))?"),  # listed first names; checked in _names
]
CODE_RE = re.compile(r"[A-Z]{1,2}\d{0,3}|[A-Z]\d+|Client|Clients")


def nhs_number_valid(digits: str) -> bool:
    """The NHS number's modulus-11 check digit."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def _bare(word: str) -> str:
    """A word as the word lists hold it: lower case, without a possessive."""
    return word.replace("’", "'").lower().removesuffix("'s").rstrip("'")


def _words_ok(words: str) -> bool:
    """Whether a run of capitalised words looks like a person's name, not a code or an ordinary word."""
    parts = words.split()
    if not parts:
        return False
    first = _bare(parts[0])
    if first in NOT_NAMES or first in THEORISTS or CODE_RE.fullmatch(parts[0]):
        return False
    return True


def _trim_name(text: str, match: re.Match, group: int) -> tuple[int, int] | None:
    start, end = match.span(group)
    parts = match.group(group).split(" ")
    # "Harriet Said" never happens; but "Sarah Monday" would: keep only leading name-like words.
    kept = []
    for part in parts:
        if _bare(part) in NOT_NAMES or _bare(part) in THEORISTS:
            break
        kept.append(part)
    if not kept or not _words_ok(" ".join(kept)):
        return None
    return start, start + len(" ".join(kept))


def _names(text: str) -> list[tuple[int, int]]:
    spans = []
    for m in NAME_RES[0].finditer(text):
        surname = _bare(m.group(0).split(" ")[1])
        if surname not in THEORISTS and surname not in NOT_NAMES:
            spans.append(m.span())
    for regex in NAME_RES[1:4]:
        for m in regex.finditer(text):
            span = _trim_name(text, m, 1)
            if span:
                spans.append(span)
    for m in NAME_RES[4].finditer(text):
        if _bare(m.group(1)) in FIRST_NAMES:
            surname = m.group(2)
            if surname and (_bare(surname) in THEORISTS or not _words_ok(surname)):
                continue  # "Carl Rogers" is a theorist; "Sarah Monday" is a name then a day
            spans.append(m.span())
    return spans


def _places(text: str) -> list[tuple[int, int]]:
    spans = []
    for m in PLACE_RES[0].finditer(text):
        # Leading ordinary and descriptive words ("The", "Her", "Primary", "Local") name
        # nothing: "the Academy" or "Primary School" alone is not a named place.
        start = m.start()
        for word in m.group(1).split():
            if _bare(word) not in NOT_NAMES and _bare(word) not in PLACE_DESCRIPTIONS:
                spans.append((start, m.end()))
                break
            start = text.index(word, start) + len(word)
            while text[start].isspace():
                start += 1
    spans += [m.span() for m in PLACE_RES[1].finditer(text)]
    for m in PLACE_RES[2].finditer(text):
        if _words_ok(m.group(1)):
            spans.append(m.span(1))
    return spans


def _phones(text: str) -> list[tuple[int, int]]:
    spans = []
    for m in PHONE_RE.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        if digits.startswith("44"):
            digits = "0" + digits[2:].removeprefix("0")
        if len(digits) in (10, 11) and digits.startswith("0"):
            spans.append(m.span())
    return spans


def scan(text: str) -> list[Finding]:
    """Likely identifiers in `text`, in order, not overlapping. Where two kinds
    overlap, the more specific wins (an email's name part is not also a name)."""
    if not isinstance(text, str):
        raise TypeError("scan() takes text (a str).")
    candidates: list[tuple[str, tuple[int, int]]] = []
    candidates += [(EMAIL, m.span()) for m in EMAIL_RE.finditer(text)]
    candidates += [(NHS, m.span()) for m in NHS_RE.finditer(text) if nhs_number_valid("".join(m.groups()))]
    candidates += [(POSTCODE, m.span()) for m in POSTCODE_RE.finditer(text)]
    candidates += [(PHONE, span) for span in _phones(text)]
    candidates += [(DATE, m.span()) for regex in DATE_RES for m in regex.finditer(text)]
    candidates += [(AGE, m.span()) for regex in AGE_RES for m in regex.finditer(text)]
    candidates += [(PLACE, span) for span in _places(text)]
    candidates += [(NAME, span) for span in _names(text)]
    order = [EMAIL, NHS, POSTCODE, PHONE, DATE, AGE, PLACE, NAME]
    candidates.sort(key=lambda c: (order.index(c[0]), c[1][0] - c[1][1]))  # by kind, then longest first
    taken = bytearray(len(text))  # 1 where a finding already covers the text
    findings = []
    for kind, (start, end) in candidates:
        if any(taken[start:end]):
            continue
        taken[start:end] = b"\x01" * (end - start)
        findings.append(Finding(kind, text[start:end], start, end))
    return sorted(findings, key=lambda f: f.start)


def in_context(text: str, findings: list[Finding], width: int = 40) -> list[dict]:
    """Each finding with a little text either side, for a page to show with the
    match marked (the page escapes all three parts)."""
    rows = []
    for f in findings:
        before, after = text[max(0, f.start - width) : f.start], text[f.end : f.end + width]
        cut_before, cut_after = f.start > width, f.end + width < len(text)
        if "\n" in before:  # context stays within the line (a title is not the body's first words)
            before, cut_before = before.rsplit("\n", 1)[1], False
        elif cut_before and " " in before:
            before = before.split(" ", 1)[1]  # whole words only
        if "\n" in after:
            after, cut_after = after.split("\n", 1)[0], False
        elif cut_after and " " in after.strip():
            after = after.rsplit(" ", 1)[0]
        rows.append(
            {
                "finding": f,
                "before": ("…" if cut_before else "") + before.lstrip(),
                "match": f.text,
                "after": after.rstrip() + ("…" if cut_after else ""),
            }
        )
    return rows


def digest(text: str) -> str:
    """What a confirmation is tied to: this exact text. Keyed (SECRET_KEY), since it is
    stored beside the encrypted text and a plain hash of a short text can be guessed."""
    return salted_hmac("reflect.identifiers", text, algorithm="sha256").hexdigest()
