"""The two rubrics every programme starts with, as data in the rubric JSON
format, so seeding one is simply importing it (see rubrics.rubrics_seed).

All wording is our own. The session-skills rubric follows the structure of the
12-item CTS-R (item names and a 0–6 scale), but its descriptors are written
from scratch and do not reproduce the CTS-R manual.
"""

RELATIONAL_LEVELS = [("Not yet evident", 0), ("Emerging", 1), ("Competent", 2), ("Strong", 3)]

SESSION_LEVELS = [
    ("0 – Absent", 0),
    ("1 – Inappropriate", 1),
    ("2 – Novice", 2),
    ("3 – Advanced beginner", 3),
    ("4 – Competent", 4),
    ("5 – Proficient", 5),
    ("6 – Expert", 6),
]


def _criterion(title: str, description: str, levels: list[tuple[str, int]], descriptors: list[str]) -> dict:
    return {
        "title": title,
        "description": description,
        "levels": [
            {"label": label, "points": points, "descriptor": descriptor}
            for (label, points), descriptor in zip(levels, descriptors, strict=True)
        ],
    }


def _relational(title: str, description: str, *descriptors: str) -> dict:
    return _criterion(title, description, RELATIONAL_LEVELS, list(descriptors))


def _session(title: str, description: str, *descriptors: str) -> dict:
    return _criterion(title, description, SESSION_LEVELS, list(descriptors))


RELATIONAL_RUBRIC = {
    "format": "reflect-rubric",
    "version": 1,
    "title": "Relational, neuroscience-informed practice",
    "description": (
        "Who the trainee is in the room as well as what they know: the relationship, attunement, regulation, "
        "boundaries, self-awareness and reflection, with theory, safety, culture and ethics. Each criterion has "
        "four levels; look for evidence across the portfolio, not in a single entry."
    ),
    "criteria": [
        _relational(
            "Therapeutic relationship and alliance",
            "Builds and sustains a working bond with the client: agreed goals, agreed ways of working, "
            "and trust that can survive difficulty.",
            "Little sign yet of attending to the relationship itself; sessions centre on content or technique, "
            "and strains in the alliance pass unnoticed.",
            "Recognises that the relationship matters and sometimes checks how the work feels for the client, "
            "but ruptures are mostly noticed after the session rather than in it.",
            "Agrees goals and ways of working with the client, notices strains in the alliance, and names and "
            "repairs them in good time.",
            "Uses the relationship as a vehicle for change: tracks the alliance moment to moment, invites the "
            "client's feedback, and turns rupture and repair into a new relational experience for the client.",
        ),
        _relational(
            "Attunement and empathy",
            "Senses and responds to the client's inner experience, spoken and unspoken, and notices moments "
            "of misattunement.",
            "Responses tend to follow the trainee's own agenda or assumptions; the client's felt experience "
            "is seldom reflected back.",
            "Offers empathic reflections, mostly of content; misses some shifts in tone, body or pace, and "
            "recognises misattunements only when looking back.",
            "Reflects feeling as well as content, picks up non-verbal cues, and notices and corrects "
            "misattunements as they happen.",
            "Attunes flexibly to what lies beneath the words, adjusting pace and depth so the client feels "
            "deeply understood, and can describe where their own empathy worked and where it fell short.",
        ),
        _relational(
            "Regulation of self and co-regulation",
            "Notices and manages their own arousal, and offers a steady presence the client can borrow from "
            "before they can find their own.",
            "Shows little awareness of their own state in sessions; their anxiety or shutting down may drive "
            "what they do.",
            "Can name their own state after the event and is beginning to use grounding, but finds it hard "
            "to stay steady when the client is dysregulated.",
            "Notices in the session when they or the client approach the edge of the window of tolerance, "
            "and uses voice, pacing and presence to help both settle.",
            "Stays grounded under strong feeling, reads the client's arousal in the body as well as in words, "
            "and offers co-regulation deliberately so the client builds their own capacity to regulate.",
        ),
        _relational(
            "Boundaries",
            "Keeps clear, caring limits around time, role, contact and self-disclosure, and explains them to clients.",
            "Boundaries are unclear or held inconsistently (overrunning sessions, extra contact, unplanned "
            "self-disclosure) without reflecting on the effect on the client.",
            "Knows the limits of the role and mostly keeps them; finds them harder to hold under pressure and "
            "relies on supervision to notice slips.",
            "Holds time, role and contact boundaries consistently, explains them warmly, and brings boundary "
            "pressures to supervision.",
            "Holds boundaries firmly and kindly as part of what makes the relationship safe; thinks through "
            "grey areas such as gifts, endings and dual relationships, and can explain the reasoning.",
        ),
        _relational(
            "Self-awareness and use of own therapy",
            "Knows their own history, patterns and triggers, draws on their personal therapy, and can tell "
            "their own reactions apart from the client's.",
            "Rarely considers how their own history or feelings shape the work; reactions to clients are "
            "taken at face value.",
            "Recognises some of their own patterns and triggers, often when others point them out; links to "
            "personal therapy stay general.",
            "Identifies how their attachment pattern, history and current life touch the work, separates "
            "their reactions from the client's, and explores them in personal therapy.",
            "Works openly and with curiosity about their own process, and uses the experience of being a "
            "client (the power difference, feeling exposed) to deepen empathy and guide choices in sessions.",
        ),
        _relational(
            "Reflective capacity",
            "Looks back on practice with honesty and curiosity, considers more than one explanation, and turns "
            "reflection into changes in practice.",
            "Accounts describe what happened but do not yet ask why, or what it meant for the client or for "
            "the trainee.",
            "Begins to ask why and to consider feelings, but settles quickly on one explanation and rarely "
            "draws out anything to do differently.",
            "Explores events from several angles, tolerates not knowing, links reflection to theory and "
            "supervision, and names concrete next steps.",
            "Reflects in the moment as well as afterwards, revisits earlier thinking as understanding grows, "
            "and shows a clear line from reflection to changed practice over time.",
        ),
        _relational(
            "Theory applied to practice",
            "Uses relational and neuroscience-informed ideas (attachment, the window of tolerance, neuroception, "
            "neuroplasticity) to understand clients and guide what they do.",
            "Theory is absent, or mentioned without connection to the client or session being discussed.",
            "Names relevant ideas and links them to the client in general terms; the application is sometimes "
            "mechanical or not quite accurate.",
            "Applies ideas accurately to a particular client, uses them to build a working understanding of "
            "the client, and lets them inform choices in sessions.",
            "Brings theories together thoughtfully, weighs where each fits and where it does not, and can "
            "explain them to clients in simple, useful language.",
        ),
        _relational(
            "Safety and trauma-informed practice",
            "Puts the client's sense of safety first, recognises trauma responses, offers choice and control, "
            "and manages risk.",
            "Does not yet consider safety or trauma responses; may press for difficult material before the "
            "client is resourced, or miss signs of risk.",
            "Knows about trauma responses and risk in principle but recognises them in sessions unevenly; "
            "choice is offered only some of the time.",
            "Recognises signs of hyper- and hypo-arousal, paces the work to keep the client within their "
            "window, offers choice, and follows risk procedures.",
            "Creates conditions in which the client's body can register safety, moves between body-based and "
            "thinking-based work as needed, anticipates triggers, and handles risk calmly and together with "
            "the client.",
        ),
        _relational(
            "Cultural attunement",
            "Is curious about the client's culture, identity and circumstances, notices power and difference, "
            "and adapts the work accordingly.",
            "The client's culture, identity and circumstances are not yet considered; the trainee's own frame "
            "is treated as the norm.",
            "Acknowledges difference in general terms; exploring it with the client feels uncertain or is avoided.",
            "Explores identity and circumstances with the client, considers how power and difference show up "
            "in the room, and adapts language and approach.",
            "Brings humility about culture into the relationship: examines their own position and assumptions, "
            "names difference when it helps, and works with the meaning the client makes of their experience.",
        ),
        _relational(
            "Ethics and confidentiality",
            "Works within the professional code of ethics, protects confidentiality (in writing as well as in "
            "speech), and takes ethical questions to supervision.",
            "Ethical issues or the limits of confidentiality go unrecognised; written work may contain "
            "identifying details.",
            "Knows the main ethical principles and the limits of confidentiality; applies them when a dilemma "
            "is obvious but relies on others to spot subtler ones.",
            "Recognises ethical dilemmas, reasons them through with reference to the code, takes them to "
            "supervision, and keeps client material anonymised.",
            "Anticipates ethical tensions, weighs competing principles with care, explains confidentiality "
            "and its limits clearly to clients, and keeps exemplary records.",
        ),
    ],
}


SESSION_SKILLS_RUBRIC = {
    "format": "reflect-rubric",
    "version": 1,
    "title": "Session skills (0–6)",
    "description": (
        "Twelve session skills rated from 0 to 6 on a recorded or observed session. Items follow the structure "
        "of the revised Cognitive Therapy Scale (CTS-R); the descriptors are our own. Rate what happened in "
        "this session, allowing for how hard the client was to work with."
    ),
    "criteria": [
        _session(
            "Agenda setting and adherence",
            "Agreeing together what the session will cover, in a realistic order, and keeping to it or "
            "changing it openly.",
            "No agenda is set; the session drifts from topic to topic.",
            "An agenda is imposed or is too vague to give direction; the client's priorities are left out.",
            "Some topics are mentioned at the start but are not agreed, put in order or returned to.",
            "A shared list of topics is made, but priorities are unclear or the session wanders from it "
            "without discussion.",
            "Specific, realistic items are agreed together, including a look back at the last between-session "
            "task, and the session mostly keeps to them.",
            "A clear, shared agenda is set efficiently and followed; changes are discussed and agreed when "
            "something more pressing comes up.",
            "Agenda setting is smooth and fully shared even with a client who finds focus hard, and any "
            "departure is handled so that the session stays purposeful.",
        ),
        _session(
            "Feedback",
            "Asking for and giving feedback throughout, so both people understand each other and the session "
            "can be adjusted.",
            "No feedback is asked for or given.",
            "Feedback is asked for in a way that discourages honesty, or the therapist's summaries "
            "misrepresent the client.",
            "There are occasional checks such as “Is that OK?”, but the answers are not explored or used.",
            "Feedback is sought and given at some points, perhaps only at the end, and some misunderstandings "
            "go unchecked.",
            "Regular summaries and questions check understanding in both directions, and what the client says "
            "leads to adjustments.",
            "Feedback flows naturally through the session; the therapist notices hesitation and invites the "
            "client to say what isn't working.",
            "Two-way feedback is woven through the whole session, even with a client who finds it hard to "
            "disagree, and visibly shapes the work.",
        ),
        _session(
            "Collaboration",
            "Working as a team: sharing decisions, encouraging the client's active part, and explaining why "
            "things are done.",
            "The therapist works on the client rather than with them; there is no sense of a shared task.",
            "The therapist lectures, persuades or takes control, and the client becomes passive or resistant.",
            "There are some attempts to involve the client, but the therapist makes most decisions and does "
            "most of the work.",
            "The client is invited to take part, but unevenly; reasons for what is done are given only sometimes.",
            "Decisions are made together, the reasons for methods are explained, and the client contributes actively.",
            "A real working partnership: structure is balanced with the client's own ideas, and their growing "
            "independence is encouraged.",
            "The partnership holds even when the client is doubtful or passive; the client clearly experiences "
            "themselves as a co-worker in the therapy.",
        ),
        _session(
            "Pacing and efficient use of time",
            "Moving through the session at a speed that suits the client and the task, sharing time sensibly "
            "between items.",
            "Time is not managed; the session runs out before anything is finished.",
            "The pace works against the client: rushing through material, or dwelling on minor points.",
            "There is some awareness of time, but long stretches are clearly too fast or too slow.",
            "Time is managed reasonably, but important items are squeezed or minor ones take too long.",
            "The session moves at a suitable speed, with enough time for the main items and a clear ending.",
            "Pacing is well judged and adjusted to the client's state: slower for difficult material, moving on "
            "once something is done.",
            "Time is used with great skill even with a complex or scattered presentation; the session feels "
            "unhurried yet achieves a great deal.",
        ),
        _session(
            "Interpersonal effectiveness",
            "Warmth, genuineness, empathy and confidence that help the client trust the therapist and engage.",
            "The therapist's manner gets in the way: distant, distracted or dismissive.",
            "The therapist comes across as cold, patronising or anxious in a way that unsettles the client.",
            "Some warmth and interest are shown, but the client often seems not quite understood or at ease.",
            "The therapist is generally warm and attentive, with some lapses in empathy or genuineness.",
            "Warmth, empathy and genuineness are consistent; the client seems comfortable and able to open up.",
            "A confident, caring presence, with a style adapted to this client so that trust grows.",
            "Outstanding, even with a client who is hostile, withdrawn or hard to reach; the relationship "
            "itself becomes a strong support for change.",
        ),
        _session(
            "Eliciting of appropriate emotional expression",
            "Helping the client notice, name and feel emotions at an intensity that helps the work: neither "
            "avoided nor overwhelming.",
            "Emotions are not attended to at all.",
            "Emotion is pushed for too hard, or shut down when it appears, leaving the client flooded or cut off.",
            "Feelings get some attention, but mostly at an intellectual level; chances to explore emotion are "
            "often missed.",
            "Feelings are asked about and named, but their intensity is not always right for the work.",
            "The client is helped to reach and express emotion at a manageable intensity, and this feeds into "
            "the aims of the session.",
            "Emotional intensity is skilfully turned up or down as needed, and feelings are linked to thoughts "
            "and to the body.",
            "Even with a client who avoids feeling or is overwhelmed by it, emotional expression is made safe "
            "and clearly moves the work on.",
        ),
        _session(
            "Eliciting key cognitions",
            "Helping the client find the thoughts, images and beliefs that matter most in the problem, and see "
            "how they connect to feelings and actions.",
            "There is no attempt to find out what the client thinks or believes.",
            "The therapist supplies the thoughts, or asks in a way that leads the client to agree rather than "
            "discover.",
            "Some thoughts are identified, but they are peripheral or not linked to the problem.",
            "Relevant thoughts are found, but the most important ones (emotionally charged thoughts, "
            "underlying beliefs) are only partly reached.",
            "Key thoughts and meanings are identified clearly and linked to emotions and behaviour.",
            "The central thoughts, images and beliefs are reached reliably through well-timed questions.",
            "Core meanings are uncovered with precision and sensitivity even when they are hard to reach, and "
            "the client gains new understanding along the way.",
        ),
        _session(
            "Eliciting behaviours",
            "Finding out what the client does, and avoids doing, that keeps the problem going, and how this "
            "links to thoughts and feelings.",
            "What the client does is not explored.",
            "Behaviour is explored in a blaming or superficial way that does not help.",
            "Some behaviours are noted, but avoidance and safety-seeking are missed.",
            "Relevant behaviours are explored, but their links to thoughts and feelings stay unclear.",
            "Important behaviours, including avoidance and safety-seeking, are identified and linked to what "
            "keeps the problem going.",
            "Behaviour is explored precisely and in context, leading naturally to ideas for change.",
            "Subtle, easily overlooked behaviours are brought to light skilfully, and the client clearly grasps "
            "their part in keeping the problem going.",
        ),
        _session(
            "Guided discovery",
            "Using curious questions and exploration so the client reaches their own conclusions rather than "
            "being told.",
            "There is no exploration; the therapist tells the client what to think.",
            "Questions are leading or argumentative, so the client feels cross-examined or corrected.",
            "Some open questions are asked, but the therapist still supplies most of the answers.",
            "Questioning helps the client reflect at times, but inconsistently, or stops short of new understanding.",
            "Well-judged questions, summaries and reflections help the client discover new perspectives for "
            "themselves.",
            "Guided discovery is used fluently and flexibly, balancing exploration with information where it "
            "is genuinely needed.",
            "Exceptionally skilful questioning opens up new understanding even in difficult areas; the client "
            "leaves with insights that are clearly their own.",
        ),
        _session(
            "Conceptual integration",
            "Using a shared understanding (formulation) of how the client's difficulties developed and are kept "
            "going to guide the session.",
            "No formulation is evident; interventions are unconnected.",
            "The formulation is inaccurate or forced onto the client, leading the work astray.",
            "Some understanding of the problem is shown, but it is not shared with the client or not linked to "
            "what is done.",
            "A formulation is present and partly guides the session, but the links between past, present and "
            "interventions are patchy.",
            "A clear, shared formulation links the client's history, current difficulties and the interventions "
            "chosen.",
            "The formulation is used flexibly, revised as new information arrives, and helps the client make "
            "sense of their difficulties.",
            "The formulation runs through the whole session, even with a complex presentation, giving the "
            "client a coherent and hopeful way of understanding themselves.",
        ),
        _session(
            "Application of change methods",
            "Choosing and carrying out techniques (cognitive, behavioural, experiential) that fit the "
            "formulation and the client.",
            "No methods for change are used.",
            "Methods are poorly chosen or carried out in a way that could do harm.",
            "Suitable methods are attempted, but with clear problems in how they are explained or carried out.",
            "Methods fit the problem and are carried out adequately, with some gaps in skill or rationale.",
            "Well-chosen methods are carried out competently, with a rationale the client understands.",
            "Methods are used skilfully and adapted to the client's response, and obstacles are worked through.",
            "Methods are applied with great skill and creativity, even when the client struggles, and clearly "
            "bring about change.",
        ),
        _session(
            "Homework setting",
            "Agreeing practice between sessions that follows from the session, with a clear reason for it and "
            "a plan for obstacles.",
            "No task between sessions is discussed.",
            "A task is set without agreement or reason, or is so unrealistic it is likely to discourage the client.",
            "A task is mentioned, but it is vague, rushed at the end, or unrelated to the session.",
            "A relevant task is agreed, but the details (what, when, how) or likely obstacles are not worked out.",
            "A specific, relevant task is agreed together with a clear reason, and the previous task is reviewed.",
            "The task grows naturally out of the session, is tailored to the client, and likely obstacles are "
            "planned for.",
            "The task turns the session's learning into practice the client is keen to try, even when their motivation "
            "is low.",
        ),
    ],
}

SEED_RUBRICS = [RELATIONAL_RUBRIC, SESSION_SKILLS_RUBRIC]
