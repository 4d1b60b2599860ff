"""The word lists the rules are built from: who, the act, the target; feelings and their objects.

Lists hold words as the normaliser leaves them (lower case, no accents, "dont" spelled "do not").
"""

from conversations.safety.patterns import NEGADORES, words

# ---- English --------------------------------------------------------------------------------
#: People who can hurt someone: partners, family, the people around a home or a job.
PERSON = words(
    "boyfriend|girlfriend|husband|wife|partner|fiance|fiancee|ex|ex husband|"
    "ex boyfriend|ex wife|ex girlfriend|baby daddy|baby dad|baby mama|baby mom|dad|"
    "father|stepdad|step dad|stepfather|mom|mother|stepmom|stepmother|brother|uncle|"
    "cousin|grandpa|grandfather|landlord|roommate|boss|manager|supervisor|neighbor|"
    "coworker|man|guy|dude|stranger|in laws|mother in law|father in law",
)
#: Who did it: a pronoun or a person, with what goes before them ("my kids dad", "her uncle").
WHO = (
    r"he|she|they|someone|somebody|"
    rf"(?:(?:my|his|her|the|our|their|a|an) )?(?:(?:moms|dads|kids|sons|daughters|babys|childs|childrens) )?"
    rf"(?:{PERSON})"
)
KID = words(
    "kids|kid|son|sons|daughter|daughters|baby|babies|children|child|boy|girl|"
    "little one|little ones|toddler|newborn|stepson|stepdaughter|grandson|"
    "granddaughter",
)
#: Children as the target of an act: "my son", "the kids", "our baby".
KIDS = rf"(?:my|our|the|his|her|your) (?:{KID})|(?:my|our) (?:{KID}) and me|them kids"
ME = words("me|us|me and my kids|me and the kids")

#: Acts of violence whose object can only be a person or a body.
STRIKE = words(
    "hit|hits|hitting|hitted|hittin|slap*|smack*|punch|punched|punches|punching|"
    "punchd|shove|shoved|shoves|shoving|choke|choked|chokes|choking|strangl*|kicked|"
    "kicks|kicking|kick|hurt|hurts|hurting|hurted|attack*|stab*|bit|bites|biting|"
    "dragged|drags|dragging|pinned|slammed|slams|burned|burns|burnt|jumped|abuse|"
    "abused|abuses|abusing|assault*|whip*|whooped|whoops|knocked|elbowed|headbutted|"
    "stomped|suffocated|smothered|pushed|pushes|pushing|push|bruised|injured|raped|"
    "rapes|raping|molested|molests|molesting|put his hands on|put her hands on|"
    "put their hands on|putting his hands on|putting her hands on|puts his hands on|"
    "laid his hands on|lays his hands on|laid hands on|beats on|beat on|beating on|went after|"
    "came at|tried to kill|tried to choke|tried to strangle|tried to drown|"
    "tried to stab|tried to run over|ran over|spit on|beat the crap out of|"
    "beat the shit out of|beat the hell out of|kicked the crap out of|"
    "beat the s out of",
)
#: "beat" is also winning: "he beat me at cards", "beat me to the bus stop".
BEAT = words("beat|beats|beating|beaten|beat up|beats up|beated|whooped")
#: Acts that also take things: "grabbed me a coffee", "threw me a party", "shot me a text".
SEIZE = words("grabbed|grabs|grabbing|threw|throws|throwing|shot|shoots|tossed|held")
BODY = words(
    "arm|arms|nose|jaw|ribs|rib|wrist|wrists|finger|fingers|hand|leg|tooth|teeth|face|"
    "head|neck|eye|collarbone|ankle|back",
)
HARM = words(
    "kill|hurt|shoot|stab|beat|beat up|choke|strangle|burn|hit|slap|rape|murder|"
    "destroy|end|get|cut|punch|kidnap|take the kids and hurt",
)
#: How a threat is said: "he will", "said he would", "is going to".
WILL = words(
    "will|would|going to|gon|is going to|was going to|is gonna|wants to|want to|"
    "swears he will|swore he would|promised to|threatened to|threatens to|"
    "threatening to|says he will|said he would|said he will|would have|plans to|might",
)
AFRAID = words("scared|afraid|terrified|frightened|fearful|petrified|scare")
HOME = words(
    "at home|in my house|in my home|in my own home|at my house|at my place|"
    "in my apartment|at my apartment|in the house|going home|to go home|here|with him|"
    "with her|with them|around him|around her|around my|with my|in this house|"
    "near him",
)
PILLS = words(
    "pills|pill|meds|medication|medications|medicine|tablets|xanax|oxy|oxys|percs|"
    "perc|percocet|fentanyl|sleeping pills|tylenol|advil|insulin|pain pills|pain meds|"
    "antidepressants|painkillers|bars|sleeping pills",
)
LOTS = words(
    "all|all my|all of my|all the|all of the|a bunch of|bunch of|a whole bottle of|"
    "the whole bottle of|whole bottle of|a bottle of|a handful of|handful of|too many|"
    "a lot of|lots of|a lot|way too many|the rest of my|every|enough|extra|"
    "[1-9][0-9]+|twenty|thirty|forty|fifty",
)

# ---- Spanish --------------------------------------------------------------------------------
PERSONA = words(
    "esposo|esposa|marido|mujer|novio|novia|pareja|ex|ex esposo|ex pareja|ex novio|"
    "papa|padre|padrastro|mama|madre|madrastra|hermano|tio|primo|abuelo|suegro|suegra|"
    "cunado|jefe|patron|supervisor|casero|dueno|vecino|companero|roomie|hombre|senor|"
    "tipo|viejo|chavo",
)
QUIEN = (
    rf"(?:el|ella|ellos|alguien|(?:(?:mi|su|el|la|un|una) )?(?:{PERSONA})(?: de (?:mis|mi) (?:hijos|hija|hijo|ninos))?"
    r"|el papa de mis hijos|el padre de mis hijos)"
)
HIJOS = words(
    "hijo|hijos|hija|hijas|nino|ninos|nina|ninas|bebe|bebes|chamaco|chamacos|chamaca|"
    "chiquito|chiquitos|chiquita|nene|nena|criatura|criaturas|hijastro|hijastra|"
    "nietos|nieto|nieta",
)
MIS_HIJOS = rf"(?:mi|mis|los|las|la|el|nuestros|nuestra|nuestro|nuestras|sus|su) (?:{HIJOS})"
#: A person (or "me", "us", the children) hurt by someone: "me pega", "nos golpea", "le pega".
GOLPEA = words(
    "pega|pego|pegaron|pegan|pegaba|pegaban|golpea|golpeo|golpearon|golpean|golpeaba|"
    "golpio|golpeado|cachetea|cacheteo|cachetearon|abofetea|abofeteo|patea|pateo|"
    "patearon|empuja|empujo|empujaron|ahorca|ahorco|ahorcaba|estrangulo|estrangula|"
    "asfixia|asfixio|maltrata|maltrato|maltrataba|maltratan|lastima|lastimo|"
    "lastimaron|agrede|agredio|agredieron|jalo|jala|jalaba|arrastro|arrastra|avento|"
    "avienta|tiro al piso|tiro al suelo|apunalo|apunala|acuchillo|ataco|ataca|"
    "atacaron|mordio|muerde|quemo|quema|madreo|madrea|chingo|zarandeo|sacude|sacudio|"
    "azoto|azota|golpeo bien|esta golpeando|esta pegando|esta lastimando|"
    "esta maltratando|sigue pegando|sigue golpeando|violo|violaron|viola|abusa|abuso|"
    "abusaron|abusaba|manoseo|manosea|rompio|quebro|dejo moretones|dejo marcas|hirio|"
    "herido",
)
GOLPE = words(
    "cachetada|cachetadas|bofetada|bofetadas|punetazo|punetazos|golpiza|golpe|golpes|"
    "patada|patadas|madrazo|madrazos|chingadazo|chingadazos|cinturonazo|cinturonazos|"
    "fregadazo|trancazo|trancazos|paliza|puno|punos|empujon|empujones|cachetadon|"
    "manazo|manazos|nalgadas fuertes",
)
MATAR = words(
    "matar|pegar|golpear|lastimar|hacer dano|disparar|quemar|apunalar|ahorcar|"
    "desaparecer|quitar a mis hijos|llevar a mis hijos|romper|partir la madre|madrear|"
    "dar en la madre|violar|deportar|reportar a inmigracion|llamar a inmigracion|quitar a los ninos|"
    "quitar los ninos|llevar a los ninos|quitar a mis ninos",
)
PASTILLAS = words(
    "pastillas|pastilla|pildoras|medicinas|medicamentos|medicina|tabletas|calmantes|"
    "pastillas para dormir|xanax|clonazepam",
)
MUCHAS = words(
    "todas|todas las|todas mis|muchas|un monton de|un frasco de|el frasco de|todo el frasco de|"
    "todo el bote de|todo el frasco|todo el bote|toda la caja|"
    "un bote de|un puno de|demasiadas|bastantes|toda la caja de|un chingo de|"
    "[1-9][0-9]+|veinte|treinta|cuarenta|cincuenta",
)
MIEDO = words("miedo|panico|terror|pavor")
#: Things, not people, that "hit" or "kill" in everyday Spanish ("el sol me pega", "la renta me va a
#: matar", "se me pegó la gripa"), and negations: either, just before an act, means nobody did it.
COSAS = (
    frozenset(
        "sol calor frio gripa gripe tos renta trabajo examen se sueno hambre dolor espalda cabeza pies viento "
        "agua aire bebe perro gato tarea trafico escuela clase jefe horario lluvia cuenta cuentas luz ruido".split()
    )
    | NEGADORES
)
