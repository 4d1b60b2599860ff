"""Spanish disclosures of violence, sexual violence and child abuse. A clitic carries the target
("me pega": he hits me; "le pega a mis hijos"), so the act and its target come first and the person,
when named, before them."""

from conversations.safety.lexicon import (
    COSAS,
    GOLPE,
    GOLPEA,
    HIJOS,
    MIS_HIJOS,
    QUIEN,
)
from conversations.safety.patterns import END, Category, Gap, Part, Rule, regla, unless_next, unless_within, words

C = Category

#: What "hurts" without anyone hurting ("me lastima el zapato") and what one catches ("me pegó la
#: gripa": gave me the flu).
_ROPA = unless_next(
    "el zapato|los zapatos|la bota|las botas|la ropa|el brasier|la faja|la gripa|la gripe|el covid|el resfriado|"
    "la tos|los piojos|el virus|un susto|el chicle|la costumbre|la risa"
)


#: An accident told a few words later: "me pegó con un juguete", "me golpeó sin querer".
_SIN_QUERER = unless_within(4, "un juguete|la pelota|un balon|sin querer|jugando|por accidente|sin culpa")


def _golpes(name: str, *before: Part) -> list[Rule]:
    """Someone's act on "me"/"nos" (violence) and on the children (child abuse)."""
    return [
        regla(f"{name} me", C.VIOLENCE, *before, words("me|nos"), GOLPEA, _ROPA, _SIN_QUERER, not_after=COSAS),
        regla(f"{name} hijos", C.CHILD_ABUSE, *before, words("le|les|lo|la|los|las"), GOLPEA, words("a"), MIS_HIJOS),
    ]


VIOLENCE_ES: list[Rule] = [
    regla(
        "padrastro le pega",
        C.CHILD_ABUSE,
        words("padrastro|papa|padre|novio|esposo|ex|pareja|marido|tio|abuelo"),
        Gap(3),
        words("le|les|lo|la|los|las"),
        GOLPEA,
        END,
    ),
    # --- sexual violence
    regla(
        "violacion",
        C.SEXUAL_VIOLENCE,
        words(
            "me violo|me violaron|me viola|me violaba|violada|violacion|violaron|abuso sexual|"
            "abuso sexualmente|abusaron sexualmente|abuso de mi sexualmente|acoso sexual|"
            "abusan sexualmente|me manoseo|me manosea|me manoseaba|manoseo a mi|me drogaron|"
            "me forzo|me forzaron"
        ),
    ),
    regla(
        "me obliga",
        C.SEXUAL_VIOLENCE,
        words("me obliga|me obligo|me obligaba|me forzo|me fuerza|me forzaba|me presiona|me presiono"),
        words("a tener|a|a estar|a hacer"),
        words(
            "relaciones|sexo|estar con el|acostarme|cosas sexuales|tener relaciones|tener sexo|"
            "cosas que no quiero|cosas feas|cosas que no me gustan"
        ),
    ),
    regla(
        "me toca",
        C.SEXUAL_VIOLENCE,
        words("me toca|me toco|me tocaba|la toca|la toco|lo toca|lo toco|los toca|la tocaba|me manosea"),
        words(
            "sin mi permiso|sin permiso|y le digo que no|y le dije que no|"
            "aunque le digo que no|a la fuerza|y no quiero|cuando no quiero|sus partes|"
            "mis partes"
        ),
    ),
    regla(
        "toca a mi hija",
        C.SEXUAL_VIOLENCE,
        words("toca|toco|tocaba|manosea|manoseo|abuso de|abusa de|abusaron de|violo a|violaron a"),
        words("a mi|a mis|mi|mis"),
        HIJOS,
    ),
    regla(
        "padrastro la toca",
        C.SEXUAL_VIOLENCE,
        QUIEN,
        Gap(1),
        words("la|lo|los|las"),
        words("toca|toco|tocaba|manosea|manoseo"),
    ),
    regla(
        "sexo a cambio",
        C.SEXUAL_VIOLENCE,
        words("sexo|relaciones|acostarme con el"),
        words("a cambio|para pagar|por la renta|por dinero"),
        not_after=(),
    ),
    # --- violence against the participant or the children
    *_golpes("golpea"),
    regla(
        "abusa de mi",
        C.VIOLENCE,
        words("abusa|abuso|abusaba|abusaron|se aprovecha"),
        words("de mi|de nosotros|de mi cuerpo"),
    ),
    regla(
        "abusa de mis hijos",
        C.CHILD_ABUSE,
        words(
            "abusa|abuso|abusaba|abusaron|maltrata|maltrato|golpea|golpeo|lastima|lastimo|"
            "pega|pego|pateo|patea|ahorco|toco|toca|le pega|le pego|les pega"
        ),
        words("de|a"),
        MIS_HIJOS,
    ),
    regla(
        "me dio golpes",
        C.VIOLENCE,
        words("me dio|me da|me daba|me dieron|me dan|me solto|me metio|me puso|me pone"),
        words("una|un|unas|unos|tremenda|tremendo|muchas|muchos|de|otra|otro"),
        Gap(1),
        GOLPE,
    ),
    regla("me dio patadas", C.VIOLENCE, words("me dio|me da|me daba|me dieron|nos dio|le dio|les dio"), GOLPE),
    regla(
        "me dio con",
        C.VIOLENCE,
        words("me dio|me pego|me pega|le dio|les dio|me aventó|me avento|me tiro"),
        words(
            "con el cinturon|con la mano|con el puno|con un palo|con una botella|"
            "con la hebilla|con un cable|con el cable|con la chancla|con un bat|con una silla|"
            "un plato"
        ),
        not_after=COSAS,
    ),
    regla(
        "me agarro",
        C.VIOLENCE,
        words("me agarro|me agarra|me jalo|me jala|me arrastro|me tomo|me apreto"),
        words(
            "del cuello|del pelo|de los pelos|del cabello|de los cabellos|de las grenas|"
            "del brazo y|por el cuello|fuerte del brazo"
        ),
        not_after=COSAS,
    ),
    regla(
        "me rompio",
        C.VIOLENCE,
        words("me rompio|me quebro|me fracturo|me reventó|me revento|me partio|me dejo"),
        words("el|la|los|las|un|una|el labio|la boca"),
        words(
            "brazo|nariz|costilla|costillas|labio|boca|mano|dedo|diente|dientes|cara|"
            "ojo morado|ojo|moretones|marcas|cabeza|pierna|quijada"
        ),
    ),
    regla(
        "moretones",
        C.VIOLENCE,
        words("moretones|moretes|morados|marcas|golpes"),
        Gap(2),
        words(
            "por lo que me hizo|que me dejo|que me hizo|de lo que me hizo|por el|de el|"
            "que el me|de su papa|de su padre|de su padrastro"
        ),
    ),
    regla(
        "quiso matarme",
        C.VIOLENCE,
        words("me quiso|me intento|intento|trato de|me trato de|quiso"),
        words(
            "matar|matarme|ahorcar|ahorcarme|ahogar|ahogarme|estrangular|estrangularme|"
            "atropellar|atropellarme|apunalar|quemar"
        ),
    ),
    regla(
        "violencia",
        C.VIOLENCE,
        words(
            "violencia domestica|violencia familiar|violencia en mi casa|violencia en la casa|"
            "violencia intrafamiliar|violencia de genero|violencia de pareja|sufro violencia|"
            "vivo violencia|maltrato familiar|abuso domestico|me maltrata|me maltrataba|"
            "maltrato domestico"
        ),
    ),
    regla(
        "es violento",
        C.VIOLENCE,
        words("es|se pone|esta|se puso|es muy"),
        words("violento|violenta|agresivo|agresiva|peligroso"),
        words("conmigo|con los ninos|con mis hijos|cuando toma|cuando se enoja|en la casa|otra vez"),
        not_after=(),
    ),
    regla(
        "el es violento",
        C.VIOLENCE,
        words("el|ella|mi esposo|mi pareja|mi novio|mi ex|mi marido"),
        words("es|es muy|se pone|esta muy|ha sido"),
        words("violento|violenta|agresivo|peligroso|abusivo"),
    ),
]
