"""The prompt library: weekly reflective prompts, in our own words.

Each item is (theme value, prompt text). Texts must be unique: they are the
natural key that `reflect.prompts.sync.prompts_sync` uses, so edit wording by
adding a new prompt (and retiring the old one with is_active=False) rather than
changing a text in place. Never name clients; speak to the trainee as "you".
"""

PROMPTS: list[tuple[str, str]] = [
    # The therapeutic relationship (alliance)
    (
        "relationship",
        "Think of a moment this week when trust grew a little between you and a client. "
        "What did you do, or not do, that made room for it?",
    ),
    (
        "relationship",
        "The relationship itself is part of the help. How would a client you see describe being in the room with you?",
    ),
    (
        "relationship",
        "Where do you and a client agree on what the work is for, and where might you quietly want different things?",
    ),
    (
        "relationship",
        "Recall a time you felt close to a client and still held the frame. What let you be "
        "warm and boundaried at once?",
    ),
    (
        "relationship",
        "Which client is hardest for you to feel warmly towards at the moment? Be curious, "
        "not critical, about what gets in the way.",
    ),
    # Attunement and misattunement
    (
        "attunement",
        "When did you feel you really 'got' a client this week? What told you, in their face, "
        "voice or body, that they felt understood?",
    ),
    (
        "attunement",
        "Describe a moment you were slightly out of step with someone: a little ahead, behind, "
        "or somewhere else. How did you notice?",
    ),
    (
        "attunement",
        "Attunement is as much about pace and tone as words. Where did you match a client's "
        "rhythm, and where did you rush it?",
    ),
    (
        "attunement",
        "Was there something a client said that you let pass? Looking back, what might they "
        "have been hoping you would hear?",
    ),
    (
        "attunement",
        "Misattunement is ordinary and unavoidable. What happens inside you when you realise you have missed someone?",
    ),
    # Rupture and repair
    (
        "rupture_repair",
        "Think of a small rupture: a pause that went cold, a look, a late arrival. What did "
        "you notice, and what did you do with it?",
    ),
    (
        "rupture_repair",
        "Repair can be as simple as saying 'I think I missed something just now.' What makes "
        "that easy or hard for you to say?",
    ),
    (
        "rupture_repair",
        "How were ruptures handled in your family growing up, and how might that shape what "
        "you do when one happens in the room?",
    ),
    (
        "rupture_repair",
        "Has a relationship with a client become stronger after something went wrong between "
        "you? What made the repair possible?",
    ),
    (
        "rupture_repair",
        "Some ruptures are quiet: a client who agrees too readily or goes politely vague. "
        "Where might a quiet one be happening now?",
    ),
    # Regulation and the window of tolerance
    (
        "regulation",
        "Before clients can calm themselves, they often borrow our calm. When did you notice "
        "your steadiness helping someone settle this week?",
    ),
    (
        "regulation",
        "Where were you in your own window of tolerance in your last session: present, racing, "
        "or far away? What moved you?",
    ),
    (
        "regulation",
        "What are your first signs of moving towards hyper-arousal (tight, fast, flooded) "
        "or hypo-arousal (flat, foggy, distant)?",
    ),
    (
        "regulation",
        "Describe a moment a client seemed to leave their window. What helped them come back, "
        "and what was your part in it?",
    ),
    (
        "regulation",
        "What helps you come back to yourself between sessions? Notice which of these start "
        "in the body and which start in thinking.",
    ),
    # Your own therapy
    (
        "own_therapy",
        "What have you learned about being a client this month that you could not have learned from a book?",
    ),
    (
        "own_therapy",
        "Sitting in the client's chair, how do you feel the difference in power between you "
        "and your therapist? What does that teach you?",
    ),
    (
        "own_therapy",
        "What was hard to say in your own therapy recently? What did it take to say it, or what stopped you?",
    ),
    (
        "own_therapy",
        "Which of your own patterns showed up in your therapy this week, and have you seen the same one with a client?",
    ),
    (
        "own_therapy",
        "How does your therapist respond when you are vulnerable? What would you like to "
        "carry into your own way of being with clients?",
    ),
    # Boundaries
    (
        "boundaries",
        "Where did you hold a boundary this week: time, contact, self-disclosure? How did it "
        "feel for you, and how might it have felt for the client?",
    ),
    (
        "boundaries",
        "Is there a client you find yourself giving a little extra to? Be curious about what "
        "that is about, for them and for you.",
    ),
    (
        "boundaries",
        "A clear, kind boundary can feel safe to a client. Think of one that helped the work "
        "rather than getting in its way.",
    ),
    (
        "boundaries",
        "When did you last feel tempted to share something of yourself in a session? What "
        "would it have been for, and whose need was it meeting?",
    ),
    # Attachment patterns
    (
        "attachment",
        "What does a client want from you, and what might they need? Notice where those two "
        "are the same and where they pull apart.",
    ),
    (
        "attachment",
        "Think of a client who keeps you at arm's length. What might closeness have cost them "
        "in the past, and how do you respond to the distance?",
    ),
    (
        "attachment",
        "Think of a client who seems to need constant reassurance. What happens in you when "
        "you feel pulled to give more?",
    ),
    (
        "attachment",
        "When you are stressed, do you tend to move towards people or away from them? How "
        "might that show up in the room?",
    ),
    (
        "attachment",
        "What would a secure experience of relationship look like for one of your clients, "
        "and how might your sessions offer a small taste of it?",
    ),
    # The body
    (
        "body",
        "Feelings live in the body too. What did you notice physically during a session this "
        "week: breath, jaw, shoulders, belly?",
    ),
    (
        "body",
        "Before you have words for it, your body is already sensing safety or threat. When "
        "did you feel uneasy or at ease before you knew why?",
    ),
    (
        "body",
        "What did a client's body tell you that their words didn't? How did you respond, or how might you next time?",
    ),
    (
        "body",
        "Working from the body up and from thinking down go together. When did a small "
        "physical shift help a client (or you) think more clearly?",
    ),
    (
        "body",
        "Take a minute before writing: feet on the floor, a slower out-breath. What do you "
        "notice now that you didn't a minute ago?",
    ),
    # Cultural attunement
    (
        "culture",
        "How might your background, and your client's, be shaping what feels comfortable, "
        "polite or risky to say in the room?",
    ),
    (
        "culture",
        "Is there an assumption you made about a client this week that came from your own "
        "culture rather than theirs? What did you learn?",
    ),
    (
        "culture",
        "What parts of a client's identity have you not yet asked about? What makes it feel "
        "easier or harder to bring them in?",
    ),
    (
        "culture",
        "When a client's world is unfamiliar to you, how do you stay curious without making them your teacher?",
    ),
    # Self-care
    (
        "self_care",
        "What refilled you this week, and what drained you? Is the balance something you can "
        "keep up for the rest of the course?",
    ),
    (
        "self_care",
        "How do you know when you have taken a session home with you? What helps you set it down kindly?",
    ),
    (
        "self_care",
        "Who looks after you while you look after others? Is there anyone you could lean on a little more?",
    ),
    (
        "self_care",
        "Caring for yourself is part of caring for clients, not a reward for finishing the "
        "work. What is one small thing you will do this week?",
    ),
    # Safety and trauma-informed practice
    (
        "safety",
        "What do you do at the start of a session to help a client feel safe enough to begin? "
        "Which parts of that are for you?",
    ),
    (
        "safety",
        "Trauma-informed practice asks what happened to someone, not what is wrong with them. "
        "Where did that shift in question help you this week?",
    ),
    (
        "safety",
        "How did you offer a client choice this week: about pace, what to talk about, or "
        "whether to go deeper? How did they respond?",
    ),
    (
        "safety",
        "Was there a moment you slowed down because something felt too much, too soon? What "
        "told you, and what did you do?",
    ),
    (
        "safety",
        "What makes the room feel safe for you as the therapist? What do you need in place to "
        "stay steady with difficult material?",
    ),
    # Change through repetition (growth)
    (
        "growth",
        "New ways of relating grow through repetition. What small new experience might a "
        "client be having again and again with you?",
    ),
    (
        "growth",
        "What have you practised often enough this term that it has started to feel natural? "
        "What did it feel like at first?",
    ),
    (
        "growth",
        "Writing every week is practice too. Looking back over recent entries, what pattern do you notice in yourself?",
    ),
    (
        "growth",
        "Who you are in the room matters as much as what you know. What quality in yourself "
        "are you growing at the moment?",
    ),
    (
        "growth",
        "What would you tell yourself from the first week of training? What has changed in how you listen?",
    ),
]
