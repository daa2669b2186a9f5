"""Texts the web tests share; each flags an entry the contract names, so lexicon edits do not break them."""
from __future__ import annotations

DRAFT_CONCERN = "You need to give me a slower taper."   # draft.you-must, with a parse-based rewrite
DRAFT_CONCERN_KEY = "draft.you-must:you need to give me"
REPLY_CONCERN = "You can just stop taking it."           # reply.just-stop

# About 300 words: a realistic portal message, for the keystroke-to-highlight measurement.
DRAFT_300_WORDS = (
    "Hello Dr. Lee,\n\n"
    "Thank you for seeing me last month and for taking the time to read this. I have taken clonazepam "
    "1 mg every night for six years. It was first prescribed for panic attacks after my father died, and "
    "for a long time it helped me sleep and get through the day.\n\n"
    "Over the last year I have noticed that I feel worse in the late afternoon, with a racing heart, "
    "tight muscles and a foggy head. I have read that this can happen between doses after long use, and "
    "I would like to talk about tapering off slowly.\n\n"
    "I tried to stop twice before. The first time I stopped all at once and could not sleep for almost "
    "three weeks. The second time we cut the dose in half, and I had tremors and felt very anxious, so I "
    "went back to the full dose. You need to give me a slower taper this time. I demand that you listen!\n\n"
    "I have been reading the 2025 joint clinical practice guideline on benzodiazepine tapering, which "
    "suggests reducing by about 5 to 10 percent every two to four weeks, and slowing down or pausing if "
    "withdrawal symptoms become hard to manage. I have printed the key pages and I can bring them to my "
    "next appointment.\n\n"
    "Could we plan something like that together? I would be glad to keep a symptom diary and check in "
    "with you every few weeks so that we can adjust the pace if we need to. My pharmacist said that a "
    "liquid form or a compounded dose might make small reductions easier, if you think that would help.\n\n"
    "I really value your input and would appreciate your support on this. Thank you for your time, and "
    "I look forward to hearing what you think."
)
