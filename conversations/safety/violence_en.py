"""English disclosures of violence, sexual violence and child abuse: who did what to whom."""

from conversations.safety.lexicon import (
    BEAT,
    BODY,
    KIDS,
    ME,
    PERSON,
    SEIZE,
    STRIKE,
    WHO,
)
from conversations.safety.patterns import NEGATORS, Category, Gap, Part, Rule, rule, unless_next, words

C = Category


def _who_did_it(name: str, act: str, *after: Part) -> list[Rule]:
    """The same act against the participant (violence) and against their children (child abuse)."""
    return [
        rule(f"{name} me", C.VIOLENCE, WHO, Gap(3), act, ME, *after),
        rule(f"{name} kids", C.CHILD_ABUSE, WHO, Gap(3), act, KIDS, *after),
    ]


VIOLENCE_EN: list[Rule] = [
    # --- sexual violence
    rule(
        "rape",
        C.SEXUAL_VIOLENCE,
        words(
            "rape|raped|rapes|raping|rapist|molest*|sexually assaulted|sexual assault|"
            "sexually abused|sexual abuse|sexually abusing|sexually harassed|"
            "sexually harassing|date raped|roofied"
        ),
    ),
    rule(
        "forced sex",
        C.SEXUAL_VIOLENCE,
        WHO,
        Gap(3),
        words("forced|forces|force|forcing|made|makes|make|pressured|pressures|pushed|pushes"),
        words("me|himself|herself"),
        Gap(2),
        words("sex|have sex|sleep with|sexual|on me|do sexual|do stuff|touch"),
    ),
    rule(
        "touches",
        C.SEXUAL_VIOLENCE,
        WHO,
        Gap(3),
        words("touches|touched|touching|touch|groped|gropes|groping|feels up|felt up|fondled|fondles"),
        words("me|my daughter|my son|my kids|my kid|my body|her|him|them|my private"),
    ),
    rule(
        "sex for rent",
        C.SEXUAL_VIOLENCE,
        words("sex|sexual favors|sleep with him|sleep with her"),
        words("for|in exchange for|or"),
        words("rent|money|a place|the rent|housing|my job|a ride"),
    ),
    # --- children hurt, or frightened of an adult at home
    rule(
        "bruises from",
        C.CHILD_ABUSE,
        words("bruises|bruised|marks|burns|welts|black eye"),
        Gap(2),
        words("from"),
        words("him|her|his|their|my|the"),
        Gap(1),
        words(PERSON, "him", "her"),
    ),
    rule(
        "kid abused",
        C.CHILD_ABUSE,
        KIDS,
        Gap(2),
        words("is being|was|being|has been|got|were|are being|keeps getting"),
        words("abused|hit|beat|beaten|molested|touched|hurt|choked|kicked"),
        words("by|at"),
        unless_next("a|an|school|practice|daycare|the park|the playground|accident|the ball|recess|work|the game"),
        not_after=NEGATORS,
    ),
    rule(
        "abuses them",
        C.CHILD_ABUSE,
        words("kids|children|son|daughter|kid|boy|girl|baby"),
        Gap(3),
        words(STRIKE, BEAT),
        words("them|him|her"),
        unless_next("back|up"),
    ),
    # --- violence against the participant or their children, by anyone
    *_who_did_it("strike", STRIKE, unless_next("up|back|with a late|with a bill|with a fee")),
    *_who_did_it("beat", BEAT, unless_next("at|to|in a race|in|by")),
    *_who_did_it("seize", SEIZE, unless_next("a|an|some|the ball|out|back|over")),
    rule(
        "and hit me",
        C.VIOLENCE,
        WHO,
        Gap(6),
        words("and|then|and then"),
        words(STRIKE, BEAT),
        ME,
        unless_next("up|back|with a late|with a bill|with a fee|at|to"),
    ),
    rule(
        "cut me",
        C.VIOLENCE,
        WHO,
        Gap(2),
        words("cut|cuts|cutting|sliced|slashed"),
        ME,
        unless_next("off|some slack|a check|a deal|in line|out|loose|a break|short"),
    ),
    rule(
        "throw at",
        C.VIOLENCE,
        WHO,
        Gap(3),
        words("threw|throws|throwing|thrown"),
        Gap(3),
        words("at me|at us|at my head|at my face|at the kids|at my kids|on me|on us|in my face"),
    ),
    rule(
        "be hitting on my son",
        C.CHILD_ABUSE,
        WHO,
        Gap(2),
        words(
            "be hitting on|been hitting on|be beating on|been beating on|beating on|hitting on|be hitting|be beating"
        ),
        KIDS,
    ),
    rule(
        "sleep with him for rent",
        C.SEXUAL_VIOLENCE,
        words("rent|money|job|hours|shifts|ride|place to stay|paycheck|let it slide"),
        Gap(5),
        words("if i sleep with|if i have sex with|if i do sexual|if i go out with|if i do stuff with|if i touch"),
    ),
    rule(
        "shot at me",
        C.VIOLENCE,
        WHO,
        Gap(2),
        words("shot at|shoots at|shooting at|fired at|fires at|fired a gun at|shot a gun at"),
        words("me|us|my car|my house|the house|my kids|the kids|our car|my apartment"),
    ),
    rule(
        "drugged",
        C.SEXUAL_VIOLENCE,
        words("drugged|roofied|spiked my drink|put something in my drink|slipped something in my drink"),
    ),
    rule(
        "makes me do things",
        C.SEXUAL_VIOLENCE,
        WHO,
        Gap(2),
        words("makes me|made me|forces me|forced me|pressures me|pressured me"),
        words("do things|do stuff|do sexual things|touch him|touch her"),
        Gap(1),
        words("i do not want|i did not want|against my will|i am not comfortable|i do not like"),
    ),
    rule(
        "spit in my face",
        C.VIOLENCE,
        WHO,
        Gap(2),
        words("spit|spat|spits"),
        words("in my face|on me|at me|on my face"),
    ),
    rule(
        "broke my bones",
        C.VIOLENCE,
        WHO,
        Gap(2),
        words(
            "broke|broken|breaks|cracked|fractured|busted|split|bloodied|bit|bites|scratched|burned|punched|"
            "kicked|slapped|stabbed|sliced|cut|twisted|choked|grabbed|smashed|slammed"
        ),
        words("my"),
        BODY,
    ),
    rule(
        "head into the wall",
        C.VIOLENCE,
        WHO,
        Gap(2),
        words("slammed|smashed|banged|hit|pushed|threw|shoved|slams|bashed"),
        words("my|me"),
        words("head|face|body|into|against"),
        Gap(2),
        words("wall|door|floor|table|window|car|counter|ground|mirror|into|against"),
    ),
    rule(
        "black eye",
        C.VIOLENCE,
        WHO,
        Gap(2),
        words("gave me|left me with|left"),
        words("a black eye|black eyes|bruises|a busted lip|a concussion|a bloody nose|marks"),
    ),
    rule(
        "bruises from him",
        C.VIOLENCE,
        words("bruises|marks|black eye|bruised"),
        Gap(3),
        words("from|because of"),
        words("him|her|them|my|his"),
    ),
    rule(
        "passive",
        C.VIOLENCE,
        words("i|we|i am|i was|we were|i have|i been|i keep|i got|ive"),
        Gap(2),
        words(
            "beat up|beaten|beaten up|assaulted|abused|choked|strangled|stabbed|attacked|"
            "jumped|slapped|punched|kicked|raped|hit|shot|pushed around|knocked out"
        ),
        words("by|at home|again|last night|by my|at my house|in my home"),
        unless_next("a car|a truck|a bus|a ball|a bike|a wave"),
    ),
    rule(
        "got beat up",
        C.VIOLENCE,
        words(
            "beat up|beaten up|was assaulted|got assaulted|been assaulted|was attacked by|"
            "got attacked by|was strangled|got strangled|was stabbed|got stabbed|was choked|"
            "got choked out|getting abused|being abused|been abused|getting hit at home|"
            "getting beat|getting beaten|abused at home"
        ),
    ),
    rule(
        "abusive",
        C.VIOLENCE,
        words("abusive|violent|dangerous|aggressive"),
        words(
            "relationship|boyfriend|husband|partner|ex|home|household|marriage|man|with me|"
            "with the kids|to me|again|when he drinks|when he is drunk"
        ),
    ),
    rule(
        "is violent",
        C.VIOLENCE,
        WHO,
        words("is|gets|got|has been|was|is so|is getting|is very|is really"),
        words("abusive|violent|physical with me|dangerous"),
    ),
    rule(
        "domestic violence",
        C.VIOLENCE,
        words(
            "domestic violence|domestic abuse|family violence|intimate partner violence|"
            "dv situation|abuse at home|violence at home"
        ),
    ),
]
