"""English disclosures of stalking and control: kept from leaving, from a phone, from money,
followed, tracked, watched; protective orders."""

from conversations.safety.lexicon import (
    WHO,
)
from conversations.safety.patterns import END, NEGATORS, Category, Gap, Rule, rule, unless_next, words

C = Category


CONTROL_EN: list[Rule] = [
    # --- stalking and control
    rule(
        "will not let me",
        C.STALKING,
        words("will not|wont|does not|doesnt|did not|never|would not|refuses to|do not"),
        words("let me|allow me to"),
        words(
            "leave|go out|go anywhere|go outside|go to work|go to class|go to school|go to my|"
            "out|see my|see anyone|see anybody|talk to|work|call|have a phone|use the phone|"
            "use my phone|have my phone|have money|have my money|eat|sleep|get a job|go"
        ),
        unless_next("early|work early|until|before|til|kids|son|daughter|children|baby|the kids"),
        not_after=(),
    ),
    rule(
        "took my phone",
        C.STALKING,
        WHO,
        Gap(2),
        words("took|takes|take|taking|hid|hides|hiding|broke|smashed|destroyed|keeps|took away|keeps taking|threw"),
        words(
            "my phone|my cell|my keys|my car keys|my id|my money|my paycheck|my documents|"
            "my papers|my card|my ebt|my ebt card|my charger|my sim|all my money"
        ),
    ),
    rule(
        "showing up",
        C.STALKING,
        words(
            "showing up|shows up|showed up|coming by|comes by|coming around|driving by|"
            "drives by|waiting outside|waits outside|parked outside|keeps coming|"
            "came to my work"
        ),
        Gap(1),
        words(
            "at my|to my|outside my|my job|my work|my house|my school|my apartment|every day|"
            "uninvited|even though|at work|and|at the"
        ),
        not_after=NEGATORS | {"late", "never"},
    ),
    rule(
        "following me",
        C.STALKING,
        WHO,
        Gap(2),
        words(
            "follows|following|followed|stalks|stalking|stalked|watches|watching|tracks|"
            "tracking|tracked|spies on|spying on|keeps tabs on|monitors|checks"
        ),
        words("me|my phone|my location|where i go|everywhere i go|everything i do|all my texts|who i talk to"),
    ),
    rule(
        "keeps showing up",
        C.STALKING,
        words(
            "keeps showing up|keep showing up|keeps popping up|keeps coming around|"
            "keeps coming over|keeps coming back|keeps coming to my"
        ),
        END,
    ),
    rule(
        "keeps calling and showing up",
        C.STALKING,
        words("keeps|keep|kept|always"),
        Gap(5),
        words("and showing up|and coming by|and coming over|and following me|and shows up"),
    ),
    rule(
        "stalker",
        C.STALKING,
        words(
            "stalking me|being stalked|stalker|stalked me|stalks me|stalking us|a tracker|"
            "tracker on my|gps on my|airtag|air tag|tracking my phone|tracks my phone|"
            "tracking app"
        ),
    ),
    rule(
        "locked in",
        C.STALKING,
        WHO,
        Gap(2),
        words("locked|locks|locking|lock|keeps|kept|trapped|traps"),
        words("me|us|the kids"),
        words("in|inside|locked|out|in the house|in the room|up|from leaving"),
    ),
    rule(
        "protective order",
        C.STALKING,
        words(
            "restraining order|protective order|protection order|order of protection|"
            "no contact order|stay away order|emergency protective order"
        ),
    ),
    rule(
        "will not leave me alone",
        C.STALKING,
        WHO,
        Gap(2),
        words("will not|wont|does not|doesnt|refuses to"),
        words("leave me alone|stop calling me|stop texting me|stop following me|leave us alone|stop coming"),
        not_after=(),
    ),
    rule(
        "tracks my phone",
        C.STALKING,
        words(
            "to track me|to follow me|to spy on me|to monitor me|tracking my location|tracks my location|"
            "track my location|spy app|spyware|has all my passwords|has my passwords|made me give him my passwords"
        ),
    ),
    rule(
        "reads my messages",
        C.STALKING,
        WHO,
        Gap(3),
        words("reads|read|checks|goes through|went through|looks through|monitors"),
        words("my messages|my texts|my phone|my emails|my email|my dms|all my messages|all my texts"),
    ),
    rule(
        "isolates me",
        C.STALKING,
        WHO,
        Gap(2),
        words("isolates me|isolated me|isolating me|cuts me off from|keeps me from seeing|keeps me away from"),
    ),
    rule(
        "controls the money",
        C.STALKING,
        WHO,
        Gap(2),
        words("controls|takes|took|keeps|steals|hides"),
        words(
            "all the money|the money and|all my money|my money|my whole check|my check|my paycheck|my cash aid|"
            "my card|my ebt|everything i buy|what i spend"
        ),
    ),
    rule(
        "controls money",
        C.STALKING,
        WHO,
        Gap(2),
        words("takes|took|controls|keeps|steals"),
        words("all my money|all my check|my whole check|my cash aid|all of my money"),
    ),
]
