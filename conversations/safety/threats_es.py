"""Spanish disclosures of threats, and of fear of a person or of going home."""

from conversations.safety.lexicon import (
    COSAS,
    MATAR,
    MIEDO,
    PERSONA,
)
from conversations.safety.patterns import END, NEGADORES, Category, Gap, Rule, regla, unless_next, unless_within, words

C = Category

THREATS_ES: list[Rule] = [
    # --- threats
    regla(
        "amenaza",
        C.THREAT,
        words("me|nos|lo|la|les|le"),
        words("amenaz*|amenas*|ha amenazado|esta amenazando|anda amenazando|tiene amenazada|tiene amenazado"),
        # Un jefe amenaza con el trabajo, no con la persona.
        unless_within(
            2,
            "correrme|despedirme|quitarme horas|bajarme las horas|reportarme|descontarme|correr|no darme|"
            "no pagarme|no dejarme entrar",
        ),
        not_after=NEGADORES,
    ),
    regla(
        "amenaza con",
        C.THREAT,
        words("amenaz*|amenas*"),
        words("con|de"),
        Gap(1),
        words("matarme|matar|muerte|lastimar|pegar|quitarme|hacerme|quemar|un cuchillo|una pistola|un arma|llevarse"),
    ),
    regla(
        "me va a matar",
        C.THREAT,
        words(
            "dijo|dice|dijo que|dice que|me dijo que|me dijo|jura que|grita que|amenaza que|"
            "escribio que|me escribio que|manda mensajes que"
        ),
        Gap(2),
        words("me|nos|le|les"),
        words("va|iba|van|iban|vamos"),
        words("a"),
        MATAR,
    ),
    regla(
        "matar si lo dejo",
        C.THREAT,
        words("me|nos"),
        words("va a|iba a|van a"),
        MATAR,
        words(
            "si lo dejo|si la dejo|si me voy|si hablo|si lo denuncio|si llamo|si le digo|"
            "si lo reporto|si no regreso|si me voy con"
        ),
        not_after=COSAS,
    ),
    regla(
        "si lo dejo me mata",
        C.THREAT,
        words("si lo dejo|si la dejo|si me voy|si lo denuncio|si llamo a la policia|si hablo|si le digo a alguien"),
        words("me mata|me va a matar|nos mata|me busca|me encuentra"),
    ),
    regla(
        "se mata si lo dejo",
        C.THREAT,
        words("se va a matar|se mata|se mataria|se va a suicidar|se suicida|se va a hacer algo"),
        words("si lo dejo|si la dejo|si me voy|si lo denuncio|si le digo"),
    ),
    regla(
        "mato a mi perro",
        C.THREAT,
        words("mato|lastimo|pateo|enveneno|ahorco|golpeo|amenazo con matar"),
        words("a mi|a nuestro|a nuestra|al"),
        words("perro|perrito|gato|gatito|mascota"),
    ),
    regla(
        "rastrearme",
        C.STALKING,
        words("para rastrearme|para espiarme|para vigilarme|para saber donde estoy|para seguirme|me rastrea"),
    ),
    regla(
        "va a matar a mis hijos",
        C.THREAT,
        words("dice que|dijo que|amenaza que|me dijo que|dice|dijo"),
        Gap(1),
        words("va a|iba a|los va a|las va a|lo va a|la va a"),
        MATAR,
        words("a mis hijos|a los ninos|a mi familia|a mi mama|a mis ninos|a mi hija|a mi hijo|a mi bebe|a todos"),
    ),
    regla(
        "camaras",
        C.STALKING,
        words(
            "me tiene vigilada|me tiene vigilado|me vigila con|me graba|me tiene camaras|puso camaras para|"
            "me rastrea con"
        ),
    ),
    regla(
        "si me voy me va a matar",
        C.THREAT,
        words("si me voy|si lo dejo|si la dejo|si lo denuncio|si hablo|si le digo|si me escapo"),
        Gap(6),
        words("me va a|nos va a|me iba a|me vas a"),
        MATAR,
    ),
    regla(
        "me enseno la pistola",
        C.THREAT,
        words("me enseno|me mostro|me saco|me puso|me apunto con"),
        words("la pistola|el arma|una pistola|un arma|un cuchillo|la navaja|el cuchillo|una navaja"),
    ),
    regla(
        "amenazandome",
        C.THREAT,
        words("amenazandome|amenazarme|amenazandonos|amenazas de muerte|me amenazo de muerte"),
    ),
    regla(
        "temo que me haga algo",
        C.FEAR,
        words("temo que|temo de que|me preocupa que|tengo miedo que"),
        Gap(1),
        words("me|nos"),
        words("mate|pegue|golpee|haga algo|lastime|haga dano|encuentre"),
    ),
    regla(
        "me quiere matar",
        C.THREAT,
        words("me quiere|nos quiere|quiere|me quieren"),
        words("matar|pegar|hacer dano|lastimar|desaparecer"),
        unless_next("de"),
        not_after=COSAS,
    ),
    regla(
        "arma",
        C.THREAT,
        words("me|nos"),
        words("apunto|apunta|amenazo|persiguio|correteo|saco"),
        words(
            "con una pistola|con un cuchillo|con un arma|con la pistola|con el cuchillo|una pistola|un cuchillo|un arma"
        ),
    ),
    regla(
        "quemar la casa",
        C.THREAT,
        words("quemar|incendiar|prenderle fuego a"),
        words("la casa|mi casa|el departamento|mi carro"),
        Gap(3),
        words("con nosotros|conmigo|con los ninos|adentro|dentro"),
    ),
    regla(
        "dijo que me va a",
        C.THREAT,
        words("me va a|nos va a|me iba a"),
        MATAR,
        words("a mi y|y a mis hijos|a mi y a mis hijos|con una pistola|con un cuchillo"),
        not_after=COSAS,
    ),
    # --- fear
    regla(
        "miedo de el",
        C.FEAR,
        words(
            "tengo|le tengo|tengo mucho|le tengo mucho|tenemos|le tenemos|siento|me da|les da|"
            "le tienen|tienen|les tengo|me dan"
        ),
        MIEDO,
        words("de|a"),
        words("el|ella|mi|su|mi ex|ese hombre|el papa|su papa"),
        Gap(1),
        words(PERSONA, "ex", "el", "ella"),
    ),
    regla(
        "le tengo miedo", C.FEAR, words("le tengo|les tengo|le tenemos"), words("miedo|mucho miedo|panico|terror"), END
    ),
    regla(
        "miedo de ir a casa",
        C.FEAR,
        words("miedo|panico|terror|me da miedo|temo|no quiero"),
        Gap(1),
        words("ir|volver|regresar|llegar|estar"),
        words("a casa|a mi casa|a la casa|en casa|en mi casa|con el|sola con el|en la casa"),
    ),
    regla(
        "miedo que me mate",
        C.FEAR,
        MIEDO,
        words("de que|que|a que|de"),
        Gap(1),
        words("me|nos|le haga|les haga"),
        words("mate|pegue|golpee|encuentre|haga algo|lastime|haga dano|quite a mis hijos|busque|siga"),
    ),
    regla(
        "temo por mi vida",
        C.FEAR,
        words("miedo|temo|temor|temiendo|preocupada|preocupado"),
        words("por"),
        words("mi vida|la vida de mis hijos|mis hijos|mi seguridad|nuestras vidas|nuestra seguridad|mis ninos"),
    ),
    regla(
        "no estoy segura",
        C.FEAR,
        words(
            "no me siento|no estoy|no estamos|no nos sentimos|ya no me siento|ya no estoy|"
            "mis hijos no estan|los ninos no estan"
        ),
        words("segura|seguro|seguros|seguras|a salvo|protegida"),
        words(
            "en mi casa|en casa|en la casa|con el|con ella|con mi|aqui|en mi propia casa|con mi pareja|"
            "en ningun lado|en ninguna parte|en ningun lugar"
        ),
        not_after=(),
    ),
    regla(
        "no estoy a salvo",
        C.FEAR,
        words("no estoy|no estamos|no me siento|ya no estoy|no estan"),
        words("a salvo|segura|seguro|protegida"),
        END,
        not_after=(),
    ),
    regla(
        "aterrada",
        C.FEAR,
        words("aterrada|aterrado|espantada|asustada|asustado"),
        words("de|con|por"),
        words("el|mi|su|lo que"),
        Gap(1),
        words(PERSONA, "ex", "el", "me hace"),
    ),
    regla(
        "en peligro",
        C.FEAR,
        words(
            "estoy en peligro|estamos en peligro|corro peligro|corremos peligro|"
            "mi vida corre peligro|mis hijos estan en peligro"
        ),
    ),
    regla(
        "salir de aqui",
        C.FEAR,
        words("salir de aqui|irme de la casa|escaparme|huir|esconderme|salirme de la casa"),
        Gap(2),
        words("violento|me pega|me va a|el me|me golpea|de el|me quiere"),
    ),
    regla(
        "refugio",
        C.FEAR,
        words("refugio para mujeres|refugio de violencia|un lugar seguro|lugar seguro para|albergue para mujeres"),
    ),
]
