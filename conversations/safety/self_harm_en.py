"""English words of harm to oneself: suicidal thoughts, direct and indirect, self-harm, overdose."""

from conversations.safety.lexicon import (
    LOTS,
    PILLS,
)
from conversations.safety.patterns import END, NEGATORS, Category, Gap, Rule, rule, unless_next, words

C = Category
_SELF = words("myself|my self|me self")
_ACCIDENT = unless_next(
    "shaving|cooking|by accident|accidentally|on a|on the|at work|playing|lifting|"
    "with a knife cooking|working|in the kitchen|while|falling|when i fell|at the gym",
)

SELF_HARM_EN: list[Rule] = [
    # --- suicidal: direct and indirect words of wanting to die, no reason to go on, being a burden
    rule(
        "kill myself",
        C.SUICIDAL,
        words("kill|killing|kil|end|ending|hang|hanging|shoot|shooting|drown|off|unalive"),
        _SELF,
    ),
    rule("suicide", C.SUICIDAL, words("suicid*|suicde|sucidal|suicidle|sucide")),
    rule(
        "end my life",
        C.SUICIDAL,
        words("end|ending|take|taking|took"),
        words("my life|my own life|my life tonight|it all|it tonight|it now|everything|things"),
        # "end things with him", "end things and move out": a relationship ends, not a life.
        unless_next("with|and|between|off"),
    ),
    rule(
        "i end it",
        C.SUICIDAL,
        words("i|i will|i am going to|i want to|i need to|i have to|tonight i|gonna|going to"),
        words("end it|end it all|end everything|end my pain"),
        unless_next("with|and|between|early|for"),
    ),
    rule(
        "ways to die",
        C.SUICIDAL,
        words("ways to|way to|how to|methods to|how i could|how i can|how many pills to"),
        words("die|kill myself|end it|end my life|commit suicide|overdose|od|hang myself|not wake up"),
    ),
    rule(
        "want to die",
        C.SUICIDAL,
        words("want|wanted|wish|ready|going|plan|deserve|wanna|rather|just want|would rather|need"),
        words("to die|to be dead|die|be dead"),
        # "want to die my hair": a dye, misspelled.
        unless_next("of|laughing|from|my hair|her hair|his hair|my eyebrows|my clothes|the shirt|it"),
    ),
    rule(
        "no wish to live",
        C.SUICIDAL,
        words("do not|dont|did not|no longer"),
        Gap(1),
        words("want to|wanna|wish to|feel like"),
        words("live|be alive|be here|wake up|exist|go on|keep going|keep living|be around"),
        # "i don't want to be here at this job": a place, not a life.
        unless_next("at|in|for|with|on"),
    ),
    rule(
        "if i am safe",
        C.FEAR,
        words("do not know if|not sure if|unsure if|wonder if|do not know whether"),
        words("i am safe|we are safe|i will be safe|my kids are safe|the kids are safe|i am going to be safe"),
        not_after=(),
    ),
    rule(
        "plan and means",
        C.SUICIDAL,
        words("a plan and the means|have the means|a plan to end|a plan to kill|a plan to die|the means to end"),
    ),
    rule(
        "better off",
        C.SUICIDAL,
        words("better off|be better|happier|easier"),
        words("dead|without me|if i was gone|if i were gone|if i died|if i was dead"),
    ),
    rule(
        "no reason to live",
        C.SUICIDAL,
        words(
            "no reason|no reasons|nothing|no point|no one|nobody|no purpose|not worth|whats the point|"
            "what is the point|why keep|why bother|"
            "no way out|is not worth|no meaning"
        ),
        words(
            "to live|to live for|to keep going|to go on|to keep living|to be here|in living|"
            "in going on|in life|living|left to live for|in being alive|of living"
        ),
    ),
    rule(
        "life not worth",
        C.SUICIDAL,
        words("life|living"),
        words("is not|isnt|not|aint"),
        words("worth|worth living|worth it"),
    ),
    rule(
        "wish dead",
        C.SUICIDAL,
        words("wish|hope"),
        words("i was|i were|i would|i could|i had"),
        words(
            "dead|never born|not born|gone|die|disappear|sleep forever|"
            "go to sleep and not wake up|sleep and not wake up|sleep and never wake up|"
            "not here|not alive|never been born"
        ),
    ),
    rule("not wake up", C.SUICIDAL, words("sleep|go to sleep"), words("and not|and never"), words("wake up")),
    rule("sleep forever", C.SUICIDAL, words("sleep|go to sleep|disappear|be gone"), words("forever")),
    rule(
        "disappear",
        C.SUICIDAL,
        words("want to|wanna|wish i could|going to|need to"),
        words("disappear|vanish|stop existing|not exist|be gone"),
        unless_next("for|into"),
    ),
    rule(
        "done with life",
        C.SUICIDAL,
        words("done with|tired of|sick of|over|finished with|exhausted of"),
        words("life|living|being alive|my life|it all|everything|existing"),
        unless_next("paycheck|in|on|with|like"),
    ),
    rule(
        "end it all",
        C.SUICIDAL,
        words("want|wants|need"),
        words("it all|it|everything|the pain|this|all of this"),
        words("to end|to stop|to be over|to end forever|to stop forever|to stop for good|to end for good"),
        END,
    ),
    rule(
        "giving up on life",
        C.SUICIDAL,
        words("giving up on|give up on|gave up on|done with|over"),
        words("everything|life|living|myself|it all|my life"),
        END,
    ),
    rule(
        "cannot go on",
        C.SUICIDAL,
        words("can not|cant|could not"),
        words("take it|do this|do it|go on|keep going|handle it|live like this|take this"),
        words("anymore|any more|no more|any longer"),
    ),
    rule(
        "cannot live like this",
        C.SUICIDAL,
        words("can not|cant"),
        words("keep living|live"),
        words("like this|this way"),
    ),
    rule(
        "nobody would care",
        C.SUICIDAL,
        words("nobody|no one|noone|nobody would|no one would"),
        Gap(2),
        words("care|cares|cared|notice|miss me|give a damn"),
        words(
            "if i died|if i was gone|if i were gone|if i was dead|if i disappeared|if i killed|when i am gone|if i die"
        ),
    ),
    rule(
        "a burden",
        C.SUICIDAL,
        words("i am|i feel like|i feel|im just"),
        Gap(1),
        words("a burden|such a burden|a burden to|burden"),
    ),
    rule(
        "goodbye note",
        C.SUICIDAL,
        words(
            "goodbye note|suicide note|goodbye letter|note for my kids|letter for my kids|"
            "this is my last message|my last message ever|my final message|last message from me|"
            "saying goodbye to everyone|say goodbye to everyone|my final goodbye|"
            "wrote my will"
        ),
    ),
    rule(
        "jump",
        C.SUICIDAL,
        words("jump|jumping|throw myself"),
        words("off|from|in front of"),
        Gap(1),
        words("bridge|building|roof|overpass|train|cliff|balcony|freeway"),
    ),
    rule(
        "means ready",
        C.SUICIDAL,
        words("the gun|a gun|the rope|a rope|the pills|my gun"),
        words("ready|loaded|in my hand|next to me"),
    ),
    rule(
        "gone soon",
        C.SUICIDAL,
        words("i will be|ill be|i am going to be|i wont be|i will not be|i am not going to be|i am not gonna be"),
        words(
            "gone soon|gone by|gone tomorrow|around much longer|here much longer|"
            "here tomorrow|a problem anymore|a burden anymore"
        ),
    ),
    rule(
        "wont have to worry",
        C.SUICIDAL,
        words("will not|wont|not"),
        words("have to worry about me"),
        words("anymore|any more|soon|much longer"),
        not_after=(),
    ),
    rule(
        "no point going on",
        C.SUICIDAL,
        words("do not|dont|can not"),
        words("see"),
        words("the point|a point|any point|a reason|any reason"),
        words("in going on|in living|of living|in anything|in life|to live|in being here|to go on|anymore"),
    ),
    # --- self-harm
    rule(
        "hurt myself",
        C.SELF_HARM,
        words(
            "cut|cutting|cuttin|burn|burned|burnt|burning|hurt|hurting|harm|harming|hit|"
            "hitting|scratch|scratched|scratching|starve|starving|punish|bruise|punch|punched|"
            "choke"
        ),
        _SELF,
        _ACCIDENT,
    ),
    rule(
        "hurt my arms",
        C.SELF_HARM,
        words("i"),
        Gap(2),
        words(
            "scratched|scratch|scratching|cut|cutting|carved|carving|burned|burning|burnt|bit|biting|hit|hitting|"
            "punched|punching|banging|banged|bang|slamming|slammed"
        ),
        words("my arms|my arm|my wrists|my wrist|my legs|my thighs|my skin|my stomach|my face|my head"),
        words("until|till|til|on purpose|again|to feel|so bad|against the wall|with a razor|with a blade"),
    ),
    rule(
        "going to cut",
        C.SELF_HARM,
        words("going to|gonna|want to|need to|will|about to|have to"),
        words("cut|cut again|burn myself|cut deep|cut deeper"),
        words("tonight|again|so bad|deep|deeper|right now"),
    ),
    rule(
        "not being here",
        C.SUICIDAL,
        words("thinking about|thought about|think about|wish for|dream about|dreaming about|want|wanna|thoughts of"),
        Gap(1),
        words("not being here|not being alive|not existing|not waking up|not be here|not be alive|not exist"),
    ),
    rule(
        "bought a rope",
        C.SUICIDAL,
        words("i"),
        Gap(1),
        words("bought|got|have|found|getting|buying|tied"),
        words("a rope|rope|a noose|the noose|the rope"),
        unless_next("for"),
    ),
    rule(
        "self harm",
        C.SELF_HARM,
        words("self harm|self harming|selfharm|self harmed|self injury|self injure|self injuring|cutter"),
    ),
    rule(
        "cutting again",
        C.SELF_HARM,
        words(
            "been cutting|started cutting|cutting again|relapsed on cutting|relapsed|"
            "urge to cut|urges to cut|want to cut|keep cutting|cut my wrists|cut my arms|"
            "cutting my arms|cutting my wrists|slit my wrists|cutting my legs|cut my legs"
        ),
        not_after=NEGATORS | {"hours", "shifts"},
    ),
    rule("on purpose", C.SELF_HARM, words("hurt|burned|cut|hit|burnt"), Gap(2), words("on purpose")),
    # --- overdose
    rule(
        "overdose",
        C.OVERDOSE,
        words("overdos*|overdoes|overdossed|od|ode|oding"),
        # "i od'd on coffee": too much of something harmless.
        unless_next("on coffee|on caffeine|on sugar|on candy|on chocolate|on pizza|on tv|on netflix|on sleep"),
    ),
    rule(
        "too many pills",
        C.OVERDOSE,
        words("took|take|taking|swallowed|swallow|ate|popped|pop|downed|taken|had"),
        LOTS,
        Gap(1),
        PILLS,
    ),
    rule(
        "like 40 pills",
        C.OVERDOSE,
        words("took|take|taking|swallowed|swallow|ate|popped|pop|downed|taken|had"),
        words("like|about|around|maybe|almost|over|at least"),
        LOTS,
        Gap(1),
        PILLS,
    ),
    rule(
        "whole bottle",
        C.OVERDOSE,
        words("took|take|taking|swallowed|drank|downed"),
        words("the whole bottle|a whole bottle|the bottle|the whole thing of|the whole box"),
    ),
    rule(
        "not waking",
        C.OVERDOSE,
        words("will not|wont|can not|is not|isnt|not"),
        words("wake up|waking up|breathing|breathe|respond|responding"),
        not_after=(),
    ),
]
