"""Spanish words of harm to oneself: suicidal thoughts, direct and indirect, self-harm, overdose."""

from conversations.safety.lexicon import (
    COSAS,
    MUCHAS,
    PASTILLAS,
)
from conversations.safety.patterns import END, Category, Gap, Rule, regla, unless_next, words

C = Category
_QUERER = words(
    "quiero|quisiera|me quiero|kiero|me voy a|voy a|pienso|pienso en|pensando en|"
    "ganas de|me dan ganas de|deseo|quiero mejor|prefiero|necesito|tengo ganas de|"
    "me gustaria|mejor me voy a|ya me quiero|ojala pudiera|estoy pensando en|"
    "he pensado en|queria|me queria|intente|trate de|ya quiero",
)
_NO_ACCIDENTE = unless_next(
    "el pelo|el cabello|las unas|el fleco|la barba|el dedo|la mano|con un|con una|"
    "con el|con la|cocinando|sin querer|por accidente|trabajando|jugando|la rodilla|"
    "el pie|la cara|afeitando|rasurando|las puntas|de pelo",
)

SELF_HARM_ES: list[Rule] = [
    # --- suicidal
    regla(
        "quiero morir",
        C.SUICIDAL,
        _QUERER,
        words(
            "morir|morirme|matarme|morirme ya|suicidarme|suicidar|quitarme la vida|"
            "acabar con mi vida|terminar con mi vida|desaparecer|matar|tirarme|aventarme|"
            "colgarme|ahorcarme|cortarme las venas|dormir para siempre|no despertar|"
            "dejar de existir|ya no estar|irme para siempre|morir ya|ir de este mundo|irme de este mundo|"
            "quitar la vida|estar en este mundo"
        ),
        unless_next(
            "de|del|por|con|estudiando|trabajando|con este|a mi ex|a alguien|el tiempo|la tarea|de risa|de hambre|de la"
        ),
    ),
    regla("suicidio", C.SUICIDAL, words("suicid*|sucid*|suisid*|suicidarme|quitarme la vida|matarme")),
    regla(
        "me mato",
        C.SUICIDAL,
        words("me mato|me voy a matar|me matare|me mataria"),
        unless_next("de|trabajando|estudiando|la|el|los|las"),
        not_after=COSAS,
    ),
    regla(
        "no quiero vivir",
        C.SUICIDAL,
        words("no quiero|ya no quiero|no tengo ganas de|no deseo|no quisiera"),
        words(
            "vivir|seguir viviendo|estar viva|estar vivo|existir|despertar|seguir aqui|"
            "estar aqui|seguir en este mundo|vivir asi|seguir asi|estar en este mundo|seguir"
        ),
        END,
        not_after=(),
    ),
    regla(
        "no quiero vivir mas",
        C.SUICIDAL,
        words("no quiero|ya no quiero"),
        words("vivir|seguir viviendo|existir|despertar|estar viva|estar vivo"),
        # "no quiero despertar a los niños", "... temprano": someone else's sleep, or an alarm.
        unless_next("temprano|tan temprano|tarde|a las|antes|a|al"),
        not_after=(),
    ),
    regla(
        "ya no puedo",
        C.SUICIDAL,
        words("ya no puedo|ya no aguanto|no aguanto|no puedo"),
        words(
            "mas|mas con mi vida|mas con la vida|mas con esta vida|con mi vida|vivir asi|"
            "seguir asi|con todo esto|seguir|mas con todo|mas la vida|la vida|esta vida|mas esta vida|"
            "mi vida|mas mi vida|vivir"
        ),
        END,
        not_after=(),
    ),
    regla(
        "ya no aguanto",
        C.SUICIDAL,
        words("ya no aguanto|ya no puedo mas|no aguanto mas|ya no puedo"),
        END,
        not_after=(),
    ),
    regla(
        "mejor sin mi",
        C.SUICIDAL,
        words("mejor|mas felices|mas tranquilos|mejor estarian"),
        Gap(1),
        words("sin mi|si me muero|si yo no estuviera|si me voy|si yo muero|si desaparezco|muerta|muerto"),
    ),
    regla(
        "sin razon",
        C.SUICIDAL,
        words("no tengo|no hay|ya no tengo|ya no hay|sin"),
        words("razon|razones|motivo|motivos|nada|por que|porque|por quien|sentido"),
        words("para vivir|para seguir|por que vivir|por vivir|de vivir|para seguir viviendo"),
    ),
    regla(
        "sin sentido",
        C.SUICIDAL,
        words("no le veo|ya no le veo|no le encuentro|ya no tiene|no tiene"),
        words("sentido"),
        words("a la vida|a nada|a vivir|a seguir|mi vida|la vida|seguir viviendo|vivir"),
    ),
    regla(
        "vida no vale",
        C.SUICIDAL,
        words("la vida|mi vida|vivir|vivir asi"),
        words("no vale la pena|ya no vale la pena|no tiene sentido|ya no tiene sentido|no vale nada"),
    ),
    regla(
        "ojala muerta",
        C.SUICIDAL,
        words("ojala|quisiera|desearia|mejor"),
        Gap(1),
        words(
            "estuviera muerta|estuviera muerto|estar muerta|estar muerto|no hubiera nacido|"
            "no haber nacido|nunca hubiera nacido|morirme|me muriera|desaparecer"
        ),
    ),
    regla(
        "mejor me muero",
        C.SUICIDAL,
        words(
            "mejor me muero|mejor me mato|mejor muerta|mejor muerto|prefiero morir|prefiero morirme|"
            "prefiero estar muerta|prefiero estar muerto|mejor ya me muero"
        ),
        unless_next("de|del"),
    ),
    regla(
        "que se acabe mi vida",
        C.SUICIDAL,
        words("quiero que|quisiera que|ojala|deseo que"),
        Gap(1),
        words("se acabe mi vida|se termine mi vida|acabe mi vida|termine mi vida|me muera|me muriera"),
    ),
    regla(
        "no vale la pena vivir",
        C.SUICIDAL,
        words("no vale la pena|ya no vale la pena|no tiene sentido|ya no tiene sentido"),
        words("seguir viviendo|vivir|seguir vivo|seguir viva|estar vivo|estar viva|la vida|seguir en este mundo"),
    ),
    regla(
        "pastillas listas",
        C.SUICIDAL,
        words("tengo|ya tengo|tengo aqui"),
        words("las pastillas|la pistola|la cuerda|el arma|el veneno"),
        words("listas|lista|listo|preparadas|preparada|aqui conmigo|en la mano"),
    ),
    regla(
        "que todo se acabe",
        C.SUICIDAL,
        words("quiero que|quisiera que|ojala|nada mas quiero que"),
        words("todo se acabe|todo termine|se acabe todo|todo esto se acabe|se termine todo|ya se acabe todo"),
        words("ya|para siempre|de una vez"),
    ),
    regla(
        "dormir y no despertar",
        C.SUICIDAL,
        words("dormir|dormirme|acostarme"),
        words("y no despertar|y ya no despertar|y nunca despertar|para siempre|y no volver a despertar"),
    ),
    regla(
        "acabar con todo",
        C.SUICIDAL,
        words("acabar|terminar|acabo|termino|acabare|terminare"),
        words("con todo|con mi vida|con esto de una vez|con todo esto"),
    ),
    regla(
        "despedida",
        C.SUICIDAL,
        words(
            "me despedi de todos|ya me despedi|me estoy despidiendo|carta de despedida|"
            "mi ultimo mensaje|este es mi ultimo mensaje|les deje una carta"
        ),
    ),
    regla(
        "una carga",
        C.SUICIDAL,
        words("soy|me siento|me siento como"),
        words("una carga|un estorbo|una molestia para todos"),
        not_after=(),
    ),
    regla(
        "a nadie le importa",
        C.SUICIDAL,
        words("a nadie|nadie"),
        words("le importaria|le importa|me extranaria|se daria cuenta|notaria"),
        Gap(1),
        words("si me muero|si muero|si me mato|si desaparezco|si ya no estoy|si me voy"),
        not_after=(),
    ),
    regla(
        "plan para morir",
        C.SUICIDAL,
        words("plan para|planeando|un plan para"),
        words("matarme|morir|morirme|suicidarme|quitarme la vida|acabar con todo"),
    ),
    regla(
        "cansada de vivir",
        C.SUICIDAL,
        words("cansada|cansado|harta|harto"),
        words("de vivir|de la vida|de estar viva|de estar vivo|de existir|de todo y de todos"),
    ),
    regla(
        "tirarme",
        C.SUICIDAL,
        words("tirarme|aventarme|lanzarme|me voy a tirar|me voy a aventar"),
        Gap(1),
        words("del|de un|de el|al|a las vias|de la"),
        Gap(1),
        words("puente|edificio|techo|azotea|tren|carro|carros|vias|balcon|freeway"),
    ),
    # --- self-harm
    regla(
        "me corto",
        C.SELF_HARM,
        words(
            "me corte|me corto|me cortaba|me estoy cortando|me sigo cortando|cortarme|"
            "me volvi a cortar|me quiero cortar|me queme|me quemo|me rasguno|me rasgue"
        ),
        _NO_ACCIDENTE,
        not_after=COSAS | {"pelo"},
    ),
    regla(
        "a proposito",
        C.SELF_HARM,
        words("me corte|me queme|me lastime|me pegue|me hice dano|me golpee"),
        Gap(3),
        words("a proposito|aproposito|apostas|a proposito otra vez"),
    ),
    regla(
        "hacerme dano",
        C.SELF_HARM,
        words(
            "hacerme dano|me hago dano|hacerme algo|me hice dano|lastimarme|me estoy haciendo dano|"
            "me sigo haciendo dano|me volvi a hacer dano|"
            "me lastimo a mi misma|me lastimo a mi mismo|me pego a mi misma|"
            "me pego a mi mismo|me golpeo a mi misma|autolesion*|me autolesiono|autolastimo|"
            "me corto las venas|cortarme las venas|me hago heridas|me lastimo sola"
        ),
    ),
    # --- overdose
    regla("sobredosis", C.OVERDOSE, words("sobredosis|sobre dosis|sobredosi|me pase de pastillas|me sobredosifique")),
    regla(
        "muchas pastillas",
        C.OVERDOSE,
        words("me tome|tome|me tomo|tomarme|tomar|me trague|trague|tragarme|me voy a tomar|se tomo|se trago|me comi"),
        MUCHAS,
        Gap(1),
        PASTILLAS,
    ),
    regla(
        "no despierta",
        C.OVERDOSE,
        words("no despierta|no respira|no reacciona|no responde|no puede respirar|ya no respira"),
        not_after=(),
    ),
]
