"""The words each check page shows: titles, help text, labels, and the examples."""
from __future__ import annotations

PAGES = {
    "draft": {
        "title": "Check my draft",
        "results_title": "Your draft, checked",
        "endpoint": "draft.check",
        "lead": "Paste or write what you plan to say or send to your prescriber. As you type, rehearse "
                "marks what may read as confrontational, explains why, and suggests calmer words that "
                "keep your meaning. It also marks what already works.",
        "label": "Your draft",
        "hint": "A portal message, a letter, or what you want to say at the appointment.",
        "placeholder": "Hello Dr. Lee, I'd like to talk about how my taper is going…",
        "score_name": "Collaboration",
        "score_help": "How collaborative the message reads (0–100, higher is calmer and more open).",
        "levels": ("reads as confrontational", "reads as mixed", "reads as collaborative"),
        "concern_word": ("concern", "concerns"),
        "strength_word": ("strength", "strengths"),
    },
    "reply": {
        "title": "Review their reply",
        "results_title": "Their reply, reviewed",
        "endpoint": "reply.check",
        "lead": "Paste what a prescriber said or wrote. rehearse marks dismissive red flags and rushed "
                "plans, recognises benzo-wise signs, cites the evidence, and suggests calm replies "
                "you could give.",
        "label": "Their reply",
        "hint": "A portal reply, a letter, or your notes of what was said at a visit.",
        "placeholder": "Paste the prescriber's message here…",
        "score_name": "Receptiveness",
        "score_help": "How open and collaborative the reply reads (0–100, higher is more receptive).",
        "levels": ("reads as dismissive", "reads as mixed", "reads as receptive"),
        "concern_word": ("red flag", "red flags"),
        "strength_word": ("good sign", "good signs"),
    },
}

EXAMPLES = {
    "draft": (
        "Hello Dr. Lee,\n\n"
        "I've taken clonazepam 1 mg for six years, first for panic attacks after my father died. "
        "I tried to stop twice before and both times I couldn't sleep for weeks. "
        "You need to give me a slower taper this time. I demand that you listen!\n\n"
        "I've been reading the 2025 joint guideline, which suggests reducing by about 5 to 10 percent "
        "every few weeks. Could we plan something like that together?\n\n"
        "Thank you for your time."
    ),
    "reply": (
        "Your symptoms are most likely just anxiety coming back. You're on a low dose, so you can just "
        "stop taking it next week. Two-week tapers work for everyone, and withdrawal isn't a big issue "
        "at this dose. If you feel worse, call the office."
    ),
}

LABELS = {"draft": {"concern": "concern", "strength": "works well"},
          "reply": {"concern": "red flag", "strength": "good sign"}}
