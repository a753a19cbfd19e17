"""Remove each rule of session limits and the staff second factor
(reflect/access/sessions.py) in turn and check that a test fails.

    .venv/bin/python bench/mutate_sessions.py [--list] [--report tests/reflect/session_mutations.md]"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import mutate_policy  # noqa: E402
from mutate_policy import Mutation  # noqa: E402

S = "reflect/access/sessions.py"

SESSIONS: list[Mutation] = [
    Mutation("staff.tutor", S, ' or roles["is_tutor"]', "", "tutors count as trainees"),
    Mutation("staff.manages", S, ' or roles["manages"]', "", "course admins count as trainees"),
    Mutation("staff.site", S, "user.is_staff or user.is_superuser or ", "", "site staff count as trainees"),
    Mutation(
        "idle.staff-limit",
        S,
        "settings.SESSION_IDLE_MINUTES_STAFF if staff else ",
        "",
        "staff get the trainees' idle limit",
    ),
    Mutation(
        "idle.check",
        S,
        "        if now - session.get(SEEN_AT, now) > limit * 60:",
        "        if False:",
        "no idle timeout",
    ),
    Mutation(
        "lifetime.check",
        S,
        "        if now - session[SIGNED_IN_AT] > settings.SESSION_MAX_HOURS * 3600:",
        "        if False:",
        "no absolute lifetime",
    ),
    Mutation("seen.noted", S, "            session[SEEN_AT] = now\n", "            pass\n", "activity is never noted"),
    Mutation(
        "seen.every-request",
        S,
        "if now - session.get(SEEN_AT, 0) >= SEEN_RESOLUTION:",
        "if True:",
        "the session is written on every request",
    ),
    Mutation(
        "mfa.required",
        S,
        "    if not settings.MFA_REQUIRED_FOR_STAFF or request.session.get(SECOND_FACTOR, True):",
        "    if True:",
        "no second factor asked",
    ),
    Mutation(
        "mfa.open-paths",
        S,
        "    if request.path.startswith(settings.SECOND_FACTOR_OPEN_PATHS):\n        return False\n",
        "",
        "the set-up page itself is closed (a redirect loop)",
    ),
    Mutation(
        "mfa.set-up-since",
        S,
        "    if has_second_factor(request.user):  # set up since signing in",
        "    if False:",
        "setting one up does not open the pages",
    ),
    Mutation(
        "mfa.at-sign-in",
        S,
        "(not staff) or has_second_factor(user)",
        "(not staff)",
        "signing in with a second factor is not enough",
    ),
    Mutation(
        "mfa.post-refused",
        S,
        ' or request.method != "GET"',
        "",
        "a form post without a second factor is redirected, not refused",
    ),
]

mutate_policy.MUTATIONS = SESSIONS
mutate_policy.TESTS = ["tests/reflect/test_session_limits.py"]

if __name__ == "__main__":
    sys.exit(mutate_policy.main())
