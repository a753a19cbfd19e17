"""Fictional sample journal entries for the demo site.

Everyone here is made up: the trainees are demo accounts and clients appear
only as codes ("Client A"). Each entry is a plain dict that `demo.seed`
turns into the `data` that `reflect.journal.services` expects:

- ``days_ago``: how many days before today the session (or event) took place;
- ``written_days_ago``: when the entry was written (its created_at), defaulting
  to ``days_ago``; spread over several weeks so the weekly streak shows;
- ``draft``: True to save as a draft rather than publish;
- ``template``: "free" with a Markdown ``body``, or "gibbs"/"driscoll" with
  ``sections`` keyed by the stage keys in ``reflect.journal.reflective``;
- check-in fields (``state_before`` etc.), ``client_code`` and
  ``session_number`` (client work only), ``visibility`` and ``tags``.
"""

from typing import Any

DemoEntry = dict[str, Any]

SAM_ENTRIES: list[DemoEntry] = [
    {
        "title": "Rupture with Client A over the changed time",
        "kind": "client_work",
        "template": "gibbs",
        "days_ago": 1,
        "written_days_ago": 0,
        "client_code": "Client A",
        "session_number": 6,
        "visibility": "shared",
        "state_before": "hyper",
        "state_after": "within",
        "intensity_before": 7,
        "intensity_after": 4,
        "body_note": "Tight chest and a clenched jaw for the first ten minutes; shoulders dropped once we named it.",
        "tags": ["rupture", "repair", "client A"],
        "sections": {
            "description": (
                "I had to move Client A's session by a day because of a placement meeting. They arrived "
                "on time but sat further back in the chair than usual and said \"it's fine, these things "
                'happen" twice before I had asked anything.'
            ),
            "feelings": (
                "I felt a rush of guilt and wanted to over-explain. My chest was tight and I noticed I was "
                "talking faster than usual. Writing now, I feel calmer, and a bit tender towards both of us."
            ),
            "evaluation": (
                "For the first few minutes I was out of step: I was managing my own discomfort rather than "
                'being with theirs. What helped was slowing down and saying, *"I wonder if the change of day '
                "landed harder than 'fine'.\"* They paused, then said it reminded them of being fitted in "
                "around other people."
            ),
            "analysis": (
                "This looks like a rupture that could easily have stayed quiet. Client A's way of coping "
                "seems to be to make themselves easy to be with, which fits a more avoidant pattern. My own "
                "pull to apologise a lot is an old pattern of mine too: I want to be forgiven quickly. "
                "Naming the rupture, rather than smoothing it over, is what made repair possible."
            ),
            "conclusion": (
                "Repair didn't need me to be perfect; it needed me to notice and to stay. The relationship "
                "felt stronger by the end, not weaker."
            ),
            "action_plan": (
                "- Give more notice of any changes and name them at the start of the session.\n"
                '- Watch for "it\'s fine" as a possible quiet rupture.\n'
                "- Take my urge to over-apologise to supervision."
            ),
        },
    },
    {
        "title": "Being the client: the clock on the wall",
        "kind": "personal_therapy",
        "template": "free",
        "days_ago": 3,
        "visibility": "private",
        "state_before": "within",
        "state_after": "hypo",
        "intensity_before": 3,
        "intensity_after": 5,
        "body_note": "Heavy, a bit far away on the bus home. A walk and a cup of tea brought me back.",
        "tags": ["own therapy", "power", "vulnerability"],
        "body": (
            "In my own therapy today I kept glancing at the clock, and my therapist gently asked what "
            'I was watching for. I realised I was rationing what I said so that I wouldn\'t be "too much" '
            "before the end. She knows when the session ends; I don't get to decide. That is a small "
            "thing, but it made the **power differential** feel very real.\n\n"
            "After the session I felt flat and a bit shut down, which surprised me. I think I touched "
            "something about needing permission to take up space. It makes me wonder how my clients "
            "experience the clock in *my* room, and whether I could say more clearly at the start how "
            "long we have so that it feels shared rather than mine to hold."
        ),
    },
    {
        "title": "Supervision: wanting to rescue Client B",
        "kind": "supervision",
        "template": "driscoll",
        "days_ago": 7,
        "visibility": "shared",
        "tags": ["supervision", "attachment", "client B"],
        "sections": {
            "what": (
                "I brought Client B to supervision because I keep ending sessions feeling that I should "
                "have *done* more. Client B asks a lot of questions about what they should do and I have "
                "started offering suggestions, which I don't usually do."
            ),
            "so_what": (
                "My supervisor wondered whether Client B wants answers but may need something else: the "
                "experience of someone staying alongside their uncertainty without rushing to fix it. "
                "That fits what I know of their anxious, more ambivalent way of relating, where reassurance "
                "helps for a moment and then isn't enough. My rescuing also soothes *me*; I feel useful."
            ),
            "now_what": (
                "Next session I will notice the pull to advise and try reflecting the question back with "
                "warmth instead. I'll also track my own state, since I speed up when I feel helpless. "
                "I want to bring this back to supervision in three weeks to see what has shifted."
            ),
        },
    },
    {
        "title": "Triad practice: slowing my voice down",
        "kind": "skills_practice",
        "template": "free",
        "days_ago": 14,
        "visibility": "shared",
        "state_before": "hyper",
        "state_after": "within",
        "intensity_before": 6,
        "intensity_after": 3,
        "body_note": "Shaky hands while being observed; a long out-breath before speaking helped.",
        "tags": ["skills", "co-regulation"],
        "body": (
            "In triads I was the counsellor and my colleague brought a mildly stressful topic. The "
            'observer\'s feedback was that my voice sped up whenever the "client" became upset, and that '
            "they then sped up too. When I slowed down, so did they.\n\n"
            "It was a useful small demonstration of **co-regulation**: people borrow our calm before they "
            "can find their own, but they also pick up our agitation. I'm going to practise a slower "
            "out-breath and a lower voice every time I notice my hands shaking. If I repeat it often "
            "enough, maybe it will become my default rather than something I have to remember."
        ),
    },
    {
        "title": "Week eight: tiredness and what refills me",
        "kind": "general",
        "template": "free",
        "days_ago": 21,
        "visibility": "private",
        "tags": ["self-care"],
        "body": (
            "Placement, essays, two shifts at work and my own therapy all landed in the same week. "
            "I noticed I was going numb on the train home rather than actually resting, which I now "
            "recognise as drifting below my window rather than being calm.\n\n"
            "Things that genuinely refill me: swimming, cooking with my partner, an hour with no screens. "
            "Things that only look like rest: scrolling, one more episode. I'm going to protect Sunday "
            "mornings. Looking after myself is part of looking after clients, not a treat for later."
        ),
    },
    {
        "title": "Noticing safety in the first minutes",
        "kind": "general",
        "template": "free",
        "days_ago": 28,
        "visibility": "shared",
        "tags": ["safety", "body"],
        "body": (
            "Our lecture on **neuroception** made me think about how the first minutes of a session feel. "
            "Before anyone has said anything, a client's body is already reading the room: my face, the "
            "light, whether the door is closed, where the chairs are.\n\n"
            "I tried arriving five minutes early to settle myself and to check the room, and I asked "
            "clients whether they'd like the blind up or down. Small choices, but they seem to help people "
            "arrive. It reminds me that safety is felt in the body first and understood later."
        ),
    },
    {
        "title": "Client B went quiet near the end",
        "kind": "client_work",
        "template": "free",
        "days_ago": 0,
        "draft": True,
        "client_code": "Client B",
        "session_number": 4,
        "visibility": "private",
        "state_before": "within",
        "state_after": "hypo",
        "intensity_before": 3,
        "intensity_after": 6,
        "body_note": "Foggy and slow after the session, like I had gone quiet with them.",
        "tags": ["client B", "window of tolerance"],
        "body": (
            "Notes to finish later. About ten minutes from the end, Client B stopped mid-sentence and "
            'looked at the floor. Their voice went flat and they said they "didn\'t know" to the next '
            "few questions. I think they may have dropped out of their window into hypo-arousal.\n\n"
            "I noticed I went foggy too. Next time: slow down, ask about their feet on the floor, and "
            "*not* try to go deeper until they are back."
        ),
    },
]

ALEX_ENTRIES: list[DemoEntry] = [
    {
        "title": 'When Client C said "I\'m fine"',
        "kind": "client_work",
        "template": "driscoll",
        "days_ago": 2,
        "client_code": "Client C",
        "session_number": 3,
        "visibility": "shared",
        "state_before": "within",
        "state_after": "within",
        "intensity_before": 2,
        "intensity_after": 4,
        "body_note": "A small knot in my stomach when they changed the subject.",
        "tags": ["attachment", "client C", "quiet rupture"],
        "sections": {
            "what": (
                "Client C talked about their father's illness in a light, matter-of-fact way and, when I "
                "reflected that it sounded painful, changed the subject to work. I followed them to work."
            ),
            "so_what": (
                "I think I colluded with the distance because it felt safer for me as well. Client C "
                "seems to have learned that closeness isn't reliable, and keeping feelings at arm's length "
                "makes sense in that light. What they want is to stay in control; what they may need is to "
                "find that someone can come a little closer without it becoming overwhelming."
            ),
            "now_what": (
                "Next time I'll gently name the shift (\"I noticed we moved away from your dad quite "
                "quickly\") and offer the choice of whether to go back to it. I'll keep the pace slow and "
                "let them set the distance."
            ),
        },
    },
    {
        "title": "Crying in my own therapy",
        "kind": "personal_therapy",
        "template": "gibbs",
        "days_ago": 5,
        "visibility": "private",
        "state_before": "hyper",
        "state_after": "within",
        "intensity_before": 8,
        "intensity_after": 3,
        "body_note": "Throat closed up, then a wave of heat; afterwards my whole body felt looser.",
        "tags": ["own therapy", "vulnerability"],
        "sections": {
            "description": (
                "I cried in my therapy session for the first time, talking about moving schools a lot as a child."
            ),
            "feelings": (
                "Embarrassed at first, and I tried to stop. Then relief. My body felt looser afterwards, "
                "as if I'd been holding something for a long time."
            ),
            "evaluation": (
                "My therapist didn't rush to comfort me or hand me tissues straight away. She just stayed, "
                "and her quietness felt steady rather than cold."
            ),
            "analysis": (
                "I think I learned early to be the easy one who adapts quickly. Being vulnerable in front "
                "of someone with more power in the room was frightening, and being met rather than "
                "managed made a difference. This is what clients risk with me every week."
            ),
            "conclusion": (
                "Staying present can be more helpful than doing something. I'd have reached for the "
                "tissues, mostly to ease my own discomfort."
            ),
            "action_plan": ("Notice my urge to soothe clients' tears quickly, and practise staying with them instead."),
        },
    },
    {
        "title": "Supervision on self-disclosure",
        "kind": "supervision",
        "template": "free",
        "days_ago": 9,
        "visibility": "shared",
        "tags": ["boundaries", "supervision"],
        "body": (
            "I told my supervisor that I nearly told Client C that I had also cared for a parent. "
            "We talked about whose need that would have been meeting. Honestly, partly mine: I wanted "
            "them to know I understood, and I wanted to feel close.\n\n"
            "My supervisor suggested a simple test: *is this for the client, does it keep the focus on "
            "them, and could I explain it in supervision afterwards?* A clear, warm boundary can itself "
            "feel safe to a client. I'm keeping this test on a card in my bag."
        ),
    },
    {
        "title": "Being observed in skills practice",
        "kind": "skills_practice",
        "template": "free",
        "days_ago": 16,
        "visibility": "private",
        "state_before": "hyper",
        "state_after": "hyper",
        "intensity_before": 7,
        "intensity_after": 6,
        "body_note": "Racing heart, hot face, couldn't remember the skill I had planned to use.",
        "tags": ["skills", "window of tolerance"],
        "body": (
            "Being recorded in front of the group pushed me right out of my window. My heart was racing "
            "and I lost all the theory I'd prepared. My body decided the room was unsafe well before my "
            "mind had a say.\n\n"
            "What I can take from it: when I'm hyper-aroused my empathy narrows and I reach for "
            "techniques. Next time I'll do some grounding first (feet, breath, looking around the room) "
            "and remind myself that the aim is to be present, not to perform."
        ),
    },
    {
        "title": "Assumptions I brought into the room",
        "kind": "general",
        "template": "free",
        "days_ago": 23,
        "visibility": "shared",
        "tags": ["culture"],
        "body": (
            "In a case discussion I assumed that a client's decision to live with their parents in their "
            "thirties was about dependence. A peer pointed out that in many families it is simply what "
            "people do, and that I was reading it through my own culture.\n\n"
            "I want to get better at asking rather than assuming: *what does family mean for you?* I also "
            "don't want to make clients responsible for educating me, so I'll do some reading of my own "
            "and take my curiosity to supervision."
        ),
    },
    {
        "title": "First session with Client D",
        "kind": "client_work",
        "template": "gibbs",
        "days_ago": 1,
        "written_days_ago": 0,
        "draft": True,
        "client_code": "Client D",
        "session_number": 1,
        "visibility": "private",
        "tags": ["safety", "client D", "choice"],
        "sections": {
            "description": (
                "First assessment session with Client D, who has been referred after a frightening event "
                "at work. They sat near the door and kept their coat on."
            ),
            "feelings": "Protective, slightly anxious about saying the wrong thing.",
            "evaluation": (
                "I asked whether they'd like the door left as it was and told them they could stop or "
                "take a break at any point. They visibly relaxed a little."
            ),
        },
    },
]

PRIYA_ENTRIES: list[DemoEntry] = [
    {
        "title": "Repair with Client E after I cancelled",
        "kind": "client_work",
        "template": "gibbs",
        "days_ago": 4,
        "client_code": "Client E",
        "session_number": 12,
        "visibility": "shared",
        "state_before": "within",
        "state_after": "within",
        "intensity_before": 4,
        "intensity_after": 2,
        "body_note": "Steady breath; a warm feeling in my chest at the end.",
        "tags": ["repair", "client E"],
        "sections": {
            "description": (
                "I had to cancel last week at short notice when I was ill. Client E was curt at the start "
                "and said they nearly didn't come."
            ),
            "feelings": "A flash of defensiveness, then sadness. I was glad they told me.",
            "evaluation": (
                "I managed not to explain away the cancellation. I said I could see it had mattered and "
                "asked what it had been like. That felt attuned."
            ),
            "analysis": (
                "Client E has a history of people leaving without warning, so an unexpected cancellation "
                "touched something old. Being able to be angry with me and still be welcomed back is a new "
                "experience for them, and repeating experiences like this is how new expectations form."
            ),
            "conclusion": "Ruptures are not failures of the relationship; working them through is part of the work.",
            "action_plan": (
                "Agree with Client E how I'll let them know if I have to cancel again, and check in next "
                "session about how this one felt afterwards."
            ),
        },
    },
    {
        "title": "Client F and the edge of the window",
        "kind": "client_work",
        "template": "free",
        "days_ago": 11,
        "client_code": "Client F",
        "session_number": 7,
        "visibility": "shared",
        "state_before": "within",
        "state_after": "hyper",
        "intensity_before": 3,
        "intensity_after": 6,
        "body_note": "Fast breathing by the end, as if I'd caught some of their panic.",
        "tags": ["window of tolerance", "bottom-up", "client F"],
        "body": (
            "Client F began describing a recent panic attack and started to panic in the room: quick "
            "breaths, hands gripping the chair. I noticed my own breathing speeding up to match.\n\n"
            "I slowed my voice, invited them to press their feet into the floor and name three things "
            "they could see, and breathed out slowly myself. After a few minutes they were back within "
            "their window and could think about what had set it off. Starting from the body and then "
            "moving to understanding worked better than trying to talk them out of it.\n\n"
            "I still felt keyed up afterwards and needed a walk before my next client."
        ),
    },
    {
        "title": "My therapist noticed my pace",
        "kind": "personal_therapy",
        "template": "driscoll",
        "days_ago": 18,
        "visibility": "private",
        "tags": ["own therapy", "patterns"],
        "sections": {
            "what": (
                "My therapist pointed out that I speak very quickly whenever I talk about my mother, and "
                "then make a joke."
            ),
            "so_what": (
                "It's a pattern I hadn't noticed, and I suspect I do it in the room as well: when a client "
                "touches something painful I may lighten the mood to protect us both. Being the client "
                "shows me how exposing it is to have a pattern named, even kindly."
            ),
            "now_what": (
                "Listen back to a recording to check whether I use humour to move clients away from pain. "
                "Keep bringing this to therapy rather than trying to fix it alone."
            ),
        },
    },
    {
        "title": "Supervision: working across difference with Client E",
        "kind": "supervision",
        "template": "free",
        "days_ago": 25,
        "visibility": "shared",
        "tags": ["culture", "supervision", "client E"],
        "body": (
            "I talked in supervision about how Client E and I come from different faith backgrounds and "
            "that I've avoided asking about theirs in case I got it wrong. My supervisor wondered whether "
            "my caution might leave an important part of their life outside the room.\n\n"
            "We thought about how to ask openly, for example *\"Is your faith something you'd like to bring "
            "in here?\"*, and to let Client E choose. Cultural attunement isn't about knowing everything; "
            "it's about being curious and willing to be corrected."
        ),
    },
    {
        "title": 'Recording review: my "mm-hm"',
        "kind": "skills_practice",
        "template": "free",
        "days_ago": 32,
        "visibility": "private",
        "tags": ["skills", "repetition"],
        "body": (
            'Listening back to a practice recording, I counted fourteen "mm-hm"s in five minutes. Some '
            "were warm and encouraging; some, I think, were me filling silence because I was nervous.\n\n"
            "I've been practising letting short silences be. It feels awkward, but it's getting easier "
            "each week. Change really does seem to come from repeating the new thing until it stops "
            "feeling new."
        ),
    },
    {
        "title": "Looking back over a term of journals",
        "kind": "general",
        "template": "driscoll",
        "days_ago": 2,
        "draft": True,
        "visibility": "private",
        "tags": ["growth"],
        "sections": {
            "what": (
                "I read back through this term's entries before my portfolio checkpoint. Early ones are "
                "mostly about theory; recent ones are more about what happens in me in the room."
            ),
            "so_what": (
                "I think who I am with clients has changed more than what I know. I notice my body sooner "
                "and name ruptures more readily."
            ),
        },
    },
]

DEMO_ENTRIES: dict[str, list[DemoEntry]] = {
    "trainee@example.com": SAM_ENTRIES,
    "trainee2@example.com": ALEX_ENTRIES,
    "trainee3@example.com": PRIYA_ENTRIES,
}
