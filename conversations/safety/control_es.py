"""Spanish disclosures of stalking and control: "no me deja salir", "me quitó el celular",
"me sigue", "me vigila", "me encierra"; protective orders."""

from conversations.safety.lexicon import (
    COSAS,
)
from conversations.safety.patterns import NEGADORES, Category, Gap, Rule, regla, unless_next, unless_within, words

C = Category


CONTROL_ES: list[Rule] = [
    # --- stalking and control
    regla(
        "no me deja",
        C.STALKING,
        words("no me deja|no me dejo|no me dejaba|no me quiere dejar|no nos deja|no me permite"),
        words(
            "salir|trabajar|ver a|hablar con|ir a la escuela|ir a trabajar|ir a clase|ir a mi|"
            "ir a ver|usar el telefono|usar mi telefono|tener telefono|tener celular|llamar|"
            "estudiar|tener dinero|comer|irme|ir a|ir al"
        ),
        # Custody is not control: "mi ex no me deja ver a los niños este fin".
        unless_next("temprano|antes|tarde|del trabajo|dormir|los ninos|mis hijos|mi hijo|mi hija|mis ninos|los nenes"),
        not_after=COSAS,
    ),
    regla(
        "me quito el celular",
        C.STALKING,
        words("me quito|me quita|me escondio|me esconde|me rompio|me quebro|me agarro|me tiro"),
        words("el|mi|la|las|los|todo mi|todo el"),
        words("telefono|celular|llaves|dinero|papeles|documentos|tarjeta|cheque|identificacion"),
    ),
    regla(
        "me encierra",
        C.STALKING,
        words(
            "me encierra|me encerro|me encerraba|me tiene encerrada|me tiene encerrado|"
            "nos encierra|nos encerro|me deja encerrada|me tiene secuestrada"
        ),
        unless_within(4, "sin querer|por accidente|por error"),
    ),
    regla(
        "mi ex me espera",
        C.STALKING,
        words("mi ex|mi expareja|el papa de mis hijos|mi ex esposo|mi ex novio|mi ex marido"),
        Gap(2),
        words("me espera|me esta esperando|esta afuera de|se para afuera de|me busca en|se aparece en"),
        words("afuera|mi trabajo|mi casa|la casa|el trabajo|de mi trabajo|de mi casa|de la escuela|mi escuela"),
    ),
    regla(
        "me sigue",
        C.STALKING,
        words(
            "me sigue|me anda siguiendo|me esta siguiendo|me persigue|me vigila|"
            "me esta vigilando|me acosa|me esta acosando|me anda vigilando|me acecha|"
            "me rastrea|me espia"
        ),
        unless_next("cobrando|llamando|mandando|doliendo|pasando|la mala suerte|la mala racha|el dolor|la tos"),
        not_after=NEGADORES | {"hija", "hijo", "bebe", "nina", "nino", "perro", "gato", "cobro", "banco"},
    ),
    regla("me acosa", C.STALKING, words("acoso|acosando|acosador|acechando|me stalkea|me esta stalkeando")),
    regla(
        "orden de restriccion",
        C.STALKING,
        words(
            "orden de restriccion|orden de proteccion|orden de alejamiento|"
            "orden de restricion|orden de restriction|orden restrictiva"
        ),
    ),
    regla(
        "se aparece",
        C.STALKING,
        words("se aparece|aparece|llega|viene|se presenta|se mete"),
        words("a|en"),
        words("mi|la"),
        words("casa|trabajo|escuela|departamento|chamba"),
        words("sin avisar|aunque|todos los dias|a cada rato|cuando no|sin permiso|a buscarme|a amenazarme"),
    ),
    regla(
        "revisa el celular",
        C.STALKING,
        words("me revisa|me checa|me quita"),
        words("el celular|el telefono|mis mensajes|mi telefono|mi celular"),
        words("y no me deja|y me pega|y me amenaza|todo el tiempo"),
    ),
    regla(
        "me quita el dinero",
        C.STALKING,
        words("me quita|me quito|se queda con|me controla"),
        words("todo mi dinero|todo el dinero|mi dinero|mi cheque|mis cupones|el dinero"),
    ),
]
