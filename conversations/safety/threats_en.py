"""English disclosures of threats, and of fear of a person or of going home."""

from conversations.safety.lexicon import (
    AFRAID,
    HARM,
    HOME,
    ME,
    PERSON,
    WHO,
    WILL,
)
from conversations.safety.patterns import END, Category, Gap, Rule, rule, unless_next, words

C = Category

THREATS_EN: list[Rule] = [
    # --- threats
    rule(
        "threatened",
        C.THREAT,
        words("threaten*|threatned|threating|thretened|threatend|treatened"),
        words("me|us|to|my|the kids|that"),
        # A boss's threats are about the job, not the person.
        unless_next("quit|cut my hours|fire me|write me up|dock my pay|let me go|cut my shifts|report me to hr"),
    ),
    rule(
        "death threat",
        C.THREAT,
        words("death threat|death threats|threats|threatening texts|threatening messages|threatening voicemails"),
    ),
    rule(
        "will kill",
        C.THREAT,
        WHO,
        Gap(3),
        WILL,
        Gap(3),
        HARM,
        words(
            "me|us|my kids|the kids|my son|my daughter|my family|me and|my baby|all of us|the house|my mom|"
            "my mother|my dad|my sister|my brother|my parents|my grandma|my friend|my boyfriend|my husband|her|him"
        ),
        unless_next("if i am late|if i fail|if i forget|with his jokes"),
    ),
    rule(
        "take the kids away",
        C.THREAT,
        WHO,
        Gap(2),
        WILL,
        Gap(1),
        words("take the kids|take my kids|take the baby|take my baby|take my children|take the children|take them"),
        words(
            "away|from me|and i will never|and never|and run|and leave|out of the country|to mexico|and disappear|"
            "and i will not see|forever"
        ),
    ),
    rule(
        "kill himself if i leave",
        C.THREAT,
        WHO,
        Gap(2),
        WILL,
        Gap(1),
        words("kill himself|hurt himself|kill herself|end his life|do something to himself"),
        words("if i leave|if i go|if i break up|if i tell|if i call|if i do not"),
    ),
    rule(
        "deported",
        C.THREAT,
        words("threatened|threatens|says|said|will|would|going to|gonna"),
        Gap(3),
        words("call immigration|call ice|get me deported|have me deported|report me to immigration|deport me"),
    ),
    rule(
        "gun for me",
        C.THREAT,
        words("gun|guns|knife|weapon|rifle|pistol"),
        Gap(6),
        words("for me|to use on me|to scare me|and threatens|and says he will"),
    ),
    rule(
        "run me over",
        C.THREAT,
        WHO,
        Gap(3),
        words("run me over|ran me over|run us over|hit me with his car|hit me with the car|drove at me|drive into me"),
    ),
    rule(
        "hurt the pet",
        C.THREAT,
        WHO,
        Gap(2),
        words(
            "killed|hurt|hurts|kicked|kicks|beat|poisoned|shot|strangled|drowned|threatened to hurt|threatened to kill"
        ),
        words("my|our|the"),
        words("dog|cat|pet|puppy|kitten|dogs|cats|pets"),
    ),
    rule(
        "smashed my things",
        C.THREAT,
        WHO,
        Gap(2),
        words("smashed|smashes|broke|breaks|destroyed|destroys|threw out|trashed|burned|ripped up"),
        words("all my|my|all of my"),
        words("stuff|things|clothes|belongings|furniture|phone|tv|car|windows"),
        words("and|to scare|when|because|again"),
    ),
    rule(
        "rather see me dead",
        C.THREAT,
        words(
            "rather see me dead|rather kill me|see me dead before|see me dead than|would kill me before|kill me first"
        ),
    ),
    rule(
        "chased me with",
        C.THREAT,
        WHO,
        Gap(2),
        words("chased|chases|chasing|came after|ran after|went after|comes after|coming after"),
        ME,
        words("with"),
    ),
    rule(
        "broke down my door",
        C.THREAT,
        WHO,
        Gap(2),
        words(
            "broke down|kicked in|kicked down|busted down|broke into|breaks into|tried to break into|banging on|"
            "pounding on|bangs on|pounds on"
        ),
        words("my door|the door and|our door|my window|my house|my apartment|my room|the bathroom door|my car"),
    ),
    rule(
        "outside my house",
        C.STALKING,
        WHO,
        Gap(2),
        words("is outside|is at|is waiting outside|is parked outside|is sitting outside|keeps coming to"),
        words("my house|my door|my apartment|my job|my work|my window|the house|my place"),
        Gap(2),
        words(
            "right now|and will not leave|will not leave|again|banging|yelling|screaming|and i am scared|"
            "and threatening|and refuses"
        ),
    ),
    rule(
        "make me disappear",
        C.THREAT,
        WHO,
        Gap(3),
        WILL,
        Gap(1),
        words("make me disappear|make me vanish|end me|put me in the hospital|put me in the ground|bury me"),
    ),
    rule(
        "not leaving alive",
        C.THREAT,
        words("not leaving|will not leave|not going to leave|not gonna leave|not getting out|never leave"),
        Gap(3),
        words("alive"),
        not_after=(),
    ),
    rule(
        "gun and drunk",
        C.THREAT,
        words("gun|knife|weapon|pistol|rifle"),
        Gap(3),
        words("drunk|high|angry|mad|yelling|threatening|waving it|pointing it|loaded"),
    ),
    rule("dead if", C.THREAT, words("i am|im|i will be|we are|you are"), words("dead"), words("if|when|once")),
    rule(
        "weapon",
        C.THREAT,
        words("pulled|pointed|waved|held|put|came at me with|has"),
        words("a gun|a knife|his gun|the gun|a blade|his knife"),
        words("on me|at me|to my head|to my throat|on us|at us|and said|to me"),
    ),
    rule(
        "use it on me",
        C.THREAT,
        words("use|used"),
        words("it|the gun|a gun|the knife"),
        words("on me|on us|on the kids"),
    ),
    rule(
        "burn the house",
        C.THREAT,
        words("burn|set fire to"),
        words("the house|my house|our house|the apartment|my car|the place"),
        words("down|with|on fire"),
    ),
    rule(
        "find me",
        C.FEAR,
        WHO,
        Gap(2),
        words("will|would|is going to|going to|might|is gonna"),
        words("find me|find us|come back|come after me|come for me|track me down"),
        unless_next("a|an|some|work|tomorrow"),
    ),
    # --- fear of a person or of going home
    rule(
        "afraid of him",
        C.FEAR,
        AFRAID,
        words("of|for"),
        words(
            "him",
            "her",
            "them",
            "what he",
            "what she",
            rf"(?:my|the|his|her|our) (?:(?:kids|babys|childrens) )?(?:{PERSON})",
        ),
    ),
    rule(
        "afraid to go home",
        C.FEAR,
        AFRAID,
        words("to|of"),
        words(
            "go home|going home|go back home|be home|being home|return home|go back|"
            "be alone with|go to sleep|leave him|leave|tell him"
        ),
    ),
    rule(
        "fear for my life",
        C.FEAR,
        words("fear|fearing|scared|afraid|worried|terrified|scare"),
        words("for"),
        words(
            "my life|my safety|my kids safety|my kids lives|my childrens safety|our lives|"
            "our safety|the kids safety|my kids|my children"
        ),
    ),
    rule(
        "scared he will",
        C.FEAR,
        AFRAID,
        Gap(1),
        words("he|she|they|my ex|my husband"),
        Gap(1),
        words("will|would|is going to|going to|might|is gonna"),
        Gap(2),
        words("hurt|kill|find|beat|hit|take the kids|come back|do something"),
    ),
    rule(
        "not safe",
        C.FEAR,
        words("i|we|i am|we are|my kids are|the kids are|me and my kids are|i do|i still"),
        words("not|do not|never|no longer|dont"),
        words("safe|feel safe|feel safe anymore|safe anymore"),
        words(HOME),
        not_after=(),
    ),
    rule(
        "not safe at all",
        C.FEAR,
        words("i am|we are|i|i do|i still"),
        words("not safe|not feel safe|do not feel safe|no longer safe|never safe"),
        END,
        not_after=(),
    ),
    rule("unsafe", C.FEAR, words("unsafe|in danger"), Gap(1), words(HOME, "right now", "at home")),
    rule("i am in danger", C.FEAR, words("i am|we are|i feel|my kids are|i might be"), words("in danger|unsafe")),
    rule(
        "get away",
        C.FEAR,
        words("get away|getting away|run away|ran away|escape|hide|hiding"),
        words("from"),
        words("him", "her", "them", rf"(?:my|the) (?:{PERSON})"),
    ),
    rule(
        "safe place",
        C.FEAR,
        words("a safe place|somewhere safe|a shelter|dv shelter|womens shelter"),
        words("to stay|to go|to sleep|for me|tonight|for me and"),
    ),
]
